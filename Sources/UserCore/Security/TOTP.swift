internal import COpenSSL

/// Time-based one-time passwords of RFC 6238 as authenticator apps make them: HMAC-SHA1
/// over the number of 30-second steps since the Unix epoch (T0 = 0), dynamic truncation
/// (RFC 4226 §5.3) to 6 decimal digits.
///
/// Keeps one `EVP_MAC_CTX` keyed with the secret, re-initialised per code like
/// `HMACSHA256`; hence a class, not thread-safe and deliberately not `Sendable`: make one
/// per check. The context is freed in `deinit`.
package final class TOTP {
    /// The length of a secret this service makes: 160 bits, RFC 4226's recommendation.
    package static let secretByteCount = 20
    /// Seconds per step.
    package static let period: Int64 = 30
    private static let digits = 6
    private static let macByteCount = 20

    private let context: OpaquePointer

    package init(secret: [UInt8]) {
        let made = secret.withUnsafeBufferPointer { copenssl_hmac_sha1_new($0.baseAddress, $0.count) }
        guard let made else { fatalError("OpenSSL can't create an HMAC-SHA1 context") }
        context = made
    }

    deinit {
        EVP_MAC_CTX_free(context)
    }

    /// The step that `unixTime` (seconds) falls in; times before 1970 round down too.
    package static func step(at unixTime: Int64) -> Int64 {
        unixTime >= 0 ? unixTime / period : (unixTime + 1) / period - 1
    }

    /// The code for `step`: always 6 digits, zero-padded.
    package func code(atStep step: Int64) -> String {
        let value = truncated(mac(of: step)) % 1_000_000
        let text = String(value)
        return String(repeating: "0", count: Self.digits - text.count) + text
    }

    /// The step among step(at: unixTime) - 1 ... + 1 (in that order of preference: current first
    /// is fine) whose code equals `code`, considering only steps > lastUsedStep (nil = none used);
    /// every candidate compared in constant time (ConstantTime.equals), nil when none matches.
    /// `code` that is not exactly 6 ASCII digits → nil without computing.
    ///
    /// The window of one step either side allows for a clock that is a little off and for the
    /// time the user takes to type; refusing steps up to `lastUsedStep` makes each code (and
    /// any earlier one) good for one sign-in only. Every candidate is computed and compared,
    /// so the time taken doesn't say which one matched. The current step is preferred, then
    /// the previous, then the next.
    package func matchingStep(of code: String, at unixTime: Int64, after lastUsedStep: Int64?) -> Int64? {
        let typed = Array(code.utf8)
        guard typed.count == Self.digits, typed.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        let current = Self.step(at: unixTime)
        var matched: Int64?
        for step in [current + 1, current - 1, current] where lastUsedStep.map({ step > $0 }) ?? true {
            // Later candidates overwrite earlier ones: the current step wins, then the previous.
            if ConstantTime.equals(Array(self.code(atStep: step).utf8), typed) { matched = step }
        }
        return matched
    }

    /// HMAC-SHA1 of `step` as an 8-byte big-endian counter (RFC 4226's C).
    private func mac(of step: Int64) -> [UInt8] {
        withUnsafeBytes(of: UInt64(bitPattern: step).bigEndian) { counter in
            [UInt8](unsafeUninitializedCapacity: Self.macByteCount) { output, initializedCount in
                var length = 0
                guard EVP_MAC_init(context, nil, 0, nil) == 1,
                    EVP_MAC_update(context, counter.baseAddress!.assumingMemoryBound(to: UInt8.self), counter.count)
                        == 1,
                    EVP_MAC_final(context, output.baseAddress, &length, Self.macByteCount) == 1,
                    length == Self.macByteCount
                else { fatalError("OpenSSL HMAC-SHA1 failed") }
                initializedCount = Self.macByteCount
            }
        }
    }

    /// Dynamic truncation (RFC 4226 §5.3): the 31 bits at the offset named by the last
    /// byte's low nibble.
    private func truncated(_ mac: [UInt8]) -> UInt32 {
        let offset = Int(mac[mac.count - 1] & 0x0F)
        return (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
    }
}
