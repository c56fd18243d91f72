/// The service's persistence, one instance per worker thread. `SQLStore` implements it on
/// SQLite (one host) and PostgreSQL (several hosts); handlers see only this protocol.
///
/// Methods that must be atomic across threads and processes (lockout counting, refresh
/// rotation, uniqueness) are single operations here, so every implementation makes them so.
public protocol Store: AnyObject {
    /// Throws when the database can't be read right now.
    func checkHealth() throws

    // MARK: Users

    /// Inserts a user; throws `StoreError.usernameTaken` / `.emailTaken` (checked in that
    /// order) when either is in use, compared case-insensitively.
    func createUser(_ user: NewUser) throws -> User
    func user(id: Int64) throws -> User?
    /// Case-insensitive.
    func user(username: String) throws -> User?
    /// `email` must already be lower-cased.
    func user(email: String) throws -> User?
    func updatePasswordHash(userID: Int64, hash: String, now: Int64) throws

    /// Reserves one password check for a login-like attempt (contract §5, Security (v2)): unless the
    /// account is locked at `now`, counts a failure in advance — a lock that has expired starts the
    /// count again at 1 — and locks the account for `lockSeconds` when the count reaches `threshold`.
    /// One statement, so of any number of simultaneous attempts at most `threshold` are granted.
    /// Nil when there is no such user.
    func reserveLoginAttempt(userID: Int64, threshold: Int, lockSeconds: Int64, now: Int64) throws
        -> LoginAttemptReservation?
    /// Takes back one reservation of a check that was no failure and no login (a right
    /// password before the second factor): the count goes down by one, and the lock goes if it
    /// is still the one that reservation set (`lockedUntil`).
    func releaseLoginAttempt(userID: Int64, lockedUntil: Int64?) throws
    /// Resets the failure count, clears any lock (the caller's own reservation may have set it) and
    /// sets `last_login_at`.
    func recordSuccessfulLogin(userID: Int64, now: Int64) throws

    // MARK: Administration

    /// One page of users matching `query`, and how many match in all.
    func listUsers(_ query: UserListQuery) throws -> (users: [User], total: Int)
    /// Applies `changes`; throws `StoreError.usernameTaken` / `.emailTaken`. Nil when the
    /// user doesn't exist.
    func updateUser(id: Int64, _ changes: UserChanges, now: Int64) throws -> User?
    /// Deletes the user and, through the schema, its sessions. False when there was none.
    func deleteUser(id: Int64) throws -> Bool
    /// Clears a lock and the failure count. False when the user doesn't exist.
    func unlockUser(id: Int64) throws -> Bool
    /// Active ADMIN accounts, for the last-admin rule.
    func activeAdminCount() throws -> Int

    // MARK: Sessions and revocation

    func createSession(_ session: Session) throws
    func session(id: String) throws -> Session?
    /// The user, whether the session is live for that user, and whether the access token's
    /// `jti` was revoked — everything an authenticated request checks, in one read.
    func authenticationState(userID: Int64, sessionID: String, tokenID: String, now: Int64) throws
        -> AuthenticationState
    /// Replaces the session's refresh `jti` if it is still `expected` and the session is live;
    /// false when another refresh got there first or the session is gone (reuse).
    func rotateRefreshToken(sessionID: String, expected: String, next: String, expiresAt: Int64, now: Int64) throws
        -> Bool
    /// Revokes one live session of `userID`; false when there is none with that id.
    @discardableResult
    func revokeSession(id: String, userID: Int64, now: Int64) throws -> Bool
    /// Revokes every live session of the user except `keeping`.
    func revokeSessions(userID: Int64, keeping: String?, now: Int64) throws
    /// Records a revoked access-token id until its expiry.
    func revokeAccessToken(tokenID: String, expiresAt: Int64) throws
    /// The user's live sessions, newest first.
    func liveSessions(userID: Int64, now: Int64) throws -> [Session]

    // MARK: Password reset

    /// Stores the hash of a new reset token for the user, voiding any older one.
    func replaceResetToken(userID: Int64, tokenHash: String, now: Int64, expiresAt: Int64) throws
    /// Voids every reset token of the user, used or not.
    func voidResetTokens(userID: Int64) throws
    /// The user of an unused, unexpired reset token, or nil.
    func resetTokenOwner(tokenHash: String, now: Int64) throws -> User?
    /// Marks an unused, unexpired token used and returns its user's id; nil when it was not
    /// usable, so two requests can't both use one token.
    func consumeResetToken(tokenHash: String, now: Int64) throws -> Int64?

    // MARK: Email verification

