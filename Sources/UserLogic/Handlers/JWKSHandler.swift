import UserCore

/// `GET /.well-known/jwks.json`: the public signing keys (contract §2), the signing key first,
/// `{"keys":[]}` under HS256. The keys are fixed for the process's life, so the body is encoded
/// once and, unlike every other answer, may be cached (for five minutes: a rotation restarts
/// the service with the new key listed, and the old one stays listed at least that long).
struct JWKSHandler: Sendable {
    let body: [UInt8]

    init(tokens: TokenSettings) {
        body = JSONWriter.encode(tokens.jwks)
    }

    func keys(_ context: RequestContext) throws -> Response {
        var response = Response(status: .ok, headers: [("Content-Type", "application/json")], body: body)
        response.cacheControl = "public, max-age=300"
        return response
    }
}
