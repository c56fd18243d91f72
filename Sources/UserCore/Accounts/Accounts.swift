/// The rules of an account — login, lockout, re-hash, opening a session, checking a current
/// password, changing the password, what an update of the account revokes, the last-admin
/// rule — over a store, with no HTTP in sight: it takes and returns domain values and throws
/// typed failures (`LoginFailure`, `CurrentPasswordFailure`, `PasswordChangeFailure`,
/// `AdministrationFailure`) that the handlers and `auth-fcgi users` render.
/// Made for one request (or one command) at its `now`.
package struct Accounts {
    let store: any Store
    let passwords: any PasswordChecking
    let rules: AccountRules
    let now: Int64

    package init(store: any Store, passwords: any PasswordChecking, rules: AccountRules, now: Int64) {
        self.store = store
        self.passwords = passwords
        self.rules = rules
        self.now = now
    }
}

/// The settings the account rules read.
package struct AccountRules: Sendable {
    /// Failures in a row that lock an account (`LOCKOUT_THRESHOLD`).
    var lockoutThreshold: Int
    /// How long a lock lasts (`LOCKOUT_SECONDS`).
    var lockoutSeconds: Int64
    /// How long a session lives without a refresh (`REFRESH_TOKEN_TTL`).
    var sessionLifetime: Int64
    /// `EMAIL_VERIFICATION`: under `required` a login needs a verified address.
    var emailVerification: EmailVerificationMode
    /// Seals and opens TOTP secrets (`MFA_SECRET_KEY`).
    var mfaSecrets: SecretBox
    /// `MFA_ISSUER`: the name authenticator apps show.
    var mfaIssuer: String

    init(
        lockoutThreshold: Int, lockoutSeconds: Int64, sessionLifetime: Int64,
        emailVerification: EmailVerificationMode = .optional, mfaSecrets: SecretBox, mfaIssuer: String
    ) {
        self.lockoutThreshold = lockoutThreshold
        self.lockoutSeconds = lockoutSeconds
        self.sessionLifetime = sessionLifetime
        self.emailVerification = emailVerification
        self.mfaSecrets = mfaSecrets
        self.mfaIssuer = mfaIssuer
    }

    package init(_ configuration: ServiceConfiguration) {
        self.init(
            lockoutThreshold: configuration.lockoutThreshold, lockoutSeconds: configuration.lockoutSeconds,
            sessionLifetime: configuration.refreshTokenLifetime, emailVerification: configuration.emailVerification,
            mfaSecrets: configuration.mfaSecrets, mfaIssuer: configuration.mfaIssuer)
    }
}