    /// Stores the hash of a new verification token mailed to `email` for the user, voiding
    /// any older one. The token is good only while the user's address is still `email`.
    func replaceVerificationToken(userID: Int64, email: String, tokenHash: String, now: Int64, expiresAt: Int64)
        throws
    /// Voids every verification token of the user.
    func voidVerificationTokens(userID: Int64) throws
    /// Uses an unused, unexpired token whose user is active and still has the address it was
    /// mailed to: marks it used and the user's email verified, and returns the user as
    /// stored. Nil when the token was not usable, so two requests can't both use one.
    func consumeVerificationToken(tokenHash: String, now: Int64) throws -> User?

    // MARK: Two-factor sign-in

    /// The user's TOTP secret, pending or confirmed, or nil.
    func totpSecret(userID: Int64) throws -> StoredTOTPSecret?
    /// Stores `sealed` as the user's pending secret, replacing a pending one; false (nothing
    /// changed) when a confirmed secret is there.
    func replacePendingTOTPSecret(userID: Int64, sealed: String, now: Int64) throws -> Bool
    /// Confirms the pending secret if it is still `sealed`: two-factor sign-in is on,
    /// `step` counts as used and `recoveryCodeHashes` replace any recovery codes. The user as
    /// stored, or nil when that secret is no longer pending.
    func confirmTOTPSecret(userID: Int64, sealed: String, step: Int64, recoveryCodeHashes: [String], now: Int64)
        throws -> User?
    /// Records `step` as the user's last used step if it is later than the last one; false
    /// for a replayed (or older) step, so two requests can't both use one code.
    func useTOTPStep(userID: Int64, step: Int64) throws -> Bool
    /// The hashes of the user's unused recovery codes.
    func unusedRecoveryCodeHashes(userID: Int64) throws -> [String]
    /// Marks an unused recovery code used; false when it was used meanwhile.
    func useRecoveryCode(userID: Int64, codeHash: String, now: Int64) throws -> Bool
    /// Replaces every recovery code of the user.
    func replaceRecoveryCodes(userID: Int64, hashes: [String]) throws
    /// Deletes the secret (pending or not) and the recovery codes and turns two-factor sign-in
    /// off. The user as stored, or nil when there is no such user.
    func removeTOTP(userID: Int64, now: Int64) throws -> User?
    /// Every stored secret, for re-sealing them under a new key (`rotate-mfa-key`).
    func sealedTOTPSecrets() throws -> [(userID: Int64, sealed: String)]
    /// Replaces one user's sealed secret if it is still `expected`; false otherwise.
    func resealTOTPSecret(userID: Int64, expected: String, sealed: String) throws -> Bool
    /// Records the id of a login's second-step token as used until its expiry; false when it
    /// already was, so one token completes one login.
    func useChallenge(tokenID: String, expiresAt: Int64) throws -> Bool
    /// Whether a second-step token's id was used.
    func isChallengeUsed(tokenID: String) throws -> Bool

    /// Deletes what can no longer matter at `now`: revoked access-token ids past their expiry,
    /// sessions whose access tokens have all expired, and used or expired reset and
    /// verification tokens.
    func purgeExpired(now: Int64, accessTokenLifetime: Int64) throws -> PurgeCounts

    /// Runs `body` atomically: all of its writes or none.
    func transaction<T>(_ body: () throws -> T) throws -> T
}

/// The answer to `reserveLoginAttempt`.
public enum LoginAttemptReservation: Sendable, Equatable {
    /// The attempt may check the password. `lockedUntil` is set when this attempt's
    /// failure reached the threshold and locked the account.
    case granted(lockedUntil: Int64?)
    /// The account was already locked until then: no check may run.
    case locked(until: Int64)
}

/// What an authenticated request needs to know about its token's user and session.
public struct AuthenticationState: Sendable {
    public var user: User?
    public var sessionLive: Bool
    public var tokenRevoked: Bool
}

/// A user's TOTP secret as stored: sealed under `MFA_SECRET_KEY`.
public struct StoredTOTPSecret: Sendable, Equatable {
    public var sealed: String
    /// False while the enrollment waits for its first code.
    public var confirmed: Bool
    /// The newest step whose code was accepted.
    public var lastUsedStep: Int64?
}

/// How many rows `purgeExpired` deleted, by kind.
public struct PurgeCounts: Sendable, Equatable {
    public var revokedTokens: Int
    public var sessions: Int
    public var resetTokens: Int
    public var verificationTokens: Int
}

/// Store failures that handlers answer with a specific status.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case usernameTaken
    case emailTaken
    /// The database can't be reached, is locked beyond the busy timeout, or is read-only.
    case unavailable(String)
    /// The database can't be made ready (`StoreFactory.prepare`) until a setting changes:
    /// `DATABASE_URL` names something that can't be used (a wrong password, role or
    /// database, a path that can't be created). Not worth a retry.
    case preparationFailed(String)

    public var description: String {
        switch self {
        case .usernameTaken: "username taken"
        case .emailTaken: "email taken"
        case .unavailable(let reason): "database unavailable: \(reason)"
        case .preparationFailed(let problem): "DATABASE_URL: \(problem)"
        }
    }
}
