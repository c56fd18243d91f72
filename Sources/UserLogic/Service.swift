import UserCore

/// The whole API as one responder: routing, the body limit, handler errors rendered as
/// problem+json, and the headers every response carries. Built once at start and shared
/// read-only by every worker thread.
public struct Service: Sendable {
    public let router: Router
    public let logger: Logger
    /// Sends the service's mail in the background; drain it before the process exits.
    public let mailer: Mailer
    private let configuration: ServiceConfiguration
    /// What the handlers share; the commands borrow its accounts core and mails.
    private let environment: HandlerEnvironment
    private let storeFactory: StoreFactory
    private let clock: @Sendable () -> Int64
    /// The server's counters; the supervisor counts its workers in them.
    package let metrics: Metrics
    private let requestMetrics: RequestMetrics

    /// `mailTransport` delivers mail (`configuration.mail.makeTransport()` in the server);
    /// `clock` gives the current Unix time. Tests pass their own. `keepsMetrics`: the
    /// FastCGI server's, made before it forks its workers; CGI and the commands keep none.
    public init(
        configuration: ServiceConfiguration, logger: Logger, mailTransport: any MailTransport,
        clock: @escaping @Sendable () -> Int64 = Timestamp.now, keepsMetrics: Bool = false
    ) {
        let metrics = keepsMetrics ? Metrics(startTime: clock()) : .none
        self.init(
            routes: API.routes, configuration: configuration, logger: logger,
            mailer: Mailer(transport: mailTransport, logger: logger, metrics: metrics), metrics: metrics, clock: clock)
    }

    /// A service of the `routes` made over its handler environment (tests pass their own),
    /// and the metrics page.
    init(
        routes: (HandlerEnvironment) -> [Route], configuration: ServiceConfiguration, logger: Logger, mailer: Mailer,
        metrics: Metrics = .none, clock: @escaping @Sendable () -> Int64 = Timestamp.now
    ) {
        let environment = HandlerEnvironment(
            configuration: configuration, logger: logger, mailer: mailer, metrics: metrics, clock: clock)
        let apiRoutes = routes(environment)
        // The metrics page is a route of the service's own, after the API's: it reads the
        // request counts, which are made for every route, its own included.
        let requestMetrics = RequestMetrics(
            labels: apiRoutes.map(RequestMetrics.RouteLabel.init) + [MetricsPage.label], kept: metrics.isKept)
        let page = MetricsPage(metrics: metrics, requests: requestMetrics, clock: clock)
        self.router = Router(
            routes: apiRoutes + [Route(MetricsPage.method, MetricsPage.path, "getMetrics", page.render)])
        self.metrics = metrics
        self.requestMetrics = requestMetrics
        self.logger = logger
        self.mailer = mailer
        self.configuration = configuration
        self.environment = environment
        self.storeFactory = StoreFactory(location: configuration.database)
        self.clock = clock
    }

    /// Readies the database before serving (directories, migrations) and returns the names
    /// of the migrations it applied; a failure stops the start with a clear message.
    @discardableResult
    public func prepareStorage() throws -> [String] {
        try storeFactory.prepare()
    }

    /// Deletes expired revocations and sessions; the server does it at each start.
    public func purgeExpired() throws -> PurgeCounts {
        try storeFactory.open().purgeExpired(
            now: Timestamp.now(), accessTokenLifetime: configuration.accessTokenLifetime)
    }

    /// The per-thread resources a worker thread passes to `respond(to:on:)`.
    public func makeThreadContext() -> ThreadContext {
        ThreadContext(
            storeFactory: storeFactory, tokenSettings: configuration.tokens, passwordPolicy: configuration.passwords,
            metrics: metrics)
    }

    /// The accounts core over `thread`'s store and password hasher, at `now`, with the
    /// service's rules: for the commands that change accounts without a request.
    package func accounts(on thread: ThreadContext, now: Int64) throws -> Accounts {
        try environment.accounts(on: thread, now: now)
    }

    /// The account mails with the service's sender and links.
    package var mail: AccountMail { environment.mail }

    /// The response to `request` and the work its handler left for after the answer: the
    /// servers deliver the response completely (finish the FastCGI request, close CGI's
    /// stdout) before they `run` the follow-up.
    public func serve(_ request: Request, on thread: ThreadContext) -> (response: Response, followUp: FollowUpTask?) {
        let response = answer(request, on: thread)
        return (response, response.followUp.map { FollowUpTask(request: request, followUp: $0) })
    }

