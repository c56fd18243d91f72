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
        switch try reservedCheck(password, of: user) {
        case .gone: throw CurrentPasswordFailure.accountGone
        case .locked(let until): throw CurrentPasswordFailure.locked(until: until)
        case .wrong(let lockedUntil): throw CurrentPasswordFailure.incorrect(lockedUntil: lockedUntil)
        case .right: _ = try store.unlockUser(id: user.id)
        }
    }
}

/// What a password check under the lockout found (`Accounts.reservedCheck`).
enum ReservedCheck {
    /// The account was deleted since it was read: no password was checked.
    case gone
    /// The account is locked until then: no password was checked.
    case locked(until: Int64)
    /// The password is wrong; `lockedUntil` is set when this attempt locked the account.
    case wrong(lockedUntil: Int64?)
    /// The password is right; its reservation still counts until the caller clears or
    /// releases it. `lockedUntil` is set when that reservation locked the account.
    case right(outdated: Bool, lockedUntil: Int64?)
}

extension Accounts {
    /// The lockout rule of every password check (login, current password; contract §5,
    /// Security (v2)): the attempt is reserved (counted as a failure in advance) before the
    /// password is checked, so of any number of simultaneous attempts at most
    /// `lockoutThreshold` check it.
    func reservedCheck(_ password: String, of user: User) throws -> ReservedCheck {
        switch try store.reserveLoginAttempt(
            userID: user.id, threshold: rules.lockoutThreshold, lockSeconds: rules.lockoutSeconds, now: now)
        {
        case nil: return .gone
        case .locked(let until): return .locked(until: until)
        case .granted(let lockedUntil):
            guard case .right(let outdated) = passwords.check(password, against: user.passwordHash) else {
                return .wrong(lockedUntil: lockedUntil)
            }
            return .right(outdated: outdated, lockedUntil: lockedUntil)
        }
    }
}
