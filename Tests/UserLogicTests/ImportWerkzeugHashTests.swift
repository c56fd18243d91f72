import Testing

@testable import UserCore

/// Werkzeug's password hashes (Flask apps) and the cost caps on imported hashes.
@Suite struct ImportWerkzeugHashTests {
    let hasher = PasswordHasher(policy: PasswordPolicy(scheme: .yescrypt, cost: 1))

    /// Made with Werkzeug 3.1.8: `generate_password_hash(password, method=…)`, each checked
    /// with `check_password_hash`.
    static let vectors: [(password: String, hash: String)] = [
        (
            "correct horse",
            "scrypt:32768:8:1$SFdiR8izAo50yVGJ$94a989886224eb5dd9bd92554f087881fad6480f8c54ff2d243c543f383f53e6"
                + "0550a57f9c507d941667c59b6441c35296e1ded23623f42415d9faf66a9cd928"
        ),
        (
            "correct horse",
            "scrypt:1024:8:1$o5cAaLGs31vfArq6$b502ec773b007807ef12bf83f0cb4c3317a69ad1b19b913d7dff3470a477f226"
                + "a2bfc23ac75f8ffab19c4a8fa214a1007983025e9ecb6cf46d8431edea4340cd"
        ),
        (
            "pässwörd ✓",
            "scrypt:1024:8:2$eabTQ2ndh64QOmRT$3977806a41af1778e83e19313893b9f60dd44ba71edfe17c998f9db75fbaf4ac"
                + "eb749f674968baaa8503d666d230c19601872f0a0144bdb77c4f66fa6b1d831a"
        ),
        (
            "correct horse",
            "pbkdf2:sha256:1000000$WbKkbT6J36hsSEKk$3fde08d39258ad89bf290bbfd7aaf2a4dbb9b097580d77ba1ec19b9b33fc6e98"
        ),
        (
            "correct horse",
            "pbkdf2:sha256:1000$pvctQChkdgXrqUSv$7fbe876eeaa460c40a0c15a91243677cd4701f78a02ee0194b267374ac8b8f18"
        ),
        (
            "pässwörd ✓",
            "pbkdf2:sha256:1000$9lZqC1iQ80PtcIWX$2fdd2afb2f9fdd4b72810b8f8cd38a1ba6b5e4984891ef6dbb800f8256afae29"
        ),
        ("correct horse", "pbkdf2:sha1:1000$AFjchZGkhZXZRwoH$e461dc78166714fae439b66e444e96674bc9afaf"),
        (
            "correct horse",
            "pbkdf2:sha512:1000$ilAJ6jwJQBlcxCz8$186ba5dc20429f7dbd6c04cf31166198caa62058b06c59a945aa248e8287cdee"
                + "70b4981efa408dcfac8c28ffb753f60436e1a5f83ecb3e915a2048b7810b7e43"
        ),
        // Werkzeug never writes these, but check_password_hash reads them with its defaults
        // (`_hash_internal("pbkdf2:sha256", "SaltSaltSalt1234", …)` and so on).
        (
            "correct horse",
            "pbkdf2:sha256$SaltSaltSalt1234$7848702b2b4728b2fe2de22fc59c1f2e4407bd2a35ecb56ccc92de879c74bc37"
        ),
        (
            "correct horse",
            "pbkdf2$SaltSaltSalt1234$7848702b2b4728b2fe2de22fc59c1f2e4407bd2a35ecb56ccc92de879c74bc37"
        ),
        (
            "correct horse",
            "scrypt$SaltSaltSalt1234$ccddc91712e01976669a5a4398663fe8b6a62d7dfaa50413305f1091b2f672cb9ef4eb43"
                + "2cdeeef3bada24ba7287f61ed78a2e12ebf2e849bf90d697d10d4dc3"
        ),
    ]

