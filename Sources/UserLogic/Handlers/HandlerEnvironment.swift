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

    func authenticate(_ context: RequestContext, as type: TokenType = .access) throws -> AuthenticatedCaller {
        try Authenticator(thread: context.thread, now: clock()).authenticate(context.request, as: type)
    }

    func issuer(_ context: RequestContext, now: Int64) -> TokenIssuer {
        TokenIssuer(configuration: configuration, thread: context.thread, now: now)
    }
}
