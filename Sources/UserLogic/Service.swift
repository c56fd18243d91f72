/// The whole API as one responder: routing, the body limit, handler errors rendered as
/// problem+json, and the headers every response carries. Built once at start and shared
/// read-only by every worker thread.
public struct Service: Sendable {
    public let router: Router
    public let logger: Logger
    private let storeFactory: StoreFactory

    public init(configuration: ServiceConfiguration, logger: Logger) {
        self.init(
            router: Router(routes: API.routes(logger: logger)), logger: logger,
            storeFactory: StoreFactory(location: configuration.database))
    }

    init(router: Router, logger: Logger, storeFactory: StoreFactory) {
        self.router = router
        self.logger = logger
        self.storeFactory = storeFactory
    }

    /// Readies the database before serving; a failure stops the start with a clear message.
    public func prepareStorage() throws(ConfigError) {
        try storeFactory.prepare()
    }

    /// The per-thread resources a worker thread passes to `respond(to:on:)`.
    public func makeThreadContext() -> ThreadContext {
        ThreadContext(storeFactory: storeFactory)
    }

    public func respond(to request: Request, on thread: ThreadContext) -> Response {
        var response = route(request, on: thread)
        response.headers.append(("X-Request-ID", request.requestID))
        response.headers.append(("Cache-Control", "no-store"))
        return response
    }

    /// Contract §5 order: 404/405 from routing, then 413, then the handler's own checks.
    private func route(_ request: Request, on thread: ThreadContext) -> Response {
        switch router.match(method: request.method, path: request.path) {
        case .notFound:
            return APIError.notFound().response
        case .methodNotAllowed(let allowed):
            return APIError.methodNotAllowed(allowed: allowed).response
        case .found(let route, let parameters):
            if case .tooLarge = request.body { return APIError.payloadTooLarge.response }
            do {
                return try route.handler(RequestContext(request: request, parameters: parameters, thread: thread))
            } catch let error as APIError {
                return error.response
            } catch {
                // The details go to the log with the request id, never into the body.
                logger.log(.error, "internal_error", requestID: request.requestID, ["error": .string("\(error)")])
                return APIError.internalError.response
            }
        }
    }
}
