/// One HTTP response: status, headers in order, body.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON body; `Cache-Control: no-store` is added to every response by the service.
    public static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")], body: JSONWriter.encode(value))
    }

    public static func noContent() -> Response {
        Response(status: .noContent)
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The CGI response: a `Status:` line, the headers, a blank line, the body (RFC 3875 §6).
    /// FastCGI responders write the same bytes to their stdout stream.
    public func cgiBytes() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(160 + headers.count * 40 + body.count)
        appendLine("Status: \(status.code) \(status.reasonPhrase)", to: &output)
        for header in headers {
            appendLine("\(header.name): \(header.value)", to: &output)
        }
        if status != .noContent && header("Content-Length") == nil {
            appendLine("Content-Length: \(body.count)", to: &output)
        }
        output.append(contentsOf: [0x0D, 0x0A])
        output.append(contentsOf: body)
        return output
    }

    private func appendLine(_ line: String, to output: inout [UInt8]) {
        output.append(contentsOf: line.utf8)
        output.append(contentsOf: [0x0D, 0x0A])
    }
}
