/// Why a request's `current_password` was refused.
package enum CurrentPasswordFailure: Error, Equatable {
    /// The password is wrong. `lockedUntil` is set when this failure locked the account.
    case incorrect(lockedUntil: Int64?)
    /// The account is locked until then: no password was checked.
    case locked(until: Int64)
    /// The account was deleted since the request was authenticated.
    case accountGone
}

extension Accounts {
    /// Checks `password` as `user`'s current one (password change, own email change) like a
    /// login's password (contract §5, Security (v2)): the attempt is reserved first, so a wrong
    /// one counts toward the lockout and a locked account checks none. The right one clears
    /// the count as a login would, without `last_login_at`: nobody logged in.
    package func checkCurrentPassword(_ password: String, of user: User) throws {
        switch try store.reserveLoginAttempt(
            userID: user.id, threshold: rules.lockoutThreshold, lockSeconds: rules.lockoutSeconds, now: now)
        {
        case nil:
            throw CurrentPasswordFailure.accountGone
        case .locked(let until):
            throw CurrentPasswordFailure.locked(until: until)
        case .granted(let lockedUntil):
            guard passwords.check(password, against: user.passwordHash) != .wrong else {
                throw CurrentPasswordFailure.incorrect(lockedUntil: lockedUntil)
            }
        }
        _ = try store.unlockUser(id: user.id)
    }
}
