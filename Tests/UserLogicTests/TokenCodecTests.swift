import Testing

@testable import UserCore

@Suite struct TokenCodecTests {
    static let key = Array("0123456789abcdef0123456789abcdef".utf8)
    static let settings = TokenSettings(key: key, issuer: "https://auth.example", audience: "users-api", leeway: 10)
    static let now: Int64 = 1_800_000_000

    let codec = TokenCodec(settings: Self.settings)

    static let claims = TokenClaims(
        issuer: "https://auth.example", audience: "users-api", subject: "42", issuedAt: now, notBefore: now,
        expiresAt: now + 900, tokenID: "jti-1", type: .access, sessionID: "sid-1", role: "USER")

    /// The payload members of `claims` as JSON text fragments, for building variants.
    static let standardPayload: [String: String] = [
        "iss": #""https://auth.example""#, "aud": #""users-api""#, "sub": #""42""#, "iat": "\(now)",
        "nbf": "\(now)", "exp": "\(now + 900)", "jti": #""jti-1""#, "typ": #""access""#, "sid": #""sid-1""#,
        "role": #""USER""#,
    ]

    /// A token with the given header and payload text, signed with HS256 under `key`.
    func forge(header: String = #"{"alg":"HS256","typ":"JWT"}"#, payload: String, key: [UInt8] = Self.key) -> String {
        let input = Base64URL.encode(header.utf8) + "." + Base64URL.encode(payload.utf8)
        return input + "." + Base64URL.encode(HMACSHA256(key: key).authenticate(input.utf8))
    }

    /// The standard payload with members replaced (a nil value removes the member).
    func payload(_ changes: [String: String?] = [:]) -> String {
        var members = Self.standardPayload
        for (name, value) in changes { members[name] = value }
        let order = ["iss", "aud", "sub", "iat", "nbf", "exp", "jti", "typ", "sid", "role"]
        let names = order.filter { members[$0] != nil } + members.keys.filter { !order.contains($0) }.sorted()
        return "{" + names.map { "\"\($0)\":\(members[$0]!)" }.joined(separator: ",") + "}"
    }

    func verify(_ token: String, now: Int64 = Self.now) -> Result<TokenClaims, TokenError> {
        Result { () throws(TokenError) in try codec.verify(token, now: now) }
    }

    func error(_ token: String, now: Int64 = Self.now) -> TokenError? {
        if case .failure(let error) = verify(token, now: now) { return error }
        return nil
    }

    @Test func signThenVerifyRoundTrips() throws {
        let token = codec.sign(Self.claims)
        #expect(try codec.verify(token, now: Self.now) == Self.claims)
        var refresh = Self.claims
        refresh.type = .refresh
        refresh.role = "ADMIN"
        #expect(try codec.verify(codec.sign(refresh), now: Self.now + 899) == refresh)
        // Another codec with the same settings (another thread) accepts it too.
        #expect(try TokenCodec(settings: Self.settings).verify(token, now: Self.now) == Self.claims)
    }

    @Test func signedTokenHasTheFixedHeaderAndAllClaims() throws {
        let parts = codec.sign(Self.claims).split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        #expect(Base64URL.decode(parts[0]) == Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        #expect(Base64URL.decode(parts[1]) == Array(payload().utf8))
        #expect(Base64URL.decode(parts[2])?.count == 32)
    }

    @Test func sameClaimsSignedByHandInAnotherOrderVerify() throws {
        let header = #"{ "typ" : "JWT", "kid": "ignored", "alg": "HS256" }"#
        let body =
            #"{"role":"USER","sid":"sid-1","typ":"access","jti":"jti-1","exp":\#(Self.now + 900),"#
            + #""nbf":\#(Self.now),"iat":\#(Self.now),"sub":"42","aud":"users-api","iss":"https://auth.example"}"#
        #expect(try codec.verify(forge(header: header, payload: body), now: Self.now) == Self.claims)
        // No typ header at all is fine too.
        #expect(try codec.verify(forge(header: #"{"alg":"HS256"}"#, payload: payload()), now: Self.now) == Self.claims)
    }

