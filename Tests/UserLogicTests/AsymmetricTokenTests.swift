import Testing

@testable import UserCore

/// `TokenCodec` under EdDSA and ES256: the header's `alg` and `kid`, the keys a rotation keeps,
/// and the forgeries RFC 8725 warns about.
@Suite struct AsymmetricTokenTests {
    static let now: Int64 = 1_800_000_000
    static let claims = TokenClaims(
        issuer: "iss", audience: "aud", subject: "42", issuedAt: now, notBefore: now, expiresAt: now + 900,
        tokenID: "jti-1", type: .access, sessionID: "sid-1", role: "USER", authenticationMethods: ["pwd"])
    static let payload =
        #"{"iss":"iss","aud":"aud","sub":"42","iat":1800000000,"nbf":1800000000,"exp":1800000900,"#
        + #""jti":"jti-1","typ":"access","sid":"sid-1","role":"USER","amr":["pwd"]}"#

    static func key(_ algorithm: JWTAlgorithm) -> SigningKey {
        algorithm == .edDSA ? TestKeys.ed25519 : TestKeys.p256
    }

    static func codec(_ key: SigningKey, previous: [SigningKey] = []) -> TokenCodec {
        TokenCodec(
            settings: TokenSettings(signingKey: key, previousKeys: previous, issuer: "iss", audience: "aud", leeway: 10)
        )
    }

    /// A token with `header` and `payload`, signed by `key`, or with `signature` as given.
    static func forge(header: String, payload: String = payload, key: SigningKey, signature: [UInt8]? = nil)
        -> String
    {
        let input = Base64URL.encode(header.utf8) + "." + Base64URL.encode(payload.utf8)
        return input + "." + Base64URL.encode(signature ?? SignatureContext().sign(input.utf8, with: key))
    }

    static func header(_ key: SigningKey) -> String {
        #"{"alg":"\#(key.algorithm.rawValue)","typ":"JWT","kid":"\#(key.keyID)"}"#
    }

