import Synchronization

@testable import UserCore
@testable import UserLogic

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let seconds: Atomic<Int64>

    init(_ start: Int64 = 1_800_000_000) {
        seconds = Atomic(start)
    }

    var now: Int64 { seconds.load(ordering: .relaxed) }

    func advance(_ delta: Int64) {
        seconds.add(delta, ordering: .relaxed)
    }
}

/// A service over a fresh database of either kind with cheap password hashing and a test
/// clock, driven through `Service.respond` exactly as the FastCGI loop drives it. Suites run
/// each test on both kinds (`@Test(arguments: StoreKind.allCases)`), as the store contract
/// tests do.
final class ServiceFixture {
    let database: TestDatabase
    let clock = TestClock()
    let log = LogCapture()
    let mail = CapturedMail()
    let configuration: ServiceConfiguration
    let service: Service
    let thread: ThreadContext

    /// `keepsMetrics`: the FastCGI server's metrics (in shared memory), as `serve` has them.
    init(_ kind: StoreKind, keepsMetrics: Bool = false, adjust: (inout ServiceConfiguration) -> Void = { _ in }) throws
    {
        database = try TestDatabase(kind, migrate: false)
        var configuration = ServiceConfiguration(
            database: database.location,
            tokens: TokenSettings(
                key: Array("unit-test-signing-key-0123456789abcdef".utf8), issuer: "test-issuer",
                audience: "test-audience", leeway: 10),
            passwords: PasswordPolicy(scheme: .yescrypt, cost: 1))
        adjust(&configuration)
        self.configuration = configuration
        let clock = clock
        service = Service(
            configuration: configuration, logger: log.logger, mailTransport: mail, clock: { clock.now },
            keepsMetrics: keepsMetrics)
        try service.prepareStorage()
        thread = service.makeThreadContext()
    }

    deinit {
        database.remove()
    }

    /// The serving thread's own connection, for states no endpoint makes. Statements run as
    /// written on either database.
    func connection() throws -> any SQLDatabase {
        guard let store = try thread.store() as? SQLStore else {
            throw FixtureError(description: "the service's store is not an SQLStore")
        }
        return store.database
    }

    func call(_ method: String, _ path: String, json: String? = nil, token: String? = nil, userAgent: String? = nil)
        -> Response
    {
        let request = Request(
            method: method, path: path, contentType: json == nil ? nil : "application/json",
            authorization: token.map { "Bearer \($0)" }, userAgent: userAgent, remoteAddress: "127.0.0.1",
            body: .bytes(Array((json ?? "").utf8)))
        return service.respond(to: request, on: thread)
    }

    /// `GET /api/users` with `query`, as `token`'s holder.
    func listUsers(_ query: String, token: String) -> Response {
        var request = Request(
            method: "GET", path: "/api/users", query: QueryParameters(parsing: query), authorization: "Bearer \(token)")
        request.remoteAddress = "127.0.0.1"
        return service.respond(to: request, on: thread)
    }

    /// Serves a POST of `json` to `path` as the servers do (the answer sent, then its
    /// follow-up run) and counts the rows of `table` when the answer is sent and after.
    func rowsAroundAnswer(_ path: String, json: String, table: String) throws
        -> (status: HTTPStatus, whenSent: Int?, after: Int)
    {
        let connection = try connection()
        func count() throws -> Int {
            var count = 0
            try connection.query("SELECT COUNT(*) FROM \(table)", []) { count = Int($0.integer(0)) }
            return count
        }
        let request = Request(
            method: "POST", path: path, contentType: "application/json", body: .bytes(Array(json.utf8)))
        let (response, followUp) = service.serve(request, on: thread)
        let whenSent = try? count()
        if let followUp { service.run(followUp, on: thread) }
        return (response.status, whenSent, try count())
    }

    @discardableResult
    func register(_ username: String, password: String = "correct horse", extra: String = "") -> Response {
        call(
            "POST", "/api/auth/register",
            json: #"{"username":"\#(username)","email":"\#(username)@example.com","password":"\#(password)"\#(extra)}"#)
    }

    func login(_ username: String, password: String = "correct horse") -> Response {
        call("POST", "/api/auth/login", json: #"{"username":"\#(username)","password":"\#(password)"}"#)
    }

    /// The access and refresh tokens of a successful login.
    func tokens(_ username: String, password: String = "correct horse") throws -> (access: String, refresh: String) {
        let response = login(username, password: password)
        guard case .object(let body)? = response.json, case .string(let access)? = body["access_token"],
            case .string(let refresh)? = body["refresh_token"]
        else { throw FixtureError(description: "login failed: \(response.bodyText)") }
        return (access, refresh)
    }

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
    }
}

extension Response {
    func member(_ path: String...) -> JSONValue? {
        var value = json
        for name in path {
            guard case .object(let object)? = value else { return nil }
            value = object[name]
        }
        return value
    }
}
