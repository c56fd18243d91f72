extension SQLStore {
    public func replaceResetToken(userID: Int64, tokenHash: String, now: Int64, expiresAt: Int64) throws {
        try transaction {
            try change(ResetTokenSQL.deleteForUser, [.integer(userID)])
            try change(ResetTokenSQL.insert, [.text(tokenHash), .integer(userID), .integer(now), .integer(expiresAt)])
        }
    }

    public func voidResetTokens(userID: Int64) throws {
        try change(ResetTokenSQL.deleteForUser, [.integer(userID)])
    }

    public func resetTokenOwner(tokenHash: String, now: Int64) throws -> User? {
        try rows(ResetTokenSQL.owner, [.text(tokenHash), .integer(now)]) { StoreRows.user($0) }.first
    }

    public func consumeResetToken(tokenHash: String, now: Int64) throws -> Int64? {
        // Conditional UPDATE: of two concurrent uses only the first finds the token unused.
        try rows(ResetTokenSQL.consume, [.text(tokenHash), .integer(now)]) { $0.integer(0) }.first
    }
}

private enum ResetTokenSQL {
    static let deleteForUser = SQL("DELETE FROM reset_tokens WHERE user_id = $1")
    static let insert = SQL(
        "INSERT INTO reset_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
    static let owner = SQL(
        """
        SELECT \(StoreRows.userColumns) FROM users
        WHERE id = (SELECT user_id FROM reset_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2)
        """)
    static let consume = SQL(
        """
        UPDATE reset_tokens SET used_at = $2
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
        RETURNING user_id
        """)
}
