import UserCore

/// One HTTP response: status, headers in order, body.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// What the handler does once this response has been sent; `Service.serve` runs it.
    var followUp: FollowUp?
    /// The `Cache-Control` header the service adds: `no-store` (tokens and account data must
    /// not be kept by caches) unless a handler says otherwise, as the JWKS does.
    var cacheControl = "no-store"

    public init(status: HTTPStatus, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// This response, with `work` to run once it has been sent.
    func followed(by work: @escaping @Sendable (RequestContext) throws -> Void) -> Response {
        var response = self
        response.followUp = FollowUp(work)
        return response
    }

    /// A JSON body; the service adds `Cache-Control: no-store` (see `cacheControl`).
    public static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")], body: JSONWriter.encode(value))
    }

    /// A JSON body already written with `JSONOutput` (a page of users), same headers.
    static func json(_ output: JSONOutput, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")], body: output.bytes)
    }

    public static func noContent() -> Response {
        Response(status: .noContent)
    }

    public func header(_ name: String) -> String? {
        headers.first { Self.sameName($0.name, name) }?.value
    }

    /// The CGI response: a `Status:` line, the headers, a blank line, the body (RFC 3875 §6).
    /// FastCGI responders write the same bytes to their stdout stream. Every response goes
    /// through here, so it appends bytes straight into one buffer (no interpolated Strings).
    public func cgiBytes() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64 + headers.count * 48 + body.count)
        output.append(contentsOf: "Status: ".utf8)
        Self.appendDecimal(status.code, to: &output)
        output.append(UInt8(ascii: " "))
        output.append(contentsOf: status.reasonPhrase.utf8)
        output.append(contentsOf: [0x0D, 0x0A])
        var hasContentLength = false
        for header in headers {
            hasContentLength = hasContentLength || Self.sameName(header.name, "Content-Length")
            output.append(contentsOf: header.name.utf8)
            output.append(contentsOf: ": ".utf8)
            output.append(contentsOf: header.value.utf8)
            output.append(contentsOf: [0x0D, 0x0A])
        }
        if status != .noContent && !hasContentLength {
            output.append(contentsOf: "Content-Length: ".utf8)
            Self.appendDecimal(body.count, to: &output)
            output.append(contentsOf: [0x0D, 0x0A])
        }
        output.append(contentsOf: [0x0D, 0x0A])
        output.append(contentsOf: body)
        return output
    }

    /// Header names compare case-insensitively (RFC 9110 §5.1), ASCII letters only.
    private static func sameName(_ name: String, _ other: String) -> Bool {
        func lowercased(_ byte: UInt8) -> UInt8 {
            byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
        }
        return name.utf8.elementsEqual(other.utf8) { lowercased($0) == lowercased($1) }
    }

    private static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        guard value >= 10 else {
            output.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        appendDecimal(value / 10, to: &output)
        output.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
