/// Why a password change was refused.
/// (A refused `current_password` is a `CurrentPasswordFailure`.)
package enum PasswordChangeFailure: Error, Equatable {
    /// The presenting session ended meanwhile: nothing was changed.
    case sessionEnded
}

/// A changed password: the user as stored after it, and the presenting session's new
/// refresh-token id.
package struct PasswordChange {
    package let user: User
    package let refreshTokenID: String
}

extension Accounts {
    /// Contract §3 password change: `current` must be `user`'s password; the new hash
    /// replaces it, every other session is revoked, reset tokens are voided (contract §5,
    /// Security (v2)), and the presenting session's refresh token is rotated out (presenting
    /// the old one is reuse), in one transaction.
    ///
    /// `current` is checked by `checkCurrentPassword`: a wrong one counts toward the lockout.
    package func changePassword(of user: User, current: String, to next: String, keeping sessionID: String) throws
        -> PasswordChange
    {
        try checkCurrentPassword(current, of: user)
        let hash = try passwords.hash(next)
        let refreshTokenID = Session.newIdentifier()
        return try store.transaction {
            // The right current password has cleared any lockout already.
            try replacePassword(of: user.id, with: hash, keeping: sessionID)
            guard let session = try store.session(id: sessionID),
                try store.rotateRefreshToken(
                    sessionID: sessionID, expected: session.refreshTokenID, next: refreshTokenID,
                    expiresAt: now + rules.sessionLifetime, now: now),
                let stored = try store.user(id: user.id)
            else { throw PasswordChangeFailure.sessionEnded }
            return PasswordChange(user: stored, refreshTokenID: refreshTokenID)
        }
    }
}
