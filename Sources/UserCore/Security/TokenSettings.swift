/// Token settings shared read-only by all threads.
public struct TokenSettings: Sendable {
    /// RFC 7518 §3.2: an HS256 key has at least 256 bits. The contract asks the same of
    /// `JWT_SECRET_KEY`; configuration checks it and reports a readable error.
    public static let minimumKeyLength = 32

    /// `JWT_ALGORITHM`: fixed by the keys, never by a token's header.
    public let algorithm: JWTAlgorithm
    /// The HMAC key under HS256; empty under EdDSA and ES256.
    public let key: [UInt8]
    /// Under EdDSA and ES256, the signing key first, then the older public keys that still
    /// verify (`JWT_PUBLIC_KEY_FILES`), each of `algorithm`, no `kid` twice; empty under HS256.
    public let keys: [SigningKey]
    public let issuer: String
    public let audience: String
    /// Seconds of clock skew tolerated for `exp`, `nbf` and `iat`.
    public let leeway: Int64

    /// HS256 with `key`. A key shorter than `minimumKeyLength` is a programming error
    /// (configuration refuses it).
    public init(key: [UInt8], issuer: String, audience: String, leeway: Int64) {
        precondition(
            key.count >= Self.minimumKeyLength, "TokenSettings: key shorter than \(Self.minimumKeyLength) bytes")
        self.init(algorithm: .hs256, key: key, keys: [], issuer: issuer, audience: audience, leeway: leeway)
    }

    /// EdDSA or ES256 (the signing key's algorithm), signing with `signingKey`; `previousKeys`
    /// only verify. Keys of another algorithm, or a public signing key, are a programming error
    /// (configuration refuses them); a key listed twice is kept once.
    public init(
        signingKey: SigningKey, previousKeys: [SigningKey] = [], issuer: String, audience: String, leeway: Int64
    ) {
        precondition(signingKey.isPrivate, "TokenSettings: the signing key must be private")
        precondition(
            previousKeys.allSatisfy { $0.algorithm == signingKey.algorithm }, "TokenSettings: keys of two algorithms")
        var keys = [signingKey]
        for key in previousKeys where !keys.contains(where: { $0.keyID == key.keyID }) { keys.append(key) }
        self.init(
            algorithm: signingKey.algorithm, key: [], keys: keys, issuer: issuer, audience: audience, leeway: leeway)
    }

    private init(
        algorithm: JWTAlgorithm, key: [UInt8], keys: [SigningKey], issuer: String, audience: String, leeway: Int64
    ) {
        precondition(leeway >= 0, "TokenSettings: negative leeway")
        self.algorithm = algorithm
        self.key = key
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
    }

    /// The public keys as a JWKS document (RFC 7517 §5), the signing key first; `{"keys": []}`
    /// under HS256.
    public var jwks: JSONValue {
        .object(["keys": .array(keys.map { .object($0.publicJWK) })])
    }
}
