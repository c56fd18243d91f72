/// Why a password reset was refused: its token was used, replaced or expired meanwhile, or
/// belongs to another account than the one it was looked up for.
package enum PasswordResetFailure: Error, Equatable {
    case tokenInvalid
}

extension Accounts {
    /// Contract §3 reset: `tokenHash` (looked up for `user`) is consumed and `password`
    /// replaces the old one with a reset's effects, in one transaction. The caller checks the
    /// field rules, `too_similar` included.
    package func resetPassword(of user: User, consuming tokenHash: String, to password: String) throws {
        let hash = try passwords.hash(password)
        try store.transaction {
            guard try store.consumeResetToken(tokenHash: tokenHash, now: now) == user.id else {
                throw PasswordResetFailure.tokenInvalid
            }
            try replacePassword(of: user.id, with: hash, keeping: nil)
        }
    }

    /// What every new password does to the account, inside the caller's transaction: the hash
    /// replaced, reset tokens voided (contract §5, Security (v2)), every session but `keeping`
    /// revoked, and a lockout cleared.
    func replacePassword(of userID: Int64, with hash: String, keeping sessionID: String?) throws {
        try store.updatePasswordHash(userID: userID, hash: hash, now: now)
        try store.voidResetTokens(userID: userID)
        try store.revokeSessions(userID: userID, keeping: sessionID, now: now)
        _ = try store.unlockUser(id: userID)
    }
}
