/// Token settings shared read-only by all threads.
public struct TokenSettings: Sendable {
    /// RFC 7518 §3.2: an HS256 key has at least 256 bits. The contract asks the same of
    /// `JWT_SECRET_KEY`; configuration checks it and reports a readable error.
    public static let minimumKeyLength = 32

    /// The HMAC key; it alone fixes the algorithm (HS256).
    public let key: [UInt8]
    public let issuer: String
    public let audience: String
    /// Seconds of clock skew tolerated for `exp`, `nbf` and `iat`.
    public let leeway: Int64

    /// A key shorter than `minimumKeyLength` is a programming error (configuration refuses it).
    public init(key: [UInt8], issuer: String, audience: String, leeway: Int64) {
        precondition(
            key.count >= Self.minimumKeyLength, "TokenSettings: key shorter than \(Self.minimumKeyLength) bytes")
        precondition(leeway >= 0, "TokenSettings: negative leeway")
        self.key = key
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
    }
}
