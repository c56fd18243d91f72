extension SQLiteStore {
    public func replaceResetToken(userID: Int64, tokenHash: String, now: Int64, expiresAt: Int64) throws {
        try transaction {
            try connection.run("DELETE FROM reset_tokens WHERE user_id = ?", [.integer(userID)])
            try connection.run(
                "INSERT INTO reset_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                [.text(tokenHash), .integer(userID), .integer(now), .integer(expiresAt)])
        }
    }

    public func resetTokenOwner(tokenHash: String, now: Int64) throws -> User? {
        try guarded {
            try connection.query(
                """
                SELECT \(Self.userColumns) FROM users
                WHERE id = (SELECT user_id FROM reset_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?)
                """,
                [.text(tokenHash), .integer(now)]
            ) { Self.user($0) }.first
        }
    }

    public func consumeResetToken(tokenHash: String, now: Int64) throws -> Int64? {
        try guarded {
            try connection.query(
                """
                UPDATE reset_tokens SET used_at = ?2
                WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2
                RETURNING user_id
                """,
                [.text(tokenHash), .integer(now)]
            ) { $0.integer(0) }.first
        }
    }
}