    /// The response to `request`, its follow-up already run: for callers with no connection
    /// to finish first (tests, benchmarks, the fuzzer).
    public func respond(to request: Request, on thread: ThreadContext) -> Response {
        let response = answer(request, on: thread)
        if let followUp = response.followUp { run(FollowUpTask(request: request, followUp: followUp), on: thread) }
        return response
    }

    /// Does a request's follow-up with `thread`'s resources. The answer is gone by now: a
    /// failure can only be logged. The closure holds any path parameter it needs; the context
    /// lends it the request and the thread.
    public func run(_ task: FollowUpTask, on thread: ThreadContext) {
        do {
            try task.followUp.work(RequestContext(request: task.request, parameters: PathParameters(), thread: thread))
        } catch {
            logger.log(.error, "follow_up_failed", requestID: task.request.requestID, ["error": .string("\(error)")])
        }
    }

    private func answer(_ request: Request, on thread: ThreadContext) -> Response {
        let started = MonotonicClock.nanoseconds()
        var (response, routeIndex) = route(request, on: thread)
        requestMetrics.record(
            route: routeIndex ?? requestMetrics.unmatchedRoute, status: response.status.code,
            nanoseconds: MonotonicClock.nanoseconds() - started)
        response.headers.append(("X-Request-ID", request.requestID))
        response.headers.append(("Cache-Control", response.cacheControl))
        if request.method == "HEAD" {
            // The GET answer's headers, its length included, without its body.
            response.headers.append(("Content-Length", String(response.body.count)))
            response.body = []
        }
        return response
    }

    /// Contract §5 order: 404/405 from routing, then 413, then the route's access (401 token
    /// checks, 403 `account_disabled`, 403 for a non-admin on an admin route), then the
    /// handler's own checks. Returns the answer and the route's position in the table.
    private func route(_ request: Request, on thread: ThreadContext) -> (Response, Int?) {
        switch router.match(method: request.method, path: request.path) {
        case .notFound:
            return (APIError.notFound().response, nil)
        case .methodNotAllowed(let allowed):
            return (APIError.methodNotAllowed(allowed: allowed).response, nil)
        case .found(let route, let parameters):
            return (answer(request, by: route, parameters, on: thread), route.index)
        }
    }

    private func answer(_ request: Request, by route: Route, _ parameters: PathParameters, on thread: ThreadContext)
        -> Response
    {
        if case .tooLarge = request.body { return APIError.payloadTooLarge.response }
        do {
            switch route.responder {
            case .anyone(let handler):
                return try handler(RequestContext(request: request, parameters: parameters, thread: thread))
            case .authenticated(let handler):
                let caller = try authenticate(request, for: route.access, on: thread)
                return try handler(
                    AuthenticatedContext(request: request, parameters: parameters, thread: thread, caller: caller))
            }
        } catch let error as APIError {
            return error.response
        } catch let error as StoreError {
            return storeErrorResponse(error, requestID: request.requestID)
        } catch {
            // The details go to the log with the request id, never into the body.
            logger.log(.error, "internal_error", requestID: request.requestID, ["error": .string("\(error)")])
            return APIError.unexpected.response
        }
    }

    /// The caller of a route that needs a token, once it may call it.
    private func authenticate(_ request: Request, for access: RouteAccess, on thread: ThreadContext) throws
        -> AuthenticatedCaller
    {
        let caller: AuthenticatedCaller
        do {
            caller = try Authenticator(thread: thread, now: clock())
                .authenticate(request, as: access == .refreshToken ? .refresh : .access)
        } catch let error as APIError {
            if access == .refreshToken { metrics.count(RefreshOutcome.rejected) }
            throw error
        }
        guard access != .admin || caller.isAdmin else { throw APIError.adminOnly }
        return caller
    }

    /// The one place store failures become HTTP answers.
    private func storeErrorResponse(_ error: StoreError, requestID: String) -> Response {
        switch error {
        case .usernameTaken:
            return APIError(.conflict, .usernameTaken, "This username is already taken.").response
        case .emailTaken:
            return APIError(.conflict, .emailTaken, "This email address is already registered.").response
        case .unavailable(let reason), .preparationFailed(let reason):
            metrics.countDatabaseError()
            logger.log(.error, "database_unavailable", requestID: requestID, ["error": .string(reason)])
            return APIError.databaseUnavailable.response
        }
    }
}
