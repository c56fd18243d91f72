import Testing

@testable import UserCore

/// Fixed keys with published or independently computed values: RFC 8037's Ed25519 key, and a
/// P-256 key whose thumbprint and coordinates Python's `cryptography` and `joserfc` computed.
enum TestKeys {
    /// RFC 8037 Appendix A.1 as PKCS#8.
    static let ed25519PEM = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
        -----END PRIVATE KEY-----

        """
    static let ed25519PublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
        -----END PUBLIC KEY-----

        """
    static let p256PEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjpsQnnGQmL+YBIff
        H1136cspYG6+0iY7X5fCE9+E9LKhRANCAAQ9bVAfgYygHpQVjeGeS68eKLIdX/ds
        Vv0EC07WsB5JXYL4ChwzQGtvbASRU0fPCKSHjLxUEVBYjOqSgSyP0X3X
        -----END PRIVATE KEY-----

        """
    static let p256PublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEPW1QH4GMoB6UFY3hnkuvHiiyHV/3
        bFb9BAtO1rAeSV2C+AocM0Brb2wEkVNHzwikh4y8VBFQWIzqkoEsj9F91w==
        -----END PUBLIC KEY-----

        """
    static let ed25519 = SigningKey.privateKey(pem: ed25519PEM)!
    static let p256 = SigningKey.privateKey(pem: p256PEM)!
}

@Suite struct SigningKeyTests {
    @Test func ed25519MatchesRFC8037() throws {
        let key = TestKeys.ed25519
        #expect(key.algorithm == .edDSA && key.isPrivate)
        // RFC 8037 A.2 (the public key) and A.3 (its RFC 7638 thumbprint).
        #expect(key.publicMembers.map(\.value) == ["Ed25519", "OKP", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"])
        #expect(key.keyID == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
        // RFC 8037 A.4: Ed25519 is deterministic, so the signature is the published one.
        let signature = SignatureContext().sign(
            "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc".utf8, with: key)
        #expect(
            Base64URL.encode(signature)
                == "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg")
    }

    @Test func p256ThumbprintAndJWK() throws {
        let key = TestKeys.p256
        #expect(key.algorithm == .es256)
        #expect(key.keyID == "1cOKsbxizakCeypbrX0aN3xB7oWT4ZBtY5OaOWgEGDE")
        #expect(
            JSONWriter.encode(.object(key.publicJWK))
                == Array(
                    (#"{"kty":"EC","crv":"P-256","x":"PW1QH4GMoB6UFY3hnkuvHiiyHV_3bFb9BAtO1rAeSV0","#
                        + #""y":"gvgKHDNAa29sBJFTR88IpIeMvFQRUFiM6pKBLI_Rfdc","kid":"1cOKsbxizakCeypbrX0aN3xB7oWT4ZBtY5OaOWgEGDE","#
                        + #""alg":"ES256","use":"sig"}"#).utf8))
    }

    @Test func publicAndPrivatePEMsAreNotInterchangeable() throws {
        #expect(SigningKey.privateKey(pem: TestKeys.ed25519PublicPEM) == nil)
        #expect(SigningKey.publicKey(pem: TestKeys.ed25519PEM) == nil)
        #expect(SigningKey.privateKey(pem: "not a key") == nil)
        let publicKey = try #require(SigningKey.publicKey(pem: TestKeys.p256PublicPEM))
        #expect(!publicKey.isPrivate && publicKey.keyID == TestKeys.p256.keyID)
        #expect(TestKeys.p256.publicKeyPEM == TestKeys.p256PublicPEM)
        #expect(TestKeys.ed25519.publicKeyPEM == TestKeys.ed25519PublicPEM)
    }

    @Test(arguments: [JWTAlgorithm.edDSA, .es256])
    func generatedKeysRoundTripThroughPEM(_ algorithm: JWTAlgorithm) throws {
        let key = SigningKey.generate(algorithm)
        #expect(key.algorithm == algorithm && key.isPrivate)
        #expect(key.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let reread = try #require(SigningKey.privateKey(pem: key.privateKeyPEM))
        #expect(reread.keyID == key.keyID)
        #expect(SigningKey.publicKey(pem: key.publicKeyPEM)?.keyID == key.keyID)
        #expect(SigningKey.generate(algorithm).keyID != key.keyID)
    }

    /// One context serves every key of a thread in any order: a refresh verifies with an old
    /// public key, then signs with the current private key.
    @Test(arguments: [JWTAlgorithm.edDSA, .es256])
    func oneContextSwitchesKeys(_ algorithm: JWTAlgorithm) throws {
        let old = SigningKey.generate(algorithm)
        let oldPublic = try #require(SigningKey.publicKey(pem: old.publicKeyPEM))
        let current = SigningKey.generate(algorithm)
        let message = Array("header.payload".utf8)
        let context = SignatureContext()
        let byOld = SignatureContext().sign(message, with: old)
        for _ in 0..<3 {
            #expect(message.withUnsafeBytes { context.verify(byOld, of: $0, with: oldPublic) })
            let byCurrent = context.sign(message, with: current)
            #expect(message.withUnsafeBytes { context.verify(byCurrent, of: $0, with: current) })
            #expect(!message.withUnsafeBytes { context.verify(byCurrent, of: $0, with: oldPublic) })
        }
    }

    @Test func es256SignaturesAreRawRAndS() throws {
        let message = Array("header.payload".utf8)
        let context = SignatureContext()
        let signature = context.sign(message, with: TestKeys.p256)
        #expect(signature.count == 64)
        let verified = message.withUnsafeBytes { context.verify(signature, of: $0, with: TestKeys.p256) }
        #expect(verified)
        let der = DER.signature(signature)
        let derVerified = message.withUnsafeBytes { context.verify(der, of: $0, with: TestKeys.p256) }
        #expect(!derVerified)
    }
}

/// DER encodings for the tests that check a DER signature is refused.
enum DER {
    /// `SEQUENCE { INTEGER r, INTEGER s }` of a raw 64-byte ECDSA signature.
    static func signature(_ raw: [UInt8]) -> [UInt8] {
        func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
            var value = Array(bytes.drop { $0 == 0 })
            if value.first.map({ $0 >= 0x80 }) ?? true { value.insert(0, at: 0) }
            return [0x02, UInt8(value.count)] + value
        }
        let body = integer(raw[..<32]) + integer(raw[32...])
        return [0x30, UInt8(body.count)] + body
    }
}
