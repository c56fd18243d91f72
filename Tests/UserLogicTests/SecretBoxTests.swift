import Testing

@testable import UserCore

@Suite struct SecretBoxTests {
    static let key = Array("the current key, thirty-two bytes or more".utf8)
    static let oldKey = Array("the previous key, also thirty-two bytes long".utf8)
    static let secret = Array("12345678901234567890".utf8)

    /// The box's bytes after its `v1.` prefix.
    func payload(_ sealed: String) throws -> [UInt8] {
        #expect(sealed.hasPrefix("v1."))
        return try #require(Base64URL.decode(sealed.dropFirst(3)))
    }

    @Test func roundTrip() throws {
        let box = SecretBox(key: Self.key)
        let sealed = box.seal(Self.secret, context: "totp:7")
        #expect(try box.open(sealed, context: "totp:7") == Self.secret)
        #expect(box.isCurrent(sealed))
        // ASCII for a TEXT column, and the secret doesn't show through.
        #expect(sealed.utf8.allSatisfy { $0 < 0x80 })
        #expect(try payload(sealed).count == 4 + 12 + Self.secret.count + 16)
        #expect(!sealed.contains(Base64URL.encode(Self.secret)))
        #expect(try box.open(box.seal([], context: ""), context: "") == [])
    }

    @Test func aFlippedBitAnywhereFails() throws {
        let box = SecretBox(key: Self.key)
        let bytes = try payload(box.seal(Self.secret, context: "totp:7"))
        for index in bytes.indices {
            for bit in [0, 7] {
                var altered = bytes
                altered[index] ^= 1 << bit
                // The key id (first 4 bytes) then names no key; elsewhere the tag doesn't match.
                let expected: SecretBoxError = index < 4 ? .unknownKey : .authenticationFailed
                #expect(throws: expected, "byte \(index) bit \(bit)") {
                    try box.open("v1." + Base64URL.encode(altered), context: "totp:7")
                }
            }
        }
    }

    @Test func malformedBoxesAreRefused() throws {
        let box = SecretBox(key: Self.key)
        let sealed = box.seal(Self.secret, context: "totp:7")
        let body = sealed.dropFirst(3)
        for bad in [
            "", "v1.", "v2." + body, "V1." + body, String(body), "v1." + body + "=", "v1." + body.dropLast(),
            "v1." + Base64URL.encode([UInt8](repeating: 0, count: 31)),
        ] {
            #expect(throws: SecretBoxError.malformed, "\(bad)") { try box.open(bad, context: "totp:7") }
            #expect(!box.isCurrent(bad))
        }
        // Cut to the smallest size a box can have: a tag check, not a crash.
        let shortest = try payload(sealed).prefix(32)
        #expect(throws: SecretBoxError.authenticationFailed) {
            try box.open("v1." + Base64URL.encode(shortest), context: "totp:7")
        }
    }

    @Test func anotherContextFails() {
        let box = SecretBox(key: Self.key)
        let sealed = box.seal(Self.secret, context: "totp:7")
        for other in ["totp:8", "totp:70", "totp:", "", "TOTP:7"] {
            #expect(throws: SecretBoxError.authenticationFailed) { try box.open(sealed, context: other) }
        }
    }

    @Test func anotherKeyFails() {
        let sealed = SecretBox(key: Self.key).seal(Self.secret, context: "totp:7")
        let other = SecretBox(key: Self.oldKey)
        #expect(throws: SecretBoxError.unknownKey) { try other.open(sealed, context: "totp:7") }
        #expect(!other.isCurrent(sealed))
    }

    @Test func aPreviousKeyOpensButIsNotCurrent() throws {
        let old = SecretBox(key: Self.oldKey).seal(Self.secret, context: "totp:7")
        let rotated = SecretBox(key: Self.key, previousKeys: [Self.oldKey])
        #expect(try rotated.open(old, context: "totp:7") == Self.secret)
        #expect(!rotated.isCurrent(old))
        #expect(throws: SecretBoxError.authenticationFailed) { try rotated.open(old, context: "totp:8") }
        // New boxes are sealed under the current key only.
        let resealed = rotated.seal(Self.secret, context: "totp:7")
        #expect(rotated.isCurrent(resealed))
        #expect(try SecretBox(key: Self.key).open(resealed, context: "totp:7") == Self.secret)
        #expect(throws: SecretBoxError.unknownKey) {
            try SecretBox(key: Self.oldKey).open(resealed, context: "totp:7")
        }
    }

    @Test func twoSealsDiffer() throws {
        let box = SecretBox(key: Self.key)
        let first = box.seal(Self.secret, context: "totp:7")
        let second = box.seal(Self.secret, context: "totp:7")
        #expect(first != second)
        #expect(try payload(first)[4..<16] != payload(second)[4..<16], "a fresh nonce")
        #expect(try payload(first)[..<4] == payload(second)[..<4], "the same key id")
    }

    /// The key id names the derived key, never the configured key or the AES key.
    @Test func theKeyIDRevealsNoKey() throws {
        let id = try payload(SecretBox(key: Self.key).seal(Self.secret, context: "")).prefix(4)
        #expect(!Self.key.starts(with: id))
        #expect(!HMACSHA256(key: Self.key).authenticate(Array("auth-fcgi secret box v1".utf8)).starts(with: id))
    }

    /// The AES-256-GCM core against the GCM specification's test cases 14 and 16 (McGrew and
    /// Viega, also in NIST's GCM validation vectors): AES-256, 96-bit IV, without and with AAD.
    @Test func aes256GCMKnownAnswers() {
        let cases: [(key: String, nonce: String, aad: String, plaintext: String, ciphertext: String, tag: String)] = [
            (
                String(repeating: "00", count: 32), String(repeating: "00", count: 12), "",
                String(repeating: "00", count: 16), "cea7403d4d606b6e074ec5d3baf39d18",
                "d0d1c8a799996bf0265b98b5d48ab919"
            ),
            (
                "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
                "feedfacedeadbeeffeedfacedeadbeefabaddad2",
                "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                    + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
                "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                    + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
                "76fc6ece0f4e1768cddf8853bb2d551b"
            ),
        ]
        let bytes = CryptoPrimitivesTests().bytes  // hex to bytes
        for vector in cases {
            let key = bytes(vector.key)
            let nonce = bytes(vector.nonce)
            let aad = bytes(vector.aad)
            let sealed = SecretBox.aes256GCMSeal(key: key, nonce: nonce, aad: aad, plaintext: bytes(vector.plaintext))
            #expect(Hex.encode(sealed.ciphertext) == vector.ciphertext)
            #expect(Hex.encode(sealed.tag) == vector.tag)
            let opened = SecretBox.aes256GCMOpen(
                key: key, nonce: nonce, aad: aad, ciphertext: bytes(vector.ciphertext), tag: bytes(vector.tag))
            #expect(opened.map(Hex.encode) == vector.plaintext)
        }
    }
}
