/// What a handler receives: the request, the parameters its route captured, and the
/// resources of the thread serving it.
public protocol HandlerContext {
    var request: Request { get }
    var parameters: PathParameters { get }
    var thread: ThreadContext { get }
}

/// The context of a route anyone may call.
public struct RequestContext: HandlerContext {
    public let request: Request
    public let parameters: PathParameters
    public let thread: ThreadContext
}

/// The context of a route that needs a token (Hummingbird's child-context idea): the
/// service made it once the token was checked, so the caller is never missing.
public struct AuthenticatedContext: HandlerContext {
    public let request: Request
    public let parameters: PathParameters
    public let thread: ThreadContext
    public let caller: AuthenticatedCaller
}

public typealias Handler = @Sendable (RequestContext) throws -> Response
public typealias AuthenticatedHandler = @Sendable (AuthenticatedContext) throws -> Response

/// Who may call a route (contract §3 "Auth" column), checked by the service before the
/// handler runs, in contract §5 order.
public enum RouteAccess: String, Sendable, CaseIterable {
    /// No token is read.
    case anyone
    /// A valid refresh token of an active user.
    case refreshToken
    /// A valid access token of an active user.
    case user
    /// A valid access token of an active ADMIN (else 403 `forbidden`).
    case admin
}

/// One row of the contract's endpoint tables: a method, a path pattern, its OpenAPI
/// `operationId`, who may call it, and its handler.
public struct Route: Sendable {
    /// The handler, in the shape its access gives it.
    enum Responder: Sendable {
        case anyone(Handler)
        case authenticated(AuthenticatedHandler)
    }

    public let method: String
    public let pattern: PathPattern
    public let operationID: String
    public let access: RouteAccess
    let responder: Responder
    /// Its position in the router's table, which the metrics count requests by.
    var index = 0

    /// A route anyone may call.
    public init(_ method: String, _ pattern: String, _ operationID: String, _ handler: @escaping Handler) {
        self.init(method, pattern, operationID, .anyone, .anyone(handler))
    }

    /// A route that needs a token; `access` is not `.anyone`.
    public init(
        _ method: String, _ pattern: String, _ operationID: String, _ access: RouteAccess,
        _ handler: @escaping AuthenticatedHandler
    ) {
        precondition(access != .anyone, "\(operationID): a handler with a caller needs a token")
        self.init(method, pattern, operationID, access, .authenticated(handler))
    }

    private init(
        _ method: String, _ pattern: String, _ operationID: String, _ access: RouteAccess, _ responder: Responder
    ) {
        self.method = method
        self.pattern = PathPattern(pattern)
        self.operationID = operationID
        self.access = access
        self.responder = responder
    }
}
