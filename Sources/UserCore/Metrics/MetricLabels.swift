/// The label values of a counted event, in their slot order.
package protocol MetricLabel: CaseIterable, Sendable {
    /// What the metrics page shows.
    var label: String { get }
}

package enum LoginOutcome: Int, MetricLabel {
    /// A session opened, after the password alone or after the second step.
    case success
    case wrongPassword
    case unknownUser
    case locked
    case disabled
    case emailNotVerified
    /// The right password of an account with two-factor sign-in: the second step is asked.
    case mfaRequired
    case mfaWrongCode
    /// An `mfa_token` that is malformed, forged, expired or already used.
    case mfaChallengeInvalid

    package var label: String {
        switch self {
        case .success: "success"
        case .wrongPassword: "wrong_password"
        case .unknownUser: "unknown_user"
        case .locked: "locked"
        case .disabled: "disabled"
        case .emailNotVerified: "email_not_verified"
        case .mfaRequired: "mfa_required"
        case .mfaWrongCode: "mfa_wrong_code"
        case .mfaChallengeInvalid: "mfa_challenge_invalid"
        }
    }

    /// The outcome of a login (either step) that the account refused.
    package init(_ refusal: AccountRefusal) {
        switch refusal {
        case .locked: self = .locked
        case .disabled: self = .disabled
        case .emailNotVerified: self = .emailNotVerified
        }
    }
}

package enum RefreshOutcome: Int, MetricLabel {
    case success
    /// A refresh token presented again after its rotation: its session is revoked.
    case reuseDetected
    /// A refresh token that is invalid, expired, revoked or of a disabled account.
    case rejected

    package var label: String {
        switch self {
        case .success: "success"
        case .reuseDetected: "reuse_detected"
        case .rejected: "rejected"
        }
    }
}

/// What ended sessions: one count per event, however many sessions it ended.
package enum RevocationReason: Int, MetricLabel {
    case logout
    case logoutAll
    /// `DELETE /api/auth/sessions/{id}`.
    case session
    /// `DELETE /api/users/{id}/sessions`, by the user or an admin.
    case userSessions
    case refreshReuse
    /// A password change ends every other session of the user.
    case passwordChange
    case passwordReset
    /// An admin disabled the account.
    case accountDisabled
    /// An admin, or the user, deleted the account (its sessions go with it).
    case userDeleted

    package var label: String {
        switch self {
        case .logout: "logout"
        case .logoutAll: "logout_all"
        case .session: "session"
        case .userSessions: "user_sessions"
        case .refreshReuse: "refresh_reuse"
        case .passwordChange: "password_change"
        case .passwordReset: "password_reset"
        case .accountDisabled: "account_disabled"
        case .userDeleted: "user_deleted"
        }
    }
}

package enum MailOutcome: Int, MetricLabel {
    case sent
    /// Given up after the last retry.
    case failed

    package var label: String {
        switch self {
        case .sent: "sent"
        case .failed: "failed"
        }
    }
}