    @Test func refusesOtherAlgorithms() {
        let body = payload()
        let unsigned = Base64URL.encode(#"{"alg":"none","typ":"JWT"}"#.utf8) + "." + Base64URL.encode(body.utf8) + "."
        #expect(error(unsigned) == .unsupportedAlgorithm)
        for header in [
            #"{"alg":"none"}"#, #"{"alg":"HS512"}"#, #"{"alg":"RS256"}"#, #"{"alg":"hs256"}"#, #"{"typ":"JWT"}"#,
            #"{"alg":null}"#, #"{"alg":["HS256"]}"#, #"{"alg":"HS256","crit":["exp"]}"#,
        ] {
            // Validly HS256-signed, yet refused on the header alone.
            #expect(error(forge(header: header, payload: body)) == .unsupportedAlgorithm, "\(header)")
        }
    }

    @Test func ignoresKeysNamedByTheHeader() {
        let other = Array("another key, 32 bytes long......".utf8)
        let header = #"{"alg":"HS256","kid":"other","jwk":{"kty":"oct","k":"\#(Base64URL.encode(other))"}}"#
        #expect(error(forge(header: header, payload: payload(), key: other)) == .badSignature)
    }

    @Test func refusesBadSignatures() {
        #expect(error(forge(payload: payload(), key: Array("0123456789abcdef0123456789abcdeF".utf8))) == .badSignature)

        let token = codec.sign(Self.claims)
        let parts = token.split(separator: ".").map(String.init)
        let tampered = parts[0] + "." + Base64URL.encode(payload(["role": #""ADMIN""#]).utf8) + "." + parts[2]
        #expect(error(tampered) == .badSignature)

        var signature = Base64URL.decode(parts[2])!
        signature[0] ^= 1
        #expect(error(parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)) == .badSignature)
        #expect(error(parts[0] + "." + parts[1] + "." + Base64URL.encode(signature.dropLast())) == .badSignature)
        #expect(error(parts[0] + "." + parts[1] + ".") == .badSignature)
        // A forged token is refused for its signature even when it is also expired.
        #expect(error(tampered, now: Self.now + 100_000) == .badSignature)
    }

    @Test func refusesMalformedTokens() {
        let token = codec.sign(Self.claims)
        let parts = token.split(separator: ".").map(String.init)
        let malformed = [
            "", ".", "..", "...", "abc", parts[0] + "." + parts[1], token + "." + parts[2], token + ".",
            "." + parts[1] + "." + parts[2], parts[0] + "==." + parts[1] + "." + parts[2],
            parts[0] + "." + parts[1] + "." + parts[2] + "=", token + " ", "Bearer " + token,
            forge(header: "not json", payload: payload()), forge(header: #"["HS256"]"#, payload: payload()),
            forge(header: #"{"alg":"HS256","alg":"none"}"#, payload: payload()),
            forge(payload: "not json"), forge(payload: #"["sub"]"#), forge(payload: ""),
            forge(payload: #"{"sub":"42"} x"#),
        ]
        for text in malformed {
            #expect(error(text) == .malformed, "\(text)")
        }
    }

    @Test func refusesNonCanonicalSignatureEncoding() {
        let parts = codec.sign(Self.claims).split(separator: ".").map(String.init)
        // 32 bytes → 43 characters; the last carries 2 unused bits. Setting them is another
        // spelling of the same bytes and must not verify.
        var last = Array(parts[2].utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let value = alphabet.firstIndex(of: last[last.count - 1])!
        last[last.count - 1] = alphabet[value | 1]
        #expect(error(parts[0] + "." + parts[1] + "." + String(decoding: last, as: UTF8.self)) == .malformed)
    }

    @Test func refusesOversizedTokens() {
        let big = forge(payload: payload(["pad": "\"" + String(repeating: "x", count: 6500) + "\""]))
        #expect(big.utf8.count > TokenCodec.maximumTokenLength)
        #expect(error(big) == .malformed)
        #expect(error(String(repeating: "a", count: 100_000)) == .malformed)
        let fits = forge(payload: payload(["pad": "\"" + String(repeating: "x", count: 5000) + "\""]))
        #expect(fits.utf8.count <= TokenCodec.maximumTokenLength)
        #expect(error(fits) == nil)
    }

    @Test func checksIssuerAndAudience() throws {
        #expect(error(forge(payload: payload(["iss": #""https://evil.example""#]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["iss": nil]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["aud": #""other-api""#]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["aud": nil]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["aud": #"["a","b"]"#]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["aud": "[]"]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["aud": "7"]))) == .malformed)
        #expect(error(forge(payload: payload(["iss": "7"]))) == .malformed)
        let array = forge(payload: payload(["aud": #"["other-api","users-api"]"#]))
        #expect(try codec.verify(array, now: Self.now) == Self.claims)
    }

    @Test func checksExpiryWithLeeway() throws {
        let token = codec.sign(Self.claims)  // exp = now + 900, leeway 10
        #expect(try codec.verify(token, now: Self.now + 900).expiresAt == Self.now + 900)
        #expect(try codec.verify(token, now: Self.now + 905).subject == "42")
        #expect(try codec.verify(token, now: Self.now + 910).subject == "42")
        #expect(error(token, now: Self.now + 911) == .expired)
        #expect(error(token, now: Int64.max) == .expired)
        // Expiry is checked last: a wrong issuer wins over expiry.
        #expect(error(forge(payload: payload(["iss": #""x""#])), now: Self.now + 10_000) == .invalidClaims)
    }

    @Test func checksNotBeforeAndIssuedAt() throws {
        let early = forge(payload: payload(["nbf": "\(Self.now + 60)"]))
        #expect(error(early) == .invalidClaims)
        #expect(error(early, now: Self.now + 49) == .invalidClaims)
        #expect(try codec.verify(early, now: Self.now + 50).notBefore == Self.now + 60)
        // Without nbf, iat stands in for it.
        let noNotBefore = forge(payload: payload(["nbf": nil, "iat": "\(Self.now + 11)"]))
        #expect(error(noNotBefore) == .invalidClaims)
        #expect(try codec.verify(noNotBefore, now: Self.now + 1).notBefore == Self.now + 11)
        #expect(error(forge(payload: payload(["iat": "\(Self.now + 3600)", "nbf": "\(Self.now)"]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["iat": nil]))) == .invalidClaims)
    }

    @Test func requiresANumericExpiry() throws {
        #expect(error(forge(payload: payload(["exp": nil]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["exp": #""\#(Self.now + 900)""#]))) == .malformed)
        #expect(error(forge(payload: payload(["exp": "null"]))) == .malformed)
        #expect(error(forge(payload: payload(["exp": "1e999"]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["exp": "1e300"]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["exp": "9223372036854775808"]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["nbf": "-1e19"]))) == .invalidClaims)
        let fractional = forge(payload: payload(["exp": "\(Self.now + 900).9", "iat": "\(Self.now).5"]))
        let claims = try codec.verify(fractional, now: Self.now)
        #expect(claims.expiresAt == Self.now + 900)
        #expect(claims.issuedAt == Self.now)
    }

    @Test func checksTypeAndIdentifiers() throws {
        #expect(error(forge(payload: payload(["typ": nil]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["typ": #""id""#]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["typ": #""Access""#]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["typ": "1"]))) == .malformed)
        #expect(try codec.verify(forge(payload: payload(["typ": #""refresh""#])), now: Self.now).type == .refresh)
        for name in ["sub", "jti", "sid"] {
            #expect(error(forge(payload: payload([name: nil]))) == .invalidClaims, "\(name)")
            #expect(error(forge(payload: payload([name: #""""#]))) == .invalidClaims, "\(name)")
            #expect(error(forge(payload: payload([name: "42"]))) == .malformed, "\(name)")
        }
        #expect(error(forge(payload: payload(["role": nil]))) == .invalidClaims)
        #expect(error(forge(payload: payload(["role": "true"]))) == .malformed)
    }

    @Test func readsEscapedClaimNamesAndRefusesDuplicates() throws {
        let escaped = payload().replacing(#""sub":"#, with: #""\u0073ub":"#)
        #expect(try codec.verify(forge(payload: escaped), now: Self.now) == Self.claims)
        let twice = payload().dropLast() + #","sub":"43"}"#
        #expect(error(forge(payload: String(twice))) == .malformed)
        let twiceEscaped = payload().dropLast() + #","\u0073ub":"43"}"#
        #expect(error(forge(payload: String(twiceEscaped))) == .malformed)
        let unknownTwice = payload(["scope": "1"]).dropLast() + #","scope":2}"#
        #expect(error(forge(payload: String(unknownTwice))) == .malformed)
    }

    @Test func ignoresUnknownClaims() throws {
        let extra = forge(payload: payload(["scope": #""everything""#, "admin": "true"]))
        #expect(try codec.verify(extra, now: Self.now) == Self.claims)
    }

    @Test func escapesClaimsWhenSigning() throws {
        var claims = Self.claims
        claims.subject = "quote\" backslash\\ newline\n é 😀"
        #expect(try codec.verify(codec.sign(claims), now: Self.now) == claims)
    }
}

/// The `amr` claim and the second-step token of two-factor sign-in (contract §2, §3 (v2)).
@Suite struct TokenCodecTwoFactorTests {
    let codec = TokenCodec(settings: TokenCodecTests.settings)
    let base = TokenCodecTests()
    static let now = TokenCodecTests.now

    @Test func amrIsSignedAndReadBack() throws {
        var claims = TokenCodecTests.claims
        claims.authenticationMethods = ["pwd", "otp"]
        #expect(try codec.verify(codec.sign(claims), now: Self.now).authenticationMethods == ["pwd", "otp"])
        // Tokens signed before amr existed have none; a malformed one is refused.
        #expect(try codec.verify(base.forge(payload: base.payload()), now: Self.now).authenticationMethods == [])
        for amr in [#""pwd""#, "[1]", "{}"] {
            #expect(throws: TokenError.malformed) {
                try codec.verify(base.forge(payload: base.payload(["amr": amr])), now: Self.now)
            }
        }
    }

    @Test func aChallengeIsGoodForTheSecondStepOnly() throws {
        let challenge = ChallengeClaims(subject: "42", tokenID: "jti-mfa", expiresAt: Self.now + 300)
        let token = codec.signChallenge(challenge, issuedAt: Self.now)
        #expect(try codec.verifyChallenge(token, now: Self.now + 299) == challenge)
        // Not an access or refresh token, and they are not challenges.
        #expect(throws: TokenError.invalidClaims) { try codec.verify(token, now: Self.now) }
        #expect(throws: TokenError.invalidClaims) {
            try codec.verifyChallenge(codec.sign(TokenCodecTests.claims), now: Self.now)
        }
        // Expiry (with the leeway), issuer, signature.
        #expect(throws: TokenError.expired) { try codec.verifyChallenge(token, now: Self.now + 311) }
        let other = TokenCodec(
            settings: TokenSettings(
                key: TokenCodecTests.key, issuer: "https://other.example", audience: "users-api", leeway: 10))
        #expect(throws: TokenError.invalidClaims) { try other.verifyChallenge(token, now: Self.now) }
        #expect(throws: TokenError.badSignature) { try codec.verifyChallenge(token + "A", now: Self.now) }
    }
}
