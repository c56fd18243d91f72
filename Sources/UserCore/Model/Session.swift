/// A login session: the family of one refresh-token chain and the access tokens issued in it.
public struct Session: Sendable, Equatable {
    public var id: String
    public var userID: Int64
    public var createdAt: Int64
    public var lastUsedAt: Int64
    public var expiresAt: Int64
    public var userAgent: String?
    public var ip: String?
    /// The `jti` of the one refresh token that may still be used.
    public var refreshTokenID: String
    public var revokedAt: Int64?

    public func isLive(at now: Int64) -> Bool {
        revokedAt == nil && expiresAt > now
    }

    /// The contract's session object; `current` marks the caller's own session.
    package func json(current: Bool) -> JSONValue {
        .object([
            "id": .string(id),
            "created_at": .string(Timestamp.rfc3339(createdAt)),
            "last_used_at": .string(Timestamp.rfc3339(lastUsedAt)),
            "expires_at": .string(Timestamp.rfc3339(expiresAt)),
            "user_agent": .string(userAgent),
            "ip": .string(ip),
            "current": .bool(current),
        ])
    }
}