    @Test(arguments: 0..<vectors.count)
    func verifiesWerkzeugHashes(_ index: Int) throws {
        let (password, hash) = Self.vectors[index]
        #expect(hasher.verify(password, against: hash))
        #expect(!hasher.verify(password + "!", against: hash))
        #expect(!hasher.verify(String(password.dropLast()), against: hash))
        #expect(!hasher.verify("", against: hash))
        // One flipped hex digit of the hash.
        let flipped = String(hash.dropLast()) + (hash.hasSuffix("0") ? "1" : "0")
        #expect(!hasher.verify(password, against: flipped))
        #expect(hasher.needsRehash(hash))
        #expect(
            try LegacyPasswordVerifier.check(hash).get()
                == (hash.hasPrefix("scrypt") ? .werkzeugScrypt : .werkzeugPBKDF2))
    }

    @Test func parsesParametersAsWerkzeugDoes() throws {
        let scrypt = try WerkzeugHash.parse(Self.vectors[0].hash)
        #expect(scrypt.function == .scrypt(n: 32768, r: 8, p: 1))
        #expect(scrypt.salt == Array("SFdiR8izAo50yVGJ".utf8))
        #expect(scrypt.expected.count == 64)
        #expect(scrypt.method == "scrypt:32768:8:1")
        let pbkdf2 = try WerkzeugHash.parse(Self.vectors[3].hash)
        #expect(pbkdf2.function == .pbkdf2(.sha256, iterations: 1_000_000))
        #expect(pbkdf2.expected.count == 32)
        #expect(try WerkzeugHash.parse(Self.vectors[8].hash).function == .pbkdf2(.sha256, iterations: 1_000_000))
        #expect(try WerkzeugHash.parse(Self.vectors[10].hash).function == .scrypt(n: 32768, r: 8, p: 1))
        #expect(try WerkzeugHash.parse(Self.vectors[6].hash).function == .pbkdf2(.sha1, iterations: 1000))
    }

    @Test func refusesHashesOverTheCaps() {
        let key64 = String(repeating: "ab", count: 64)
        let key32 = String(repeating: "ab", count: 32)
        let overCap = [
            "scrypt:262144:8:1$salt$" + key64,  // N = 2^18
            "scrypt:1048576:8:1$salt$" + key64,  // 1 GiB
            "scrypt:16384:32:1$salt$" + key64,  // r = 32
            "scrypt:16384:8:5$salt$" + key64,  // p = 5
            "scrypt:131072:16:1$salt$" + key64,  // 256 MiB
            "pbkdf2:sha256:2000001$salt$" + key32,
            "pbkdf2:sha256:4294967295$salt$" + key32,
        ]
        for hash in overCap {
            guard case .failure(let rejection) = LegacyPasswordVerifier.check(hash) else {
                Issue.record("accepted \(hash)")
                continue
            }
            #expect(rejection.reason == .overCap || rejection.reason == .malformed, "\(hash)")
            #expect(!rejection.message.contains("salt"))
            let started = ContinuousClock.now
            #expect(!hasher.verify("pw", against: hash))
            #expect(ContinuousClock.now - started < .milliseconds(50), "verify computed \(hash)")
        }
        // At the caps exactly: accepted.
        for hash in [
            "scrypt:131072:8:1$salt$" + key64, "scrypt:65536:16:4$salt$" + key64,
            "pbkdf2:sha256:2000000$salt$" + key32,
        ] {
            #expect((try? LegacyPasswordVerifier.check(hash).get()) != nil, "\(hash)")
        }
    }

    @Test func refusesMalformedAndUnknownHashes() {
        let key64 = String(repeating: "ab", count: 64)
        let malformed = [
            "scrypt:32768:8$salt$" + key64, "scrypt:32768:8:1:1$salt$" + key64, "scrypt:1000:8:1$salt$" + key64,
            "scrypt:0:8:1$salt$" + key64, "scrypt:32768:0:1$salt$" + key64, "scrypt:-1:8:1$salt$" + key64,
            "scrypt:32768:8:1$salt$" + String(key64.dropLast(2)), "scrypt:32768:8:1$salt$" + key64 + "zz",
            "scrypt:32768:8:1$salt", "pbkdf2:sha256:0$salt$" + String(repeating: "ab", count: 32),
            "pbkdf2:sha256:1000$salt$" + key64, "pbkdf2:sha256:1e3$salt$" + String(repeating: "ab", count: 32),
            "$2b$04$short", "$2b$4$" + String(repeating: "a", count: 53),
        ]
        for hash in malformed {
            guard case .failure(let rejection) = LegacyPasswordVerifier.check(hash) else {
                Issue.record("accepted \(hash)")
                continue
            }
            #expect(rejection.reason == .malformed, "\(hash): \(rejection)")
            #expect(!hasher.verify("pw", against: hash))
        }
        let unsupported = [
            "hunter2", "sha256$salt$abc", "md5$salt$abc", "plain$$hunter2", "$6$rounds=5000$salt$hash",
            "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "$2x$04$" + String(repeating: "a", count: 53),
            "pbkdf2:md5:1000$salt$" + String(repeating: "ab", count: 16), "",
        ]
        for hash in unsupported {
            guard case .failure(let rejection) = LegacyPasswordVerifier.check(hash) else {
                Issue.record("accepted \(hash)")
                continue
            }
            #expect(rejection.reason == .unsupported, "\(hash): \(rejection)")
        }
        // The format is named only when it is a well-known one: a plain-text password with a
        // "$" must not show up in a report.
        #expect(LegacyPasswordVerifier.describeFormat("sha256$salt$abc") == "\"sha256\"")
        #expect(LegacyPasswordVerifier.describeFormat("$6$rounds=5000$salt$hash") == "\"$6$\"")
        #expect(LegacyPasswordVerifier.describeFormat("my secret$pass") == "(unrecognised)")
        #expect(LegacyPasswordVerifier.describeFormat("hunter2") == "(unrecognised)")
    }

    @Test func capsBcryptCost() throws {
        // Python's bcrypt 5.0.0, rounds 4 (PasswordHasherTests.pythonBcrypt).
        let bcrypt4 = "$2b$04$diMsLFB5xhOH02agfDxiU.hI7vftV7ofFp5EjPacS5ScInYOe2ubC"
        #expect(try LegacyPasswordVerifier.check(bcrypt4).get() == .bcrypt)
        #expect(try LegacyPasswordVerifier.check("$2a$14$" + String(bcrypt4.dropFirst(7))).get() == .bcrypt)
        #expect(try LegacyPasswordVerifier.check("$2y$04$" + String(bcrypt4.dropFirst(7))).get() == .bcrypt)
        let cost15 = "$2b$15$" + String(bcrypt4.dropFirst(7))
        #expect(throws: LegacyPasswordVerifier.Rejection.self) { try LegacyPasswordVerifier.check(cost15).get() }
        let started = ContinuousClock.now
        #expect(!hasher.verify("correct horse battery staple", against: "$2b$31$" + String(bcrypt4.dropFirst(7))))
        #expect(!hasher.verify("correct horse battery staple", against: cost15))
        #expect(ContinuousClock.now - started < .milliseconds(50))
        #expect(hasher.verify("correct horse battery staple", against: bcrypt4))
    }

    @Test func werkzeugHashesAreRehashedAtLogin() throws {
        let hash = Self.vectors[4].hash
        #expect(hasher.needsRehash(hash))
        let fresh = try hasher.hash("correct horse")
        #expect(!hasher.needsRehash(fresh))
        #expect(hasher.verify("correct horse", against: fresh))
    }
}
