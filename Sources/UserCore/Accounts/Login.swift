/// How a login names its account.
package enum LoginIdentifier: Sendable {
    /// Compared case-insensitively.
    case username(String)
    /// As typed; compared lower-cased.
    case email(String)
}

/// Why a login was refused; the account's id where one was found, for the audit log.
package enum LoginFailure: Error, Equatable {
    /// No account has this username or email (a dummy hash was checked all the same).
    case unknownUser
    /// The password is wrong. `lockedUntil` is set when this failure locked the account.
    case wrongPassword(userID: Int64, lockedUntil: Int64?)
    /// The account refused the login: locked (the password was not checked), or the password
    /// is right but the account is disabled or its address unverified.
    case refused(userID: Int64, AccountRefusal)
    /// The password is right and everything else allows the login, but the account has
    /// two-factor sign-in on: the login continues with `completeLogin`.
    case secondFactorRequired(userID: Int64)
}

/// Why an account refuses a login, at either step, whatever the credentials prove.
package enum AccountRefusal: Equatable {
    /// Locked until then: no credential was checked.
    case locked(until: Int64)
    /// The credentials are right but the account is disabled.
    case disabled
    /// The credentials are right, the account active, but its address is unverified under
    /// `EMAIL_VERIFICATION=required`.
    case emailNotVerified
}

/// A successful login: the user as stored after it, and its new session.
package struct LoggedIn {
    package let user: User
    package let session: Session
}

extension Accounts {
    /// Contract §3 Login with the v2 lockout rule (`reservedCheck`). A success resets the
    /// count, re-hashes an outdated hash (never one matched through bcrypt's 72-byte
    /// truncation, see `PasswordHasher.check`) and opens a session, in one transaction. Under
    /// `EMAIL_VERIFICATION=required` an unverified address is refused after the password and
    /// the disabled checks.
    package func logIn(_ identifier: LoginIdentifier, password: String, from origin: SessionOrigin) throws -> LoggedIn {
        guard let user = try account(identifier) else {
            passwords.verifyAgainstDummy(password)
            throw LoginFailure.unknownUser
        }
        let outdated: Bool
        let reservationLock: Int64?
        switch try reservedCheck(password, of: user) {
        case .gone:
            passwords.verifyAgainstDummy(password)
            throw LoginFailure.unknownUser
        case .locked(let until):
            throw LoginFailure.refused(userID: user.id, .locked(until: until))
        case .wrong(let lockedUntil):
            throw LoginFailure.wrongPassword(userID: user.id, lockedUntil: lockedUntil)
        case .right(let isOutdated, let lockedUntil):
            outdated = isOutdated
            reservationLock = lockedUntil
        }
        if let refusal = try stateRefusal(of: user) { throw LoginFailure.refused(userID: user.id, refusal) }
        // Hashed before the transaction: the write lock is not held for a hash's time.
        let rehashed = outdated ? try passwords.hash(password) : nil
        if user.mfaEnabled {
            // Contract §3: the right password neither counts as a failure nor resets the count;
            // nothing about the login is recorded until the second step.
            try store.transaction {
                try store.releaseLoginAttempt(userID: user.id, lockedUntil: reservationLock)
                if let rehashed { try store.updatePasswordHash(userID: user.id, hash: rehashed, now: now) }
            }
            throw LoginFailure.secondFactorRequired(userID: user.id)
        }
        return try store.transaction {
            if let rehashed { try store.updatePasswordHash(userID: user.id, hash: rehashed, now: now) }
            return try recordLogin(of: user.id, from: origin, ifGone: LoginFailure.unknownUser)
        }
    }

    /// Why an account whose credentials are right may still not log in: disabled, or an
    /// unverified address under `EMAIL_VERIFICATION=required`. The right credential is no
    /// failure: its reservation must not count, nor leave the account locked once it is
    /// enabled or verified, so a refusal clears the count as a successful login would, without
    /// `last_login_at` (nobody logged in).
    func stateRefusal(of user: User) throws -> AccountRefusal? {
        let refusal: AccountRefusal? =
            if !user.active {
                .disabled
            } else if !user.emailVerified && rules.emailVerification == .required {
                .emailNotVerified
            } else { nil }
        if refusal != nil { _ = try store.unlockUser(id: user.id) }
        return refusal
    }

    /// A login's success, inside the caller's transaction: the count reset, `last_login_at`,
    /// a new session; `gone` is thrown when the account was deleted meanwhile.
    func recordLogin(of userID: Int64, from origin: SessionOrigin, ifGone gone: any Error) throws -> LoggedIn {
        try store.recordSuccessfulLogin(userID: userID, now: now)
        let session = try openSession(for: userID, from: origin)
        guard let stored = try store.user(id: userID) else { throw gone }
        return LoggedIn(user: stored, session: session)
    }

    /// The account a login names. No stored username or email holds U+0000; a database
    /// driver could cut the text there and find another account, so such a name finds nobody.
    private func account(_ identifier: LoginIdentifier) throws -> User? {
        switch identifier {
        case .username(let username):
            username.contains("\u{0}") ? nil : try store.user(username: username)
        case .email(let email):
            email.contains("\u{0}") ? nil : try store.user(email: FieldRules.normalizedEmail(email))
        }
    }
}
