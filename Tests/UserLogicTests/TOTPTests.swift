import Testing

@testable import UserCore

@Suite struct TOTPTests {
    /// RFC 6238 Appendix B's SHA-1 secret: the 20 ASCII bytes "12345678901234567890".
    static let rfcSecret = Array("12345678901234567890".utf8)

    /// RFC 6238 Appendix B, SHA-1 rows: time, step (hex T in the RFC) and the 8-digit code,
    /// of which an authenticator's 6-digit code is the last 6 digits.
    static let rfcVectors: [(time: Int64, step: Int64, code: String)] = [
        (59, 0x1, "94287082"),
        (1_111_111_109, 0x23523EC, "07081804"),
        (1_111_111_111, 0x23523ED, "14050471"),
        (1_234_567_890, 0x273EF07, "89005924"),
        (2_000_000_000, 0x3F940AA, "69279037"),
        (20_000_000_000, 0x27BC_86AA, "65353130"),
    ]

    @Test func matchesRFC6238AppendixB() {
        let totp = TOTP(secret: Self.rfcSecret)
        for vector in Self.rfcVectors {
            #expect(TOTP.step(at: vector.time) == vector.step)
            // Twice: the context is re-initialised per code and must keep its key.
            #expect(totp.code(atStep: vector.step) == String(vector.code.suffix(6)))
            #expect(totp.code(atStep: vector.step) == String(vector.code.suffix(6)))
        }
    }

    @Test func stepsAreThirtySecondsFromTheEpoch() {
        #expect(TOTP.period == 30)
        #expect(TOTP.step(at: 0) == 0)
        #expect(TOTP.step(at: 29) == 0)
        #expect(TOTP.step(at: 30) == 1)
        #expect(TOTP.step(at: -1) == -1)
        #expect(TOTP.step(at: -30) == -1)
        #expect(TOTP.step(at: -31) == -2)
    }

    @Test func codesAreSixDigitsZeroPadded() {
        let totp = TOTP(secret: Self.rfcSecret)
        let codes = (0..<2000).map { totp.code(atStep: Int64($0)) }
        #expect(codes.allSatisfy { $0.utf8.count == 6 && $0.utf8.allSatisfy { (48...57).contains($0) } })
        // About 1 in 10 codes starts with a zero; without the padding they would be shorter.
        #expect(codes.contains { $0.hasPrefix("0") })
    }

    @Test func theSecretChangesTheCode() {
        var other = Self.rfcSecret
        other[19] ^= 1
        #expect(TOTP(secret: other).code(atStep: 1) != TOTP(secret: Self.rfcSecret).code(atStep: 1))
    }

    /// 1111111111 is 1 s into its step: the window is the same for any second of the step.
    static let now: Int64 = 1_111_111_111
    static let current = TOTP.step(at: now)

    @Test func acceptsThePreviousCurrentAndNextStep() {
        let totp = TOTP(secret: Self.rfcSecret)
        for step in Self.current - 1...Self.current + 1 {
            #expect(totp.matchingStep(of: totp.code(atStep: step), at: Self.now, after: nil) == step)
            #expect(totp.matchingStep(of: totp.code(atStep: step), at: Self.now + 28, after: nil) == step)
        }
    }

    @Test func refusesTwoStepsAwayAndAnotherSecretsCode() {
        let totp = TOTP(secret: Self.rfcSecret)
        for step in [Self.current - 2, Self.current + 2, Self.current - 100] {
            #expect(totp.matchingStep(of: totp.code(atStep: step), at: Self.now, after: nil) == nil)
        }
        let other = TOTP(secret: Array("abcdefghijabcdefghij".utf8))
        #expect(totp.matchingStep(of: other.code(atStep: Self.current), at: Self.now, after: nil) == nil)
    }

    /// A code is good once: a step at or before the last one used is refused, a later one in
    /// the window still counts.
    @Test func refusesAStepAlreadyUsedOrEarlier() {
        let totp = TOTP(secret: Self.rfcSecret)
        let previous = totp.code(atStep: Self.current - 1)
        let current = totp.code(atStep: Self.current)
        let next = totp.code(atStep: Self.current + 1)
        #expect(totp.matchingStep(of: current, at: Self.now, after: Self.current) == nil)
        #expect(totp.matchingStep(of: previous, at: Self.now, after: Self.current) == nil)
        #expect(totp.matchingStep(of: previous, at: Self.now, after: Self.current - 1) == nil)
        #expect(totp.matchingStep(of: current, at: Self.now, after: Self.current - 1) == Self.current)
        #expect(totp.matchingStep(of: next, at: Self.now, after: Self.current) == Self.current + 1)
        #expect(totp.matchingStep(of: next, at: Self.now, after: Self.current + 1) == nil)
        #expect(totp.matchingStep(of: previous, at: Self.now, after: Self.current - 2) == Self.current - 1)
    }

    @Test func refusesAnythingButSixASCIIDigits() {
        let totp = TOTP(secret: Self.rfcSecret)
        let current = totp.code(atStep: Self.current)
        #expect(current == "050471")
        for typed in [
            "", "05047", "0504711", " 050471", "050471 ", "05047a", "-50471", "+50471", "05 471", "０５０４７１",
            "050471\0", "٠٥٠٤٧١",
        ] {
            #expect(totp.matchingStep(of: typed, at: Self.now, after: nil) == nil, "\(typed)")
        }
    }
}
