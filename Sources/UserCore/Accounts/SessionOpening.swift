/// Where a login came from, kept with its session for the session list.
package struct SessionOrigin: Sendable {
    var userAgent: String?
    var ip: String?

    package init(userAgent: String?, ip: String?) {
        self.userAgent = userAgent
        self.ip = ip
    }
}

extension Accounts {
    /// Writes a new session for `userID`, with its first refresh-token id; the HTTP layer signs
    /// the token pair from it.
    func openSession(for userID: Int64, from origin: SessionOrigin) throws -> Session {
        let session = Session(
            id: Session.newIdentifier(), userID: userID, createdAt: now, lastUsedAt: now,
            expiresAt: now + rules.sessionLifetime, userAgent: origin.userAgent, ip: origin.ip,
            refreshTokenID: Session.newIdentifier(), revokedAt: nil)
        try store.createSession(session)
        return session
    }
}

extension Session {
    /// 128 random bits, URL-safe: session ids and token ids.
    package static func newIdentifier() -> String {
        SecureRandom.token(byteCount: 16)
    }
}
