import UserCore

/// Where the CGI/FastCGI parameters of one request come from: the FastCGI params of a
/// request, the process environment in CGI mode, or a dictionary in tests.
public protocol CGIParameters {
    func value(of name: StaticString) -> String?
}

extension Dictionary: CGIParameters where Key == String, Value == String {
    public func value(of name: StaticString) -> String? {
        self[name.description]
    }
}

extension Request {
    /// Maps the CGI meta-variables of RFC 3875 (as nginx's `fastcgi_params` sends them) to a
    /// request.
    ///
    /// The path is `PATH_INFO` when a CGI server split one off (`/cgi-bin/auth.cgi/api/health`),
    /// else the path part of the raw `REQUEST_URI`, percent-decoded here; a path that doesn't
    /// decode is kept raw, matches no route and gets 404.
    public init(cgi parameters: some CGIParameters, body: RequestBody) {
        let rawURI = parameters.value(of: "REQUEST_URI") ?? parameters.value(of: "DOCUMENT_URI") ?? ""
        let rawPath = rawURI[..<(rawURI.utf8.firstIndex(of: UInt8(ascii: "?")) ?? rawURI.endIndex)]
        let path: String
        if let pathInfo = parameters.value(of: "PATH_INFO"), !pathInfo.isEmpty {
            path = pathInfo
        } else {
            path = PercentDecoding.decode(rawPath, plusAsSpace: false) ?? String(rawPath)
        }
        func acceptableID(_ name: StaticString) -> String? {
            parameters.value(of: name).flatMap { RequestID.isAcceptable($0) ? $0 : nil }
        }
        let method = parameters.value(of: "REQUEST_METHOD") ?? "GET"
        self.init(
            method: method.utf8.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
                ? method.uppercased() : method,
            path: path,
            query: QueryParameters(parsing: parameters.value(of: "QUERY_STRING") ?? ""),
            contentType: parameters.value(of: "CONTENT_TYPE").flatMap { $0.isEmpty ? nil : $0 },
            authorization: parameters.value(of: "HTTP_AUTHORIZATION"),
            userAgent: parameters.value(of: "HTTP_USER_AGENT"),
            remoteAddress: parameters.value(of: "REMOTE_ADDR"),
            requestID: acceptableID("HTTP_X_REQUEST_ID") ?? acceptableID("REQUEST_ID") ?? RequestID.generate(),
            body: body
        )
        // Looked up for the metrics page only: every other request skips the search.
        if path == MetricsPage.path { mayReadMetrics = parameters.value(of: "AUTH_FCGI_METRICS_ALLOWED") == "1" }
    }
}
