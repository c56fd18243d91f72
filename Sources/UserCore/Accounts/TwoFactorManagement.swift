extension Accounts {
    /// Turns `user`'s two-factor sign-in off after checking the current password like a
    /// login's (a wrong one counts toward the lockout). Returns the user as stored.
    package func disableTOTP(of user: User, currentPassword: String) throws -> User {
        guard user.mfaEnabled else { throw TwoFactorFailure.notEnabled }
        try checkCurrentPassword(currentPassword, of: user)
        guard let updated = try store.removeTOTP(userID: user.id, now: now) else {
            throw CurrentPasswordFailure.accountGone
        }
        return updated
    }

    /// Replaces `user`'s recovery codes after checking the current password; the new codes,
    /// shown once.
    package func renewRecoveryCodes(of user: User, currentPassword: String) throws -> [String] {
        guard user.mfaEnabled else { throw TwoFactorFailure.notEnabled }
        try checkCurrentPassword(currentPassword, of: user)
        let codes = RecoveryCodes.generate()
        let hashes = try passwords.hashBatch(codes)
        try store.transaction {
            // Turned off meanwhile: codes without a secret would be no second factor.
            guard try store.user(id: user.id)?.mfaEnabled == true else { throw TwoFactorFailure.notEnabled }
            try store.replaceRecoveryCodes(userID: user.id, hashes: hashes)
        }
        return codes
    }

    /// Turns two-factor sign-in off for user `id` without a password (an admin, the
    /// operator's `users reset-mfa`): after `authorize` sees the stored user. Returns the
    /// user before and after; a user without it is left as it is.
    package func removeTOTP(ofUser id: Int64, authorize: (User) throws -> Void = { _ in }) throws
        -> AdministeredUpdate
    {
        try store.transaction {
            guard let target = try store.user(id: id) else { throw AdministrationFailure.userNotFound }
            try authorize(target)
            guard target.mfaEnabled else { return AdministeredUpdate(before: target, after: target) }
            guard let updated = try store.removeTOTP(userID: id, now: now) else {
                throw AdministrationFailure.userNotFound
            }
            return AdministeredUpdate(before: target, after: updated)
        }
    }
}
