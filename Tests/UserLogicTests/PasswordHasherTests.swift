import Dispatch
import Glibc
import Synchronization
import Testing

@testable import UserCore

@Suite struct PasswordHasherTests {
    // Cheap costs keep the suite fast.
    let yescrypt = PasswordHasher(policy: PasswordPolicy(scheme: .yescrypt, cost: 1))
    let bcrypt = PasswordHasher(policy: PasswordPolicy(scheme: .bcrypt, cost: 4))

    /// Made with Python's bcrypt 5.0.0: `bcrypt.hashpw(password, bcrypt.gensalt(rounds=4))`.
    static let pythonBcrypt = "$2b$04$diMsLFB5xhOH02agfDxiU.hI7vftV7ofFp5EjPacS5ScInYOe2ubC"
    /// `gensalt(rounds=5, prefix=b"2a")`.
    static let pythonBcrypt2a = "$2a$05$8jjA2WDDb5zH1f3iViVW8.Jyfiu3P2cAbk9I9pR84vUYLio6gW1gu"
    /// The `$2b$` vector with PHP's `$2y$` prefix (same algorithm; Python's `checkpw` accepts it).
    static let pythonBcrypt2y = "$2y$04$diMsLFB5xhOH02agfDxiU.hI7vftV7ofFp5EjPacS5ScInYOe2ubC"
    static let pythonPassword = "correct horse battery staple"
    /// `hashpw("pässwörd €".encode(), gensalt(rounds=4))`.
    static let pythonUnicode = "$2b$04$YovZAlESo0DT.Q.8094AT.NzVj/aJLrojXgVaPkV8k/hgyn2K5ePO"

    @Test func hashesAndVerifiesWithYescrypt() throws {
        let hash = try yescrypt.hash("correct horse")
        #expect(hash.hasPrefix("$y$j75$"))
        #expect(yescrypt.verify("correct horse", against: hash))
        #expect(!yescrypt.verify("correct horsf", against: hash))
        #expect(!yescrypt.verify("", against: hash))
        #expect(try yescrypt.hash("correct horse") != hash)  // fresh salt
        #expect(bcrypt.verify("correct horse", against: hash))  // any hasher verifies any method
    }

    @Test func hashesAndVerifiesWithBcrypt() throws {
        let hash = try bcrypt.hash("correct horse")
        #expect(hash.hasPrefix("$2b$04$"))
        #expect(hash.utf8.count == 60)
        #expect(bcrypt.verify("correct horse", against: hash))
        #expect(!bcrypt.verify("Correct horse", against: hash))
        #expect(yescrypt.verify("correct horse", against: hash))
    }

    @Test func verifiesPythonBcryptHashes() {
        for hash in [Self.pythonBcrypt, Self.pythonBcrypt2a, Self.pythonBcrypt2y] {
            #expect(yescrypt.verify(Self.pythonPassword, against: hash), "\(hash)")
            #expect(!yescrypt.verify(Self.pythonPassword + "!", against: hash), "\(hash)")
        }
        #expect(bcrypt.verify("pässwörd €", against: Self.pythonUnicode))
        #expect(!bcrypt.verify("passwörd €", against: Self.pythonUnicode))
    }

    @Test func hashesPasswordsWithNULInFull() throws {
        for hasher in [yescrypt, bcrypt] {
            let hash = try hasher.hash("abc\u{0}defgh")
            #expect(hasher.verify("abc\u{0}defgh", against: hash))
            #expect(!hasher.verify("abc", against: hash))
            #expect(!hasher.verify("abc\u{0}defgX", against: hash))
        }
        let hash = try yescrypt.hash("abc")
        #expect(!yescrypt.verify("abc\u{0}def", against: hash))
        #expect(!yescrypt.verify("abc\u{0}", against: hash))
    }

    @Test func unparsableHashesDoNotVerify() throws {
        let garbage = [
            "", "*", "*0", "!", "$y$", "$y$j75$", "$y$j75$salt$", "$2b$04$", "$2b$04$short",
            "$2b$99$" + String(repeating: "a", count: 53), "$unknown$abc$def", "plain text",
        ]
        for stored in garbage {
            #expect(!yescrypt.verify("plain text", against: stored), "\(stored)")
            #expect(!yescrypt.verify("", against: stored), "\(stored)")
        }
        // A bare setting (no hash part) must not verify either.
        let hash = try yescrypt.hash("secret")
        let setting = String(hash[..<hash.lastIndex(of: "$")!])
        #expect(!yescrypt.verify("secret", against: setting))
    }

