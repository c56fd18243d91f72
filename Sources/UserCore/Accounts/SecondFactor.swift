/// What a login's second step presents (contract §3, Two-factor sign-in (v2)).
package enum SecondFactorProof: Sendable, Equatable {
    /// A 6-digit TOTP code.
    case code(String)
    /// One of the account's recovery codes, `xxxxx-xxxxx`.
    case recoveryCode(String)

    /// The `methods` an `mfa_required` answer offers.
    package static let methods = ["totp", "recovery_code"]
}

/// The `amr` values (RFC 8176) of the sessions this service opens.
package enum AuthenticationMethod {
    package static let password = ["pwd"]
    package static let passwordAndOTP = ["pwd", "otp"]
}

/// Why a two-factor request was refused (enrollment, confirmation, disable, new codes).
package enum TwoFactorFailure: Error, Equatable {
    /// Two-factor sign-in is on already: no new enrollment.
    case alreadyEnabled
    /// Nothing waits for confirmation.
    case notPending
    /// Two-factor sign-in is off: nothing to disable or renew.
    case notEnabled
    /// The code is not one of the secret's current codes.
    case codeInvalid
}

/// Why a login's second step was refused; the account's id where it matters for the audit log.
package enum SecondStepFailure: Error, Equatable {
    /// The second-step token names no account with two-factor sign-in on, or was used already.
    case challengeInvalid
    /// A wrong, replayed or used code. `lockedUntil` is set when this failure locked the account.
    case codeInvalid(userID: Int64, lockedUntil: Int64?)
    /// The account refused the login: locked (no code was checked), or the code is right but
    /// the account was disabled meanwhile or its address is unverified.
    case refused(userID: Int64, AccountRefusal)
}
