/// Signs and verifies JWTs (JWS compact serialisation) for one thread: HS256, EdDSA or ES256,
/// as `TokenSettings` says.
///
/// Follows RFC 8725: the configured keys fix the algorithm and the token's header never
/// chooses it; `jwk`, `jku` and `x5u` are ignored, and `kid` only picks one of the configured
/// keys (EdDSA, ES256; HS256 ignores it). Verification runs in a fixed order: length → three
/// parts → header `alg` (and `kid`) → signature (constant time for HS256) → payload → claims →
/// expiry, so a forged token learns nothing about the claim checks. A header byte-for-byte
/// like the ones we sign needs no parsing. Not thread-safe (owns an `HMACSHA256` or a
/// `SignatureContext`): make one per thread from the shared `TokenSettings`.
public final class TokenCodec {
    /// Longer tokens are refused before any work; ours are about 400 bytes.
    public static let maximumTokenLength = 8192

    /// How this thread signs: HS256's MAC context, or the EVP context of the asymmetric keys
    /// and the key that signs.
    private enum Signer {
        case hmac(HMACSHA256)
        case keys(SignatureContext, signingKey: SigningKey)
    }

    public let settings: TokenSettings
    private let signer: Signer
    /// `settings.keys.first`: the key a header like ours (`encodedHeader`) names; nil under HS256.
    private var signingKey: SigningKey? {
        guard case .keys(_, let key) = signer else { return nil }
        return key
    }
    /// base64url of the header we sign: `{"alg":"HS256","typ":"JWT"}`, or with the signing
    /// key's `alg` and `kid`.
    let encodedHeader: String
    /// The same as bytes: every token we sign starts with them, and such a header needs no parsing.
    private let encodedHeaderBytes: [UInt8]

    public init(settings: TokenSettings) {
        self.settings = settings
        if let signingKey = settings.keys.first {
            signer = .keys(SignatureContext(), signingKey: signingKey)
            encodedHeader = Base64URL.encode(
                #"{"alg":"\#(settings.algorithm.rawValue)","typ":"JWT","kid":"\#(signingKey.keyID)"}"#.utf8)
        } else {
            signer = .hmac(HMACSHA256(key: settings.key))
            encodedHeader = Base64URL.encode(#"{"alg":"HS256","typ":"JWT"}"#.utf8)
        }
        encodedHeaderBytes = Array(encodedHeader.utf8)
    }

    public func sign(_ claims: TokenClaims) -> String {
        var payload: JSONObject = [
            "iss": .string(claims.issuer),
            "aud": .string(claims.audience),
            "sub": .string(claims.subject),
            "iat": .number(Double(claims.issuedAt)),
            "nbf": .number(Double(claims.notBefore)),
            "exp": .number(Double(claims.expiresAt)),
            "jti": .string(claims.tokenID),
            "typ": .string(claims.type.rawValue),
            "sid": .string(claims.sessionID),
            "role": .string(claims.role),
        ]
        if !claims.authenticationMethods.isEmpty {
            payload.append("amr", .array(claims.authenticationMethods.map { .string($0) }))
        }
        return sign(payload)
    }

    /// A second-step token (typ `mfa`): `sub`, `jti`, `exp` and the usual `iss`, `aud`,
    /// `iat`, `nbf`; no session, no role, so no endpoint but the second step takes it.
    public func signChallenge(_ claims: ChallengeClaims, issuedAt: Int64) -> String {
        sign([
            "iss": .string(settings.issuer),
            "aud": .string(settings.audience),
            "sub": .string(claims.subject),
            "iat": .number(Double(issuedAt)),
            "nbf": .number(Double(issuedAt)),
            "exp": .number(Double(claims.expiresAt)),
            "jti": .string(claims.tokenID),
            "typ": .string(Self.challengeType),
        ])
    }

    /// The `typ` of a second-step token; `verify` refuses it as an unknown type.
    static let challengeType = "mfa"

    private func sign(_ payload: JSONObject) -> String {
        let signingInput = encodedHeader + "." + Base64URL.encode(JSONWriter.encode(.object(payload)))
        let signature =
            switch signer {
            case .hmac(let mac): mac.authenticate(signingInput.utf8)
            case .keys(let context, let signingKey): context.sign(signingInput.utf8, with: signingKey)
            }
        return signingInput + "." + Base64URL.encode(signature)
    }

    public func verify(_ token: String, now: Int64) throws(TokenError) -> TokenClaims {
        try Self.withBytes(of: token) { bytes throws(TokenError) in try verify(bytes, now: now) }
    }

    /// Verifies a second-step token (typ `mfa`) like `verify` does the others; a token of
    /// another type is `invalidClaims`.
    public func verifyChallenge(_ token: String, now: Int64) throws(TokenError) -> ChallengeClaims {
        try Self.withBytes(of: token) { bytes throws(TokenError) in
            let payload = try verifiedPayload(bytes)
            let dates = try validDates(in: payload, now: now)
            guard try Self.string(payload.typ) == Self.challengeType,
                let subject = try Self.string(payload.sub), !subject.isEmpty,
                let tokenID = try Self.string(payload.jti), !tokenID.isEmpty
            else { throw .invalidClaims }
            try checkExpiry(dates.expiresAt, now: now)
            return ChallengeClaims(subject: subject, tokenID: tokenID, expiresAt: dates.expiresAt)
        }
    }

    private static func withBytes<T>(
        of token: String, _ body: (UnsafeBufferPointer<UInt8>) throws(TokenError) -> T
    ) throws(TokenError) -> T {
        var token = token
        token.makeContiguousUTF8()  // a no-op for native strings
        let result = token.utf8.withContiguousStorageIfAvailable { bytes in
            Result { () throws(TokenError) in try body(bytes) }
        }
        guard let result else { throw .malformed }
        return try result.get()
    }

    /// Verifies a token given as its UTF-8 bytes, e.g. in place in an `Authorization` header.
    package func verify(_ bytes: UnsafeBufferPointer<UInt8>, now: Int64) throws(TokenError) -> TokenClaims {
        try claims(in: try verifiedPayload(bytes), now: now)
    }

    /// The payload of a token whose form, header and signature are right; its claims are
    /// still to be checked.
    private func verifiedPayload(_ bytes: UnsafeBufferPointer<UInt8>) throws(TokenError) -> Payload {
        guard bytes.count <= Self.maximumTokenLength,
            let firstDot = bytes.firstIndex(of: UInt8(ascii: ".")),
            let secondDot = bytes[(firstDot + 1)...].firstIndex(of: UInt8(ascii: ".")),
            !bytes[(secondDot + 1)...].contains(UInt8(ascii: "."))
        else { throw .malformed }

        // The signing key (nil under HS256) unless the header names another.
        var key = signingKey
        if !bytes[..<firstDot].elementsEqual(encodedHeaderBytes) {
            key = try verificationKey(header: Self.decodeObject(bytes[..<firstDot]))
        }

        guard let signature = Base64URL.decode(buffer: UnsafeBufferPointer(rebasing: bytes[(secondDot + 1)...])) else {
            throw .malformed
        }
        let signingInput = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[..<secondDot]))
        switch signer {
        case .hmac(let mac):
            guard ConstantTime.equals(mac.authenticate(signingInput), signature) else { throw .badSignature }
        case .keys(let context, _):
            guard let key, context.verify(signature, of: signingInput, with: key) else { throw .badSignature }
        }

        guard let payload = Base64URL.decode(buffer: UnsafeBufferPointer(rebasing: bytes[(firstDot + 1)..<secondDot]))
        else { throw .malformed }
        return try Payload(json: payload)
    }

