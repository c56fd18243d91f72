extension SQLStore {
    public func replaceVerificationToken(userID: Int64, email: String, tokenHash: String, now: Int64, expiresAt: Int64)
        throws
    {
        try transaction {
            try change(VerificationTokenSQL.deleteForUser, [.integer(userID)])
            try change(
                VerificationTokenSQL.insert,
                [.text(tokenHash), .integer(userID), .text(email), .integer(now), .integer(expiresAt)])
        }
    }

    public func voidVerificationTokens(userID: Int64) throws {
        try change(VerificationTokenSQL.deleteForUser, [.integer(userID)])
    }

    public func consumeVerificationToken(tokenHash: String, now: Int64) throws -> User? {
        try transaction {
            // Conditional UPDATE: of two concurrent uses only the first finds the token unused.
            guard
                let userID = try rows(
                    VerificationTokenSQL.consume, [.text(tokenHash), .integer(now)], { $0.integer(0) }
                )
                .first
            else { return nil }
            return try rows(VerificationTokenSQL.markVerified, [.integer(now), .integer(userID)]) { StoreRows.user($0) }
                .first
        }
    }
}

private enum VerificationTokenSQL {
    static let deleteForUser = SQL("DELETE FROM verification_tokens WHERE user_id = $1")
    static let insert = SQL(
        """
        INSERT INTO verification_tokens (token_hash, user_id, email, created_at, expires_at)
        VALUES ($1, $2, $3, $4, $5)
        """)
    /// Usable: unused, unexpired, mailed to the address the user still has, and the user active.
    static let consume = SQL(
        """
        UPDATE verification_tokens SET used_at = $2
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
            AND EXISTS (
                SELECT 1 FROM users
                WHERE users.id = verification_tokens.user_id AND users.email = verification_tokens.email
                    AND users.active = TRUE)
        RETURNING user_id
        """)
    static let markVerified = SQL(
        """
        UPDATE users SET email_verified = TRUE, updated_at = $1 WHERE id = $2
        RETURNING \(StoreRows.userColumns)
        """)
}
