/// What a handler receives: the request, the parameters its route captured, and the
/// resources of the thread serving it.
public struct RequestContext {
    public let request: Request
    public let parameters: PathParameters
    public let thread: ThreadContext
}

public typealias Handler = @Sendable (RequestContext) throws -> Response

/// One row of the contract's endpoint tables: a method, a path pattern and its handler.
public struct Route: Sendable {
    public let method: String
    public let pattern: PathPattern
    public let handler: Handler

    public init(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        self.method = method
        self.pattern = PathPattern(pattern)
        self.handler = handler
    }
}
