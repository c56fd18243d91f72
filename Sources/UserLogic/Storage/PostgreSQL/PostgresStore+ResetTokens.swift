extension PostgresStore {
    public func replaceResetToken(userID: Int64, tokenHash: String, now: Int64, expiresAt: Int64) throws {
        try transaction {
            try guarded { connection in
                try connection.run("DELETE FROM reset_tokens WHERE user_id = $1", [.integer(userID)])
                try connection.run(
                    "INSERT INTO reset_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                    [.text(tokenHash), .integer(userID), .integer(now), .integer(expiresAt)])
            }
        }
    }

    public func resetTokenOwner(tokenHash: String, now: Int64) throws -> User? {
        try guarded {
            try $0.query(
                """
                SELECT \(Self.userColumns) FROM users
                WHERE id = (SELECT user_id FROM reset_tokens
                            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2)
                """,
                [.text(tokenHash), .integer(now)]
            ) { Self.user($0) }.first
        }
    }

    public func consumeResetToken(tokenHash: String, now: Int64) throws -> Int64? {
        // Conditional UPDATE: of two concurrent uses only the first finds the token unused.
        try guarded {
            try $0.query(
                """
                UPDATE reset_tokens SET used_at = $2
                WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
                RETURNING user_id
                """,
                [.text(tokenHash), .integer(now)]
            ) { $0.integer(0) }.first
        }
    }
}
