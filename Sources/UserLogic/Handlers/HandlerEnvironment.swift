import UserCore

/// What every handler group shares: the configuration, the logger and the clock (injected
/// so tests can move time without sleeping).
struct HandlerEnvironment: Sendable {
    let configuration: ServiceConfiguration
    let logger: Logger
    let mailer: Mailer
    let clock: @Sendable () -> Int64

    var mail: AccountMail {
        AccountMail(from: configuration.mailFrom, publicBaseURL: configuration.publicBaseURL)
    }

    /// The account rules over the thread's store and password hasher, at `now`.
    func accounts(_ context: some HandlerContext, now: Int64) throws -> Accounts {
        Accounts(
            store: try context.thread.store(), passwords: context.thread.passwords, rules: AccountRules(configuration),
            now: now)
    }

    /// 423 with `Retry-After` between 1 and `LOCKOUT_SECONDS`.
    func lockedError(until lockedUntil: Int64, now: Int64) -> APIError {
        let seconds = min(max(lockedUntil - now, 1), configuration.lockoutSeconds)
        return APIError(
            .locked, .accountLocked, "Too many failed logins. Try again in \(seconds) seconds.",
            headers: [("Retry-After", String(seconds))])
    }

    /// The answer to a refused `current_password`: 403, or 423 while locked.
    func refusal(_ failure: CurrentPasswordFailure, now: Int64) -> APIError {
        switch failure {
        case .incorrect: .currentPasswordIncorrect
        case .locked(let until): lockedError(until: until, now: now)
        case .accountGone: .tokenInvalid
        }
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
