/// `GET /api/openapi.json`: the OpenAPI document, encoded once.
struct OpenAPIHandler: Sendable {
    /// The document's UTF-8 bytes, computed on first use and shared by every request.
    static let body: [UInt8] = Array(OpenAPIDocument.json.utf8)

    func document(_ context: RequestContext) throws -> Response {
        Response(status: .ok, headers: [("Content-Type", "application/json")], body: Self.body)
    }
}
