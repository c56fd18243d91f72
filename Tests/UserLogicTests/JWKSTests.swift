import Testing

@testable import UserCore
@testable import UserLogic

/// `GET /.well-known/jwks.json` and the tokens of a service that signs with EdDSA or ES256.
@Suite struct JWKSTests {
    @Test(arguments: StoreKind.allCases)
    func emptyUnderHS256AndCacheable(_ kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        let response = fixture.call("GET", "/.well-known/jwks.json")
        #expect(response.status == .ok)
        #expect(response.bodyText == #"{"keys":[]}"#)
        #expect(response.headers.filter { $0.name == "Cache-Control" }.map(\.value) == ["public, max-age=300"])
        #expect(response.header("Content-Type") == "application/json")
        // Every other answer stays no-store.
        #expect(fixture.call("GET", "/api/health").header("Cache-Control") == "no-store")
    }

    @Test(arguments: StoreKind.allCases, [JWTAlgorithm.edDSA, .es256])
    func listsTheKeysThatSignAndVerifyTheServicesTokens(_ kind: StoreKind, _ algorithm: JWTAlgorithm) throws {
        let old = SigningKey.generate(algorithm)
        let current = SigningKey.generate(algorithm)
        let fixture = try ServiceFixture(kind) { configuration in
            configuration.tokens = TokenSettings(
                signingKey: current, previousKeys: [try! #require(SigningKey.publicKey(pem: old.publicKeyPEM))],
                issuer: "test-issuer", audience: "test-audience", leeway: 10)
        }
        let response = fixture.call("GET", "/.well-known/jwks.json")
        #expect(response.json == .object(["keys": .array([.object(current.publicJWK), .object(old.publicJWK)])]))
        #expect(fixture.register("ada").status == .created)
        let tokens = try fixture.tokens("ada")
        let header = try #require(Base64URL.decode(tokens.access.split(separator: ".")[0]))
        #expect(String(decoding: header, as: UTF8.self).hasSuffix(#""kid":"\#(current.keyID)"}"#))
        #expect(fixture.call("GET", "/api/auth/whoami", token: tokens.access).status == .ok)
        #expect(fixture.call("POST", "/api/auth/refresh", token: tokens.refresh).status == .ok)
        // A token of the same user and claims signed by a key the service doesn't know.
        let stranger = TokenCodec(
            settings: TokenSettings(
                signingKey: SigningKey.generate(algorithm), issuer: "test-issuer", audience: "test-audience", leeway: 10
            ))
        let claims = try fixture.thread.tokens.verify(tokens.access, now: fixture.clock.now)
        let refused = fixture.call("GET", "/api/auth/whoami", token: stranger.sign(claims))
        #expect(refused.status == .unauthorized && refused.problemCode == "token_invalid")
    }
}
