extension SQLStore {
    public func createSession(_ session: Session) throws {
        try change(
            SessionSQL.insert,
            [
                .text(session.id), .integer(session.userID), .integer(session.createdAt), .integer(session.lastUsedAt),
                .integer(session.expiresAt), .text(session.userAgent), .text(session.ip), .text(session.refreshTokenID),
            ])
    }

    public func session(id: String) throws -> Session? {
        try rows(SessionSQL.byID, [.text(id)]) { StoreRows.session($0) }.first
    }

    public func authenticationState(userID: Int64, sessionID: String, tokenID: String, now: Int64) throws
        -> AuthenticationState
    {
        let states = try rows(
            SessionSQL.authenticationState, [.integer(userID), .text(sessionID), .integer(now), .text(tokenID)]
        ) { row in
            AuthenticationState(
                user: StoreRows.user(row), sessionLive: row.bool(StoreRows.userColumnCount),
                tokenRevoked: row.bool(StoreRows.userColumnCount + 1))
        }
        return states.first ?? AuthenticationState(user: nil, sessionLive: false, tokenRevoked: false)
    }

    public func rotateRefreshToken(sessionID: String, expected: String, next: String, expiresAt: Int64, now: Int64)
        throws -> Bool
    {
        // Conditional on the expected jti: of two concurrent refreshes the second finds it
        // replaced (after waiting for the first's row lock on PostgreSQL) and changes nothing.
        try change(
            SessionSQL.rotateRefreshToken,
            [.text(next), .integer(now), .integer(expiresAt), .text(sessionID), .text(expected)]) == 1
    }

    @discardableResult
    public func revokeSession(id: String, userID: Int64, now: Int64) throws -> Bool {
        try change(SessionSQL.revokeOne, [.integer(now), .text(id), .integer(userID)]) == 1
    }

    public func revokeSessions(userID: Int64, keeping: String?, now: Int64) throws {
        try change(SessionSQL.revokeAllBut, [.integer(now), .integer(userID), .text(keeping)])
    }

    public func revokeAccessToken(tokenID: String, expiresAt: Int64) throws {
        try change(SessionSQL.revokeAccessToken, [.text(tokenID), .integer(expiresAt)])
    }

    public func liveSessions(userID: Int64, now: Int64) throws -> [Session] {
        try rows(SessionSQL.live, [.integer(userID), .integer(now)]) { StoreRows.session($0) }
    }

    public func purgeExpired(now: Int64, accessTokenLifetime: Int64) throws -> PurgeCounts {
        try transaction {
            PurgeCounts(
                revokedTokens: try change(SessionSQL.purgeRevokedTokens, [.integer(now)]),
                sessions: try change(SessionSQL.purgeSessions, [.integer(now), .integer(accessTokenLifetime)]),
                resetTokens: try change(SessionSQL.purgeResetTokens, [.integer(now)]),
                verificationTokens: try change(SessionSQL.purgeVerificationTokens, [.integer(now)]))
        }
    }
}

private enum SessionSQL {
    static let insert = SQL(
        """
        INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, user_agent, ip, refresh_jti)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """)
    static let byID = SQL("SELECT \(StoreRows.sessionColumns) FROM sessions WHERE id = $1")
    /// Every authenticated request runs it: the user, whether the session is live, whether
    /// the access token was revoked.
    static let authenticationState = SQL(
        """
        SELECT \(StoreRows.userColumns),
            EXISTS (SELECT 1 FROM sessions s
                    WHERE s.id = $2 AND s.user_id = users.id AND s.revoked_at IS NULL AND s.expires_at > $3),
            EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $4)
        FROM users WHERE id = $1
        """)
    static let rotateRefreshToken = SQL(
        """
        UPDATE sessions SET refresh_jti = $1, last_used_at = $2, expires_at = $3
        WHERE id = $4 AND refresh_jti = $5 AND revoked_at IS NULL AND expires_at > $2
        """)
    static let revokeOne = SQL(
        """
        UPDATE sessions SET revoked_at = $1
        WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL AND expires_at > $1
        """)
    /// The cast gives PostgreSQL the type of a NULL `keeping`.
    static let revokeAllBut = SQL(
        """
        UPDATE sessions SET revoked_at = $1
        WHERE user_id = $2 AND revoked_at IS NULL AND id IS DISTINCT FROM CAST($3 AS TEXT)
        """)
    static let revokeAccessToken = SQL(
        "INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING")
    static let live = SQL { dialect in
        """
        SELECT \(StoreRows.sessionColumns) FROM sessions
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
        ORDER BY created_at DESC, \(dialect.sessionInsertionOrder) DESC
        """
    }
    static let purgeRevokedTokens = SQL("DELETE FROM revoked_tokens WHERE expires_at < $1")
    /// A session matters until the last access token issued in it has expired.
    static let purgeSessions = SQL(
        """
        DELETE FROM sessions
        WHERE (revoked_at IS NOT NULL AND revoked_at + $2 < $1) OR expires_at + $2 < $1
        """)
    static let purgeResetTokens = SQL("DELETE FROM reset_tokens WHERE used_at IS NOT NULL OR expires_at <= $1")
    static let purgeVerificationTokens = SQL(
        "DELETE FROM verification_tokens WHERE used_at IS NOT NULL OR expires_at <= $1")
}
