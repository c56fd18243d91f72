/// One HTTP request as the backend sees it, independent of FastCGI or CGI.
///
/// Only the headers the service uses are kept, so that mapping a request allocates little.
public struct Request: Sendable {
    /// Upper-case method, e.g. `GET`.
    public var method: String
    /// The percent-decoded path, e.g. `/api/users/7`.
    public var path: String
    public var query: QueryParameters
    /// The `Content-Type` header as sent, parameters included.
    public var contentType: String?
    /// The `Authorization` header as sent.
    public var authorization: String?
    public var userAgent: String?
    public var remoteAddress: String?
    /// The id echoed in `X-Request-ID` and written to every log line of this request.
    public var requestID: String
    public var body: RequestBody
    /// The web server let this client read `/api/metrics`: the shipped nginx location sets
    /// the param `AUTH_FCGI_METRICS_ALLOWED` for its allowlist only, so a site whose nginx
    /// lacks that location (older snippets, a hand-written config) doesn't publish them.
    public var mayReadMetrics = false

    public init(
        method: String,
        path: String,
        query: QueryParameters = QueryParameters(),
        contentType: String? = nil,
        authorization: String? = nil,
        userAgent: String? = nil,
        remoteAddress: String? = nil,
        requestID: String = RequestID.generate(),
        body: RequestBody = .empty
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.contentType = contentType
        self.authorization = authorization
        self.userAgent = userAgent
        self.remoteAddress = remoteAddress
        self.requestID = requestID
        self.body = body
    }
}
