extension SQLStore {
    public func totpSecret(userID: Int64) throws -> StoredTOTPSecret? {
        try rows(TwoFactorSQL.secret, [.integer(userID)]) { row in
            StoredTOTPSecret(sealed: row.text(0), confirmed: !row.isNull(1), lastUsedStep: row.optionalInteger(2))
        }.first
    }

    public func replacePendingTOTPSecret(userID: Int64, sealed: String, now: Int64) throws -> Bool {
        try change(TwoFactorSQL.replacePending, [.integer(userID), .text(sealed), .integer(now)]) == 1
    }

    public func confirmTOTPSecret(userID: Int64, sealed: String, step: Int64, recoveryCodeHashes: [String], now: Int64)
        throws -> User?
    {
        try transaction {
            // Conditional on the pending secret: a replacement or a second confirm meanwhile
            // leaves nothing to confirm.
            guard
                try change(TwoFactorSQL.confirm, [.integer(now), .integer(step), .integer(userID), .text(sealed)]) == 1
            else { return nil }
            try replaceRecoveryCodes(userID: userID, hashes: recoveryCodeHashes)
            return try rows(TwoFactorSQL.setEnabled, [.bool(true), .integer(now), .integer(userID)]) {
                StoreRows.user($0)
            }.first
        }
    }

    public func useTOTPStep(userID: Int64, step: Int64) throws -> Bool {
        try change(TwoFactorSQL.useStep, [.integer(step), .integer(userID)]) == 1
    }

    public func unusedRecoveryCodeHashes(userID: Int64) throws -> [String] {
        try rows(TwoFactorSQL.unusedCodes, [.integer(userID)]) { $0.text(0) }
    }

    public func useRecoveryCode(userID: Int64, codeHash: String, now: Int64) throws -> Bool {
        try change(TwoFactorSQL.useCode, [.integer(now), .integer(userID), .text(codeHash)]) == 1
    }

    public func replaceRecoveryCodes(userID: Int64, hashes: [String]) throws {
        try transaction {
            try change(TwoFactorSQL.deleteCodes, [.integer(userID)])
            for hash in hashes { try change(TwoFactorSQL.insertCode, [.integer(userID), .text(hash)]) }
        }
    }

    public func removeTOTP(userID: Int64, now: Int64) throws -> User? {
        try transaction {
            try change(TwoFactorSQL.deleteSecret, [.integer(userID)])
            try change(TwoFactorSQL.deleteCodes, [.integer(userID)])
            return try rows(TwoFactorSQL.setEnabled, [.bool(false), .integer(now), .integer(userID)]) {
                StoreRows.user($0)
            }.first
        }
    }

    public func sealedTOTPSecrets() throws -> [(userID: Int64, sealed: String)] {
        try rows(TwoFactorSQL.allSecrets, []) { (userID: $0.integer(0), sealed: $0.text(1)) }
    }

    public func resealTOTPSecret(userID: Int64, expected: String, sealed: String) throws -> Bool {
        try change(TwoFactorSQL.reseal, [.text(sealed), .integer(userID), .text(expected)]) == 1
    }

    public func useChallenge(tokenID: String, expiresAt: Int64) throws -> Bool {
        try change(TwoFactorSQL.useChallenge, [.text(tokenID), .integer(expiresAt)]) == 1
    }

    public func isChallengeUsed(tokenID: String) throws -> Bool {
        try rows(TwoFactorSQL.challengeUsed, [.text(tokenID)]) { _ in true }.first ?? false
    }
}

private enum TwoFactorSQL {
    static let secret = SQL(
        "SELECT sealed_secret, confirmed_at, last_used_step FROM totp_secrets WHERE user_id = $1")
    /// Inserts, or replaces a pending secret; a confirmed one stays (no row changes).
    static let replacePending = SQL(
        """
        INSERT INTO totp_secrets (user_id, sealed_secret, created_at) VALUES ($1, $2, $3)
        ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, created_at = excluded.created_at,
            last_used_step = NULL
        WHERE totp_secrets.confirmed_at IS NULL
        """)
    static let confirm = SQL(
        """
        UPDATE totp_secrets SET confirmed_at = $1, last_used_step = $2
        WHERE user_id = $3 AND sealed_secret = $4 AND confirmed_at IS NULL
        """)
    static let setEnabled = SQL(
        """
        UPDATE users SET mfa_enabled = $1, updated_at = $2 WHERE id = $3
        RETURNING \(StoreRows.userColumns)
        """)
    static let useStep = SQL(
        """
        UPDATE totp_secrets SET last_used_step = $1
        WHERE user_id = $2 AND confirmed_at IS NOT NULL AND (last_used_step IS NULL OR last_used_step < $1)
        """)
    static let unusedCodes = SQL("SELECT code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
    static let useCode = SQL(
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
    static let deleteCodes = SQL("DELETE FROM recovery_codes WHERE user_id = $1")
    static let insertCode = SQL("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
    static let deleteSecret = SQL("DELETE FROM totp_secrets WHERE user_id = $1")
    static let allSecrets = SQL("SELECT user_id, sealed_secret FROM totp_secrets ORDER BY user_id")
    static let reseal = SQL(
        "UPDATE totp_secrets SET sealed_secret = $1 WHERE user_id = $2 AND sealed_secret = $3")
    /// Used second-step token ids share the revoked-token list: same lifetime rule, same purge.
    static let useChallenge = SQL(
        "INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING")
    static let challengeUsed = SQL("SELECT 1 FROM revoked_tokens WHERE jti = $1")
}