    /// The configured key a header other than ours asks for, after checking its `alg` and
    /// `crit`: under HS256 nil (the MAC key), under EdDSA and ES256 the key whose thumbprint is
    /// its `kid`. A missing or unknown `kid` is a signature no configured key made.
    private func verificationKey(header: JSONObject) throws(TokenError) -> SigningKey? {
        guard header["alg"] == .string(settings.algorithm.rawValue) else { throw .unsupportedAlgorithm }
        // RFC 7515 §4.1.11: extensions listed in `crit` must be understood; we know none.
        guard header["crit"] == nil else { throw .unsupportedAlgorithm }
        guard settings.algorithm != .hs256 else { return nil }
        guard case .string(let keyID) = header["kid"], let key = settings.keys.first(where: { $0.keyID == keyID })
        else { throw .badSignature }
        return key
    }

    /// Validates the payload of a correctly signed access or refresh token.
    private func claims(in payload: Payload, now: Int64) throws(TokenError) -> TokenClaims {
        let (issuedAt, notBefore, expiresAt) = try validDates(in: payload, now: now)
        guard let typ = try Self.string(payload.typ), let type = TokenType(rawValue: typ) else {
            throw .invalidClaims
        }
        guard let subject = try Self.string(payload.sub), !subject.isEmpty,
            let tokenID = try Self.string(payload.jti), !tokenID.isEmpty,
            let sessionID = try Self.string(payload.sid), !sessionID.isEmpty,
            let role = try Self.string(payload.role)
        else { throw .invalidClaims }
        let methods = try Self.strings(payload.amr)
        try checkExpiry(expiresAt, now: now)

        return TokenClaims(
            issuer: settings.issuer, audience: settings.audience, subject: subject, issuedAt: issuedAt,
            notBefore: notBefore, expiresAt: expiresAt, tokenID: tokenID, type: type, sessionID: sessionID,
            role: role, authenticationMethods: methods)
    }

