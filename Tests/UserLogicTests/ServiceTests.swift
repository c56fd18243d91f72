import Testing

@testable import UserCore
@testable import UserLogic

@Suite struct ServiceTests {
    struct Boom: Error, CustomStringConvertible {
        var description: String { "secret internals: /var/lib/db.sqlite SELECT * FROM users" }
    }

    let log = LogCapture()
    let directory = TemporaryDirectory()

    func service() -> Service {
        Service(
            routes: { _ in
                [
                    Route("GET", "/api/ok", "ok") { _ in .json(.object(["fine": true])) },
                    Route("POST", "/api/echo", "echo") { context in .json(.object(try context.request.jsonObjectBody()))
                    },
                    Route("GET", "/api/boom", "boom") { _ in throw Boom() },
                    Route("GET", "/api/teapot", "teapot") { _ in
                        throw APIError(.conflict, .lastAdmin, "Short and stout.")
                    },
                ]
            },
            configuration: configuration(database: directory.path + "/auth.db"),
            logger: log.logger, mailer: Mailer(transport: CapturedMail(), logger: log.logger))
    }

    func configuration(database path: String) -> ServiceConfiguration {
        ServiceConfiguration(
            database: .sqlite(path: path),
            tokens: TokenSettings(key: Array(repeating: 1, count: 32), issuer: "i", audience: "a", leeway: 0))
    }

    func respond(_ request: Request) -> Response {
        let service = service()
        return service.respond(to: request, on: service.makeThreadContext())
    }

    @Test func everyResponseCarriesRequestIDAndNoStore() {
        for path in ["/api/ok", "/api/missing", "/api/boom"] {
            let response = respond(Request(method: "GET", path: path, requestID: "rid-1"))
            #expect(response.header("X-Request-ID") == "rid-1")
            #expect(response.header("Cache-Control") == "no-store")
        }
    }