    @Test func needsRehashWhenMethodOrCostDiffers() throws {
        let yescrypt3 = PasswordHasher(policy: PasswordPolicy(scheme: .yescrypt, cost: 3))
        let bcrypt5 = PasswordHasher(policy: PasswordPolicy(scheme: .bcrypt, cost: 5))
        let cheapYescrypt = try yescrypt.hash("pw")
        let cheapBcrypt = try bcrypt.hash("pw")
        #expect(!yescrypt.needsRehash(cheapYescrypt))
        #expect(yescrypt3.needsRehash(cheapYescrypt))
        #expect(!yescrypt3.needsRehash(try yescrypt3.hash("pw")))
        #expect(yescrypt.needsRehash(cheapBcrypt))
        #expect(!bcrypt.needsRehash(cheapBcrypt))
        #expect(bcrypt5.needsRehash(cheapBcrypt))
        #expect(bcrypt.needsRehash(cheapYescrypt))
        #expect(!bcrypt.needsRehash(Self.pythonBcrypt))
        #expect(bcrypt.needsRehash(Self.pythonBcrypt2y))
        #expect(bcrypt5.needsRehash(Self.pythonBcrypt2a))
        for stored in ["", "garbage", "$y$", "$2b$04", "$1$abc$def"] {
            #expect(yescrypt.needsRehash(stored), "\(stored)")
            #expect(bcrypt.needsRehash(stored), "\(stored)")
        }
    }

    @Test func policyCosts() {
        #expect(PasswordPolicy.validCosts(for: .yescrypt) == 1...11)
        #expect(PasswordPolicy.validCosts(for: .bcrypt) == 4...31)
        #expect(PasswordPolicy.defaultPolicy == PasswordPolicy(scheme: .yescrypt, cost: 5))
        #expect(PasswordHasher(policy: .defaultPolicy).needsRehash("$y$j9T$salt$hash") == false)
    }

    @Test func hashesTheLongestPasswordsTheContractAllows() throws {
        // 128 scalars of 4 UTF-8 bytes: 512 bytes, where libxcrypt's own limit is 511.
        let longest = String(repeating: "😀", count: 128)
        let hash = try yescrypt.hash(longest)
        #expect(yescrypt.verify(longest, against: hash))
        #expect(!yescrypt.verify(String(repeating: "😀", count: 127) + "😁", against: hash))
        #expect(!yescrypt.verify(String(repeating: "😀", count: 127), against: hash))
        // bcrypt reads 72 bytes; longer passwords are hashed through their digest, so all of
        // the password counts.
        let bcryptHash = try bcrypt.hash(longest)
        #expect(bcrypt.verify(longest, against: bcryptHash))
        #expect(!bcrypt.verify(String(repeating: "😀", count: 18), against: bcryptHash))
        #expect(!bcrypt.verify(String(repeating: "😀", count: 127) + "😁", against: bcryptHash))
    }