    /// The time, issuer and audience claims every token of ours has, checked; `exp` is only
    /// read here: expiry is checked last (`checkExpiry`).
    private func validDates(in payload: Payload, now: Int64) throws(TokenError) -> (
        issuedAt: Int64, notBefore: Int64, expiresAt: Int64
    ) {
        let leeway = settings.leeway
        let latestStart = now.addingReportingOverflow(leeway).overflow ? Int64.max : now + leeway

        guard let expiresAt = try Self.date(payload.exp) else { throw .invalidClaims }
        guard let issuedAt = try Self.date(payload.iat), issuedAt <= latestStart else { throw .invalidClaims }
        let notBefore = try Self.date(payload.nbf) ?? issuedAt
        guard notBefore <= latestStart else { throw .invalidClaims }

        guard try Self.string(payload.iss) == settings.issuer else { throw .invalidClaims }
        guard try audienceMatches(payload.aud) else { throw .invalidClaims }
        return (issuedAt, notBefore, expiresAt)
    }

    private func checkExpiry(_ expiresAt: Int64, now: Int64) throws(TokenError) {
        let (expiryEnd, overflow) = expiresAt.addingReportingOverflow(settings.leeway)
        if !overflow && expiryEnd < now { throw .expired }
    }

    /// The registered and private claims we read, as they appear in the payload; any other
    /// member is parsed (it must be valid JSON) and ignored.
    private struct Payload {
        var iss, aud, sub, iat, nbf, exp, jti, typ, sid, role, amr: JSONValue?

        private init() {}

        /// One pass over the decoded payload, matching names on their bytes: this runs on
        /// every authenticated request.
        init(json: [UInt8]) throws(TokenError) {
            var payload = Payload()
            do {
                try JSONParser.forEachMember(in: json) { name, value in
                    switch name.count {
                    case 3:
                        let key =
                            UInt32(name[name.startIndex]) << 16 | UInt32(name[name.startIndex + 1]) << 8
                            | UInt32(name[name.startIndex + 2])
                        switch key {
                        case Self.key("iss"): payload.iss = value
                        case Self.key("aud"): payload.aud = value
                        case Self.key("sub"): payload.sub = value
                        case Self.key("iat"): payload.iat = value
                        case Self.key("nbf"): payload.nbf = value
                        case Self.key("exp"): payload.exp = value
                        case Self.key("jti"): payload.jti = value
                        case Self.key("typ"): payload.typ = value
                        case Self.key("sid"): payload.sid = value
                        case Self.key("amr"): payload.amr = value
                        default: break
                        }
                    case 4 where name.elementsEqual("role".utf8):
                        payload.role = value
                    default:
                        break
                    }
                }
            } catch {
                throw .malformed
            }
            self = payload
        }

        private static func key(_ name: StaticString) -> UInt32 {
            name.withUTF8Buffer { UInt32($0[0]) << 16 | UInt32($0[1]) << 8 | UInt32($0[2]) }
        }
    }

    /// RFC 7519 §4.1.3: a string, or an array of strings containing ours.
    private func audienceMatches(_ value: JSONValue?) throws(TokenError) -> Bool {
        switch value {
        case nil: return false
        case .string(let audience): return audience == settings.audience
        case .array(let elements):
            var found = false
            for element in elements {
                guard case .string(let audience) = element else { throw .malformed }
                if audience == settings.audience { found = true }
            }
            return found
        default: throw .malformed
        }
    }

    private static func decodeObject(_ part: Slice<UnsafeBufferPointer<UInt8>>) throws(TokenError) -> JSONObject {
        guard let json = Base64URL.decode(buffer: UnsafeBufferPointer(rebasing: part)),
            case .object(let object) = try? JSONParser.parse(json)
        else { throw .malformed }
        return object
    }

    /// A string claim; nil when absent.
    private static func string(_ value: JSONValue?) throws(TokenError) -> String? {
        switch value {
        case nil: return nil
        case .string(let text): return text
        default: throw .malformed
        }
    }

    /// An array-of-strings claim; empty when absent.
    private static func strings(_ value: JSONValue?) throws(TokenError) -> [String] {
        switch value {
        case nil: return []
        case .array(let elements):
            return try elements.map { element throws(TokenError) in
                guard case .string(let text) = element else { throw .malformed }
                return text
            }
        default: throw .malformed
        }
    }

    /// A NumericDate claim (RFC 7519 §2) truncated to whole seconds; nil when absent.
    private static func date(_ value: JSONValue?) throws(TokenError) -> Int64? {
        switch value {
        case nil: return nil
        case .number(let value):
            // 2^63 is exact as a Double; Double(Int64.max) would round up to it.
            guard value.isFinite, value >= -0x1p63, value < 0x1p63 else { throw .invalidClaims }
            return Int64(value.rounded(.towardZero))
        default: throw .malformed
        }
    }
}