    @Test func unknownPathIsProblem404() {
        let response = respond(Request(method: "GET", path: "/api/missing"))
        #expect(response.status == .notFound)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(
            response.json
                == .object([
                    "type": "about:blank", "title": "Not Found", "status": 404, "code": "not_found",
                    "detail": "No resource exists at this path.",
                ]))
    }

    @Test func wrongMethodIs405WithAllow() {
        let response = respond(Request(method: "DELETE", path: "/api/ok"))
        #expect(response.status == .methodNotAllowed)
        #expect(response.problemCode == "method_not_allowed")
        #expect(response.header("Allow") == "GET, HEAD")
    }

    @Test func routingComesBeforeTheBodyLimit() {
        #expect(respond(Request(method: "GET", path: "/api/missing", body: .tooLarge)).status == .notFound)
        #expect(respond(Request(method: "PUT", path: "/api/ok", body: .tooLarge)).status == .methodNotAllowed)
        let tooLarge = respond(Request(method: "GET", path: "/api/ok", body: .tooLarge))
        #expect(tooLarge.status == .contentTooLarge)
        #expect(tooLarge.problemCode == "payload_too_large")
    }

    @Test func unexpectedErrorsAre500WithoutInternals() {
        let response = respond(Request(method: "GET", path: "/api/boom", requestID: "rid-500"))
        #expect(response.status == .internalServerError)
        #expect(response.problemCode == "internal_error")
        #expect(!response.bodyText.contains("secret"))
        #expect(log.text.contains("\"request_id\":\"rid-500\""))
        #expect(log.text.contains("secret internals"))
    }

    @Test func apiErrorsRenderThemselves() {
        let response = respond(Request(method: "GET", path: "/api/teapot"))
        #expect(response.status.code == 409)
        #expect(response.problemCode == "last_admin")
        #expect(response.bodyText.contains("\"detail\":\"Short and stout.\""))
        #expect(!response.bodyText.contains("errors"))
    }

    @Test func jsonBodyChecksMediaTypeThenSyntax() {
        func post(_ contentType: String?, _ body: String) -> Response {
            respond(
                Request(method: "POST", path: "/api/echo", contentType: contentType, body: .bytes(Array(body.utf8))))
        }
        #expect(post("application/json", #"{"a":1}"#).status == .ok)
        #expect(post("Application/JSON; charset=utf-8", #"{"a":1}"#).status == .ok)
        #expect(post("text/plain", #"{"a":1}"#).problemCode == "unsupported_media_type")
        #expect(post(nil, #"{"a":1}"#).status == .unsupportedMediaType)
        #expect(post("application/jsonx", "{}").status == .unsupportedMediaType)
        #expect(post(nil, "").problemCode == "malformed_json")
        #expect(post("application/json", "").problemCode == "malformed_json")
        #expect(post("application/json", "{").status == .badRequest)
        #expect(post("application/json", "[1]").problemCode == "malformed_json")
        #expect(post("application/json", #"{"a":1,"a":2}"#).problemCode == "malformed_json")
    }

    @Test func jsonBodyBoundsMembersAndDepth() {
        func post(_ body: String) -> Response {
            respond(
                Request(
                    method: "POST", path: "/api/echo", contentType: "application/json", body: .bytes(Array(body.utf8))))
        }
        func members(_ count: Int) -> String {
            "{" + (0..<count).map { "\"é\($0)\":0" }.joined(separator: ",") + "}"
        }
        #expect(post(members(100)).status == .ok)
        #expect(post(members(101)).problemCode == "malformed_json")
        let deepest = String(repeating: "[", count: 63) + String(repeating: "]", count: 63)
        #expect(post(#"{"a":"# + deepest + "}").status == .ok)
        #expect(post(#"{"a":["# + deepest + "]}").problemCode == "malformed_json")
    }

    @Test func healthReportsTheDatabase() {
        let service = Service(
            configuration: configuration(database: directory.path + "/auth.db"), logger: log.logger,
            mailTransport: CapturedMail())
        let response = service.respond(to: Request(method: "GET", path: "/api/health"), on: service.makeThreadContext())
        #expect(response.status == .ok)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.json == .object(["status": "ok", "database": "ok"]))
    }

    @Test func healthIs503WhenTheDatabaseCantOpen() {
        let service = Service(
            configuration: configuration(database: directory.path + "/missing/dir/auth.db"), logger: log.logger,
            mailTransport: CapturedMail(), keepsMetrics: true)
        let response = service.respond(to: Request(method: "GET", path: "/api/health"), on: service.makeThreadContext())
        #expect(response.status == .serviceUnavailable)
        #expect(response.problemCode == "database_unavailable")
        #expect(!response.bodyText.contains("missing/dir"))
        #expect(log.text.contains(#""event":"database_unavailable""#))
        #expect(service.metrics.databaseErrors == 1)
    }

    @Test func cgiBytes() {
        let response = Response(status: .created, headers: [("Location", "/api/users/1")], body: Array("{}".utf8))
        #expect(
            String(decoding: response.cgiBytes(), as: UTF8.self)
                == "Status: 201 Created\r\nLocation: /api/users/1\r\nContent-Length: 2\r\n\r\n{}")
        #expect(String(decoding: Response.noContent().cgiBytes(), as: UTF8.self) == "Status: 204 No Content\r\n\r\n")
        // A length set by the handler, in any case, is not sent twice.
        let sized = Response(status: .ok, headers: [("content-LENGTH", "2")], body: Array("{}".utf8))
        #expect(String(decoding: sized.cgiBytes(), as: UTF8.self) == "Status: 200 OK\r\ncontent-LENGTH: 2\r\n\r\n{}")
        #expect(sized.header("Content-Length") == "2")
    }
}

extension ServiceTests {
    @Test func headKeepsTheLengthButDropsTheBody() {
        let get = respond(Request(method: "GET", path: "/api/ok"))
        let head = respond(Request(method: "HEAD", path: "/api/ok"))
        #expect(head.status == .ok)
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == String(get.body.count))
        #expect(String(decoding: head.cgiBytes(), as: UTF8.self).ranges(of: "Content-Length").count == 1)
    }
}
