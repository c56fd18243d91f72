extension SQLiteStore {
    static let sessionColumns =
        "id, user_id, created_at, last_used_at, expires_at, user_agent, ip, refresh_jti, revoked_at"

    static func session(_ row: SQLiteRow) -> Session {
        Session(
            id: row.text(0),
            userID: row.integer(1),
            createdAt: row.integer(2),
            lastUsedAt: row.integer(3),
            expiresAt: row.integer(4),
            userAgent: row.optionalText(5),
            ip: row.optionalText(6),
            refreshTokenID: row.text(7),
            revokedAt: row.optionalInteger(8)
        )
    }

    public func createSession(_ session: Session) throws {
        try guarded {
            try connection.run(
                """
                INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, user_agent, ip, refresh_jti)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(session.id), .integer(session.userID), .integer(session.createdAt),
                    .integer(session.lastUsedAt),
                    .integer(session.expiresAt), .text(session.userAgent), .text(session.ip),
                    .text(session.refreshTokenID),
                ])
        }
    }

    public func session(id: String) throws -> Session? {
        try guarded {
            try connection.query("SELECT \(Self.sessionColumns) FROM sessions WHERE id = ?", [.text(id)]) {
                Self.session($0)
            }.first
        }
    }

    /// Built once: every authenticated request runs it.
    private static let authenticationStateSQL = """
        SELECT \(userColumns),
            EXISTS (SELECT 1 FROM sessions s
                    WHERE s.id = ?2 AND s.user_id = users.id AND s.revoked_at IS NULL AND s.expires_at > ?3),
            EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?4)
        FROM users WHERE id = ?1
        """

    public func authenticationState(userID: Int64, sessionID: String, tokenID: String, now: Int64) throws
        -> AuthenticationState
    {
        try guarded {
            let rows = try connection.query(
                Self.authenticationStateSQL, [.integer(userID), .text(sessionID), .integer(now), .text(tokenID)]
            ) { row in
                AuthenticationState(
                    user: Self.user(row), sessionLive: row.integer(13) != 0, tokenRevoked: row.integer(14) != 0)
            }
            return rows.first ?? AuthenticationState(user: nil, sessionLive: false, tokenRevoked: false)
        }
    }

    public func rotateRefreshToken(sessionID: String, expected: String, next: String, expiresAt: Int64, now: Int64)
        throws
        -> Bool
    {
        try guarded {
            try connection.run(
                """
                UPDATE sessions SET refresh_jti = ?1, last_used_at = ?2, expires_at = ?3
                WHERE id = ?4 AND refresh_jti = ?5 AND revoked_at IS NULL AND expires_at > ?2
                """,
                [.text(next), .integer(now), .integer(expiresAt), .text(sessionID), .text(expected)]) == 1
        }
    }

    @discardableResult
    public func revokeSession(id: String, userID: Int64, now: Int64) throws -> Bool {
        try guarded {
            try connection.run(
                "UPDATE sessions SET revoked_at = ?1 WHERE id = ?2 AND user_id = ?3 AND revoked_at IS NULL AND expires_at > ?1",
                [.integer(now), .text(id), .integer(userID)]) == 1
        }
    }

    public func revokeSessions(userID: Int64, keeping: String?, now: Int64) throws {
        try guarded {
            try connection.run(
                "UPDATE sessions SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL AND id IS NOT ?3",
                [.integer(now), .integer(userID), .text(keeping)])
        }
    }

    public func revokeAccessToken(tokenID: String, expiresAt: Int64) throws {
        try guarded {
            try connection.run(
                "INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)",
                [.text(tokenID), .integer(expiresAt)])
        }
    }

    public func liveSessions(userID: Int64, now: Int64) throws -> [Session] {
        try guarded {
            try connection.query(
                """
                SELECT \(Self.sessionColumns) FROM sessions
                WHERE user_id = ?1 AND revoked_at IS NULL AND expires_at > ?2
                ORDER BY created_at DESC, rowid DESC
                """,
                [.integer(userID), .integer(now)]
            ) { Self.session($0) }
        }
    }

    public func purgeExpired(now: Int64, accessTokenLifetime: Int64) throws -> PurgeCounts {
        try transaction {
            let tokens = try connection.run("DELETE FROM revoked_tokens WHERE expires_at < ?", [.integer(now)])
            // A session matters until the last access token issued in it has expired.
            let sessions = try connection.run(
                """
                DELETE FROM sessions
                WHERE (revoked_at IS NOT NULL AND revoked_at + ?2 < ?1) OR expires_at + ?2 < ?1
                """,
                [.integer(now), .integer(accessTokenLifetime)])
            let resetTokens = try connection.run(
                "DELETE FROM reset_tokens WHERE used_at IS NOT NULL OR expires_at <= ?", [.integer(now)])
            return PurgeCounts(revokedTokens: tokens, sessions: sessions, resetTokens: resetTokens)
        }
    }
}