    @Test func bcryptTruncationMatchesLibxcrypt() {
        // crypt_r("abcdefghij" × 30, "$2b$04$KBCwKxOzLha2MUDgW0PjXe") from C, untruncated; Python's
        // bcrypt verifies it with the first 72 bytes. Truncating changes nothing bcrypt reads.
        let password = String(repeating: "abcdefghij", count: 30)
        let raw = "$2b$04$KBCwKxOzLha2MUDgW0PjXebc596/XQODXhnLIV/fOVHNhXpLn6bFW"
        #expect(bcrypt.verify(password, against: raw))
        #expect(bcrypt.verify(String(password.prefix(72)), against: raw))
        #expect(!bcrypt.verify(String(password.prefix(71)), against: raw))
        // A match through the truncation is not re-hashed (issue #20 item 4): any suffix
        // matches, and the one typed first would replace the real password.
        // Under another policy, the 72 bytes themselves are re-hashed as any outdated hash is.
        #expect(yescrypt.check(password, against: raw) == .right(outdated: false))
        #expect(
            yescrypt.check(String(password.prefix(72)) + "anything else", against: raw) == .right(outdated: false))
        #expect(yescrypt.check(String(password.prefix(72)), against: raw) == .right(outdated: true))
        // Reduced: the marked digest (0xFF + 43 + NUL), the old reduction, the truncation.
        #expect(PasswordHasher.phrases(password, setting: "$2b$").map(\.count) == [45, 72, 73])
        #expect(PasswordHasher.phrases(password, setting: "$y$").map(\.count) == [301])
        #expect(PasswordHasher.phrases(String(repeating: "a", count: 511), setting: "$y$").map(\.count) == [512])
        #expect(PasswordHasher.phrases(String(repeating: "a", count: 512), setting: "$y$").map(\.count) == [45, 72])
    }

    /// The reduced phrase starts with a byte no UTF-8 text holds; a password that is literally
    /// an old reduction is reduced too, and has no other phrase.
    @Test func reducedPhrasesAreNotText() {
        let reduced = PasswordHasher.phrases("a\u{0}bcdefgh", setting: "$y$")[0]
        #expect(UInt8(bitPattern: reduced[0]) == PasswordHasher.reductionMarker)
        #expect(String(validating: reduced.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self) == nil)
        let typed = Self.typedDigest("a\u{0}bcdefgh")
        #expect(PasswordHasher.phrases(typed, setting: "$2b$").map { UInt8(bitPattern: $0[0]) } == [0xFF])
        #expect(PasswordHasher.phrases(typed.uppercased(), setting: "$2b$").map(\.count) == [72])
    }

    /// The string the reduction of `password` used to be, which anyone can type.
    static func typedDigest(_ password: String) -> String {
        "sha256:" + Hex.encode(SHA256.hash(Array(password.utf8)))
    }

    /// Contract §5 (v2): a password libxcrypt can't take whole is reduced to something no
    /// typed password is, so the old digest string doesn't log in as it.
    @Test func reducedPasswordsAreNotEquivalentToATypedString() throws {
        let nul = "Secret\u{0}Password1"
        for (hasher, password) in [
            (yescrypt, nul), (bcrypt, nul), (yescrypt, String(repeating: "😀", count: 128)),
            (bcrypt, String(repeating: "x", count: 73)),
        ] {
            let hash = try hasher.hash(password)
            #expect(hasher.verify(password, against: hash))
            #expect(!hasher.verify(Self.typedDigest(password), against: hash))
        }
    }

    /// crypt(3) of `typedDigest("Secret\0Password1")` (Python ctypes over libcrypt.so.1): what
    /// the old reduction stored for that password.
    static let legacyReduced = [
        "$y$j75$es7mITBz7hTjABdhDWbCe/$ZzXLTmWoJ3LNHv2N71cVdMpTSgdEH0Kws6xnweQT/M6",
        "$2b$04$fxquqa9.DtYMvFsvnA/ePuV5lq4mDayQnYMI5zCIbYj/DgRff8VCe",
    ]

    /// Hashes made with the old reduction still verify for their real password and ask to be
    /// re-hashed into the new form; the typed digest string no longer verifies against them.
    @Test func legacyReducedHashesVerifyForTheRealPasswordOnly() throws {
        let password = "Secret\u{0}Password1"
        for (hasher, stored) in [(yescrypt, Self.legacyReduced[0]), (bcrypt, Self.legacyReduced[1])] {
            #expect(!hasher.verify(Self.typedDigest(password), against: stored))
            #expect(hasher.check(password, against: stored) == .right(outdated: true))
            let fresh = try hasher.hash(password)
            #expect(hasher.verify(password, against: fresh))
            #expect(!hasher.needsRehash(fresh))
            #expect(!hasher.verify("Secret", against: stored))
        }
    }

    /// Unknown users are checked against a dummy hash made under the current policy, so the
    /// check costs what a real one costs; it accepts nothing.
    @Test func dummyVerificationCostsARealVerify() {
        for hasher in [yescrypt, bcrypt] {
            #expect(!hasher.needsRehash(hasher.dummyHash))
            #expect(!hasher.verify("anything", against: hasher.dummyHash))
            hasher.verifyAgainstDummy("anything\u{0}")
        }
    }
}

@Suite struct HashingSlotsTests {
    /// More threads than CPUs call at once; each waits inside until more than the CPU count
    /// are in (what an uncapped gate allows at once) or 50 ms pass. None ever sees that many,
    /// and each gets its own result back.
    @Test func neverRunsMoreHashesThanThereAreCPUs() {
        let cpus = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let callers = 2 * cpus + 2
        let inside = Atomic<Int>(0)
        let most = Atomic<Int>(0)
        let results = Mutex<[Int]>([])
        let threads = (0..<callers).map { index in
            TestThread {
                let result = HashingSlots.run {
                    let now = inside.add(1, ordering: .sequentiallyConsistent).newValue
                    most.max(now, ordering: .sequentiallyConsistent)
                    let deadline = DispatchTime.now() + .milliseconds(50)
                    while inside.load(ordering: .sequentiallyConsistent) <= cpus && DispatchTime.now() < deadline {}
                    inside.subtract(1, ordering: .sequentiallyConsistent)
                    return index
                }
                results.withLock { $0.append(result) }
            }
        }
        for thread in threads { thread.join() }
        #expect(most.load(ordering: .sequentiallyConsistent) <= cpus)
        #expect(results.withLock { $0.sorted() } == Array(0..<callers))
    }
}