    static func error(_ token: String, _ codec: TokenCodec) -> TokenError? {
        do {
            _ = try codec.verify(token, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [JWTAlgorithm.edDSA, .es256])
    func roundTripsWithTheKidInTheHeader(_ algorithm: JWTAlgorithm) throws {
        let key = Self.key(algorithm)
        let codec = Self.codec(key)
        let token = codec.sign(Self.claims)
        let parts = token.split(separator: ".")
        #expect(Base64URL.decode(parts[0]) == Array(Self.header(key).utf8))
        #expect(Base64URL.decode(parts[2])?.count == 64)
        #expect(try codec.verify(token, now: Self.now) == Self.claims)
        #expect(try Self.codec(key).verify(token, now: Self.now) == Self.claims)
        // The header parsed rather than matched byte for byte: members in another order.
        let reordered = Self.forge(header: #"{"kid":"\#(key.keyID)","alg":"\#(algorithm.rawValue)"}"#, key: key)
        #expect(try codec.verify(reordered, now: Self.now) == Self.claims)
        // The second-step token is signed the same way.
        let challenge = ChallengeClaims(subject: "42", tokenID: "c-1", expiresAt: Self.now + 300)
        let signed = codec.signChallenge(challenge, issuedAt: Self.now)
        #expect(signed.hasPrefix(codec.encodedHeader + "."))
        #expect(try codec.verifyChallenge(signed, now: Self.now) == challenge)
    }

    @Test(arguments: [JWTAlgorithm.edDSA, .es256])
    func anOldKeyVerifiesWhileListedAndNotOnceDropped(_ algorithm: JWTAlgorithm) throws {
        let old = SigningKey.generate(algorithm)
        let new = SigningKey.generate(algorithm)
        let oldToken = Self.codec(old).sign(Self.claims)
        let rotated = Self.codec(new, previous: [old])
        #expect(try rotated.verify(oldToken, now: Self.now) == Self.claims)
        #expect(rotated.sign(Self.claims).hasPrefix(Base64URL.encode(Self.header(new).utf8) + "."))
        #expect(rotated.settings.keys.map(\.keyID) == [new.keyID, old.keyID])
        #expect(Self.error(oldToken, Self.codec(new)) == .badSignature)
        // A public key listed twice, or the signing key listed again, is one key.
        let publicOld = try #require(SigningKey.publicKey(pem: old.publicKeyPEM))
        #expect(Self.codec(new, previous: [old, publicOld, new]).settings.keys.count == 2)
    }

    @Test(arguments: [JWTAlgorithm.edDSA, .es256])
    func anotherAlgorithmIsRefused(_ algorithm: JWTAlgorithm) throws {
        let key = Self.key(algorithm)
        let codec = Self.codec(key)
        let other: JWTAlgorithm = algorithm == .edDSA ? .es256 : .edDSA
        let otherKey = Self.key(other)
        // A token of the other algorithm, with its own kid, or claiming ours.
        #expect(Self.error(Self.codec(otherKey).sign(Self.claims), codec) == .unsupportedAlgorithm)
        // Our alg with the other key's kid: no configured key has it.
        let wrongKid = #"{"alg":"\#(algorithm.rawValue)","typ":"JWT","kid":"\#(otherKey.keyID)"}"#
        #expect(Self.error(Self.forge(header: wrongKid, key: key), codec) == .badSignature)
        // alg none with an empty signature.
        let none =
            Base64URL.encode(#"{"alg":"none","typ":"JWT","kid":"\#(key.keyID)"}"#.utf8) + "."
            + Base64URL.encode(Self.payload.utf8) + "."
        #expect(Self.error(none, codec) == .unsupportedAlgorithm)
        // The classic confusion: HS256 with the public key's PEM as the HMAC secret.
        let input =
            Base64URL.encode(#"{"alg":"HS256","typ":"JWT","kid":"\#(key.keyID)"}"#.utf8) + "."
            + Base64URL.encode(Self.payload.utf8)
        let confused =
            input + "." + Base64URL.encode(HMACSHA256(key: Array(key.publicKeyPEM.utf8)).authenticate(input.utf8))
        #expect(Self.error(confused, codec) == .unsupportedAlgorithm)
        // And an HS256 codec doesn't take our tokens either.
        let hs256 = TokenCodec(
            settings: TokenSettings(key: Array(key.publicKeyPEM.utf8), issuer: "iss", audience: "aud", leeway: 10))
        #expect(Self.error(codec.sign(Self.claims), hs256) == .unsupportedAlgorithm)
    }

    @Test(arguments: [JWTAlgorithm.edDSA, .es256])
    func forgedHeadersAndSignaturesAreRefused(_ algorithm: JWTAlgorithm) throws {
        let key = Self.key(algorithm)
        let codec = Self.codec(key)
        let attacker = SigningKey.generate(algorithm)
        // No kid.
        #expect(
            Self.error(Self.forge(header: #"{"alg":"\#(algorithm.rawValue)","typ":"JWT"}"#, key: key), codec)
                == .badSignature)
        // The attacker's key in `jwk`, its kid in `kid`: keys come from the configuration only.
        let embedded =
            #"{"alg":"\#(algorithm.rawValue)","kid":"\#(attacker.keyID)","jwk":"#
            + String(decoding: JSONWriter.encode(.object(attacker.publicJWK)), as: UTF8.self) + "}"
        #expect(Self.error(Self.forge(header: embedded, key: attacker), codec) == .badSignature)
        // Our kid, signed by the attacker.
        #expect(Self.error(Self.forge(header: Self.header(key), key: attacker), codec) == .badSignature)
        // `crit` is refused even when the signature is right.
        let critical = #"{"alg":"\#(algorithm.rawValue)","kid":"\#(key.keyID)","crit":["exp"],"exp":1}"#
        #expect(Self.error(Self.forge(header: critical, key: key), codec) == .unsupportedAlgorithm)
        // A tampered payload.
        let token = codec.sign(Self.claims)
        var parts = token.split(separator: ".").map(String.init)
        parts[1] = Base64URL.encode(Self.payload.split(separator: "USER").joined(separator: "ADMIN").utf8)
        #expect(Self.error(parts.joined(separator: "."), codec) == .badSignature)
        // A signature cut short or lengthened.
        let signature = try #require(Base64URL.decode(token.split(separator: ".")[2]))
        for wrong in [Array(signature.dropLast()), signature + [0]] {
            #expect(
                Self.error(Self.forge(header: Self.header(key), key: key, signature: wrong), codec) == .badSignature)
        }
    }

    @Test func aDERSignatureIsRefused() throws {
        let codec = Self.codec(TestKeys.p256)
        let token = codec.sign(Self.claims)
        let parts = token.split(separator: ".")
        let raw = try #require(Base64URL.decode(parts[2]))
        let der = parts[0] + "." + parts[1] + "." + Base64URL.encode(DER.signature(raw))
        #expect(Self.error(String(der), codec) == .badSignature)
        #expect(Self.error(token, codec) == nil)
    }

    @Test func theJWKSListsTheSigningKeyFirst() throws {
        let old = try #require(SigningKey.publicKey(pem: TestKeys.ed25519PublicPEM))
        let settings = TokenSettings(
            signingKey: SigningKey.generate(.edDSA), previousKeys: [old], issuer: "i", audience: "a", leeway: 0)
        guard case .object(let jwks) = settings.jwks, case .array(let keys) = jwks["keys"] else {
            Issue.record("not a JWKS")
            return
        }
        #expect(keys == settings.keys.map { .object($0.publicJWK) })
        #expect(keys.last == .object(old.publicJWK) && keys.count == 2)
        let hs256 = TokenSettings(key: Array(repeating: 1, count: 32), issuer: "i", audience: "a", leeway: 0)
        #expect(JSONWriter.encode(hs256.jwks) == Array(#"{"keys":[]}"#.utf8))
    }
}
