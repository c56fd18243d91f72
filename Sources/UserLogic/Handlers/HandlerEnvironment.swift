import UserCore

extension LoginOutcome {
    /// The `reason` of the `login_failed` audit line: the metric's label, but for the second
    /// step's wrong code, which the audit log has always called `wrong_code`.
    var auditReason: String {
        self == .mfaWrongCode ? "wrong_code" : label
    }
}

/// What every handler group shares: the configuration, the logger, the metrics and the
/// clock (injected so tests can move time without sleeping).
struct HandlerEnvironment: Sendable {
    let configuration: ServiceConfiguration
    let logger: Logger
    let mailer: Mailer
    let metrics: Metrics
    let clock: @Sendable () -> Int64

    var mail: AccountMail {
        AccountMail(from: configuration.mailFrom, publicBaseURL: configuration.publicBaseURL)
    }

    /// The account rules over the request thread's store and password hasher, at `now`.
    func accounts(_ context: some HandlerContext, now: Int64) throws -> Accounts {
        try accounts(on: context.thread, now: now)
    }

    /// The account rules over `thread`'s store and password hasher, at `now`.
    func accounts(on thread: ThreadContext, now: Int64) throws -> Accounts {
        Accounts(store: try thread.store(), passwords: thread.passwords, rules: AccountRules(configuration), now: now)
    }

    /// 423 with `Retry-After` between 1 and `LOCKOUT_SECONDS`.
    func lockedError(until lockedUntil: Int64, now: Int64) -> APIError {
        let seconds = min(max(lockedUntil - now, 1), configuration.lockoutSeconds)
        return APIError(
            .locked, .accountLocked, "Too many failed logins. Try again in \(seconds) seconds.",
            headers: [("Retry-After", String(seconds))])
    }

    /// The answer to a login, at either step, that the account refused.
    func answer(to refusal: AccountRefusal, now: Int64) -> APIError {
        switch refusal {
        case .locked(let until): lockedError(until: until, now: now)
        case .disabled: .accountDisabled
        case .emailNotVerified: .emailNotVerified
        }
    }

    /// The answer to a refused `current_password` of user `userID`: 403, or 423 while locked.
    /// The wrong one that locked the account writes the `account_locked` line a login does.
    func refusal(
        _ failure: CurrentPasswordFailure, of userID: Int64, _ context: some HandlerContext, now: Int64
    ) -> APIError {
        switch failure {
        case .incorrect(let lockedUntil):
            if let lockedUntil { auditLock(context, userID: userID, until: lockedUntil) }
            return .currentPasswordIncorrect
        case .locked(let until): return lockedError(until: until, now: now)
        case .accountGone: return .tokenInvalid
        }
    }

    /// The audit line of a failure that locked the account (a login's or a current password's).
    func auditLock(_ context: some HandlerContext, userID: Int64, until lockedUntil: Int64) {
        audit(
            context, "account_locked", userID: userID, level: .warning,
            ["locked_until": .string(Timestamp.rfc3339(lockedUntil))])
    }

    func issuer(_ context: some HandlerContext, now: Int64) -> TokenIssuer {
        TokenIssuer(configuration: configuration, thread: context.thread, now: now)
    }

    /// An audit event (contract: every auth event and admin action): the request id, the
    /// user concerned and the client address, with `details`. Never a password or token.
    func audit(
        _ context: some HandlerContext, _ event: String, userID: Int64?, level: Logger.Level = .info,
        _ details: JSONObject = [:]
    ) {
        var fields: JSONObject = [:]
        if let userID { fields.append("user_id", .number(Double(userID))) }
        if let address = context.request.remoteAddress { fields.append("remote_addr", .string(address)) }
        for member in details.members { fields.append(member.name, member.value) }
        logger.log(level, event, requestID: context.request.requestID, fields)
    }
}
