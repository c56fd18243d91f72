import Glibc
import UserCore
import UserLogic

/// The parsers that face the network, each as a function of arbitrary bytes. `AuthFuzz`
/// feeds them to libFuzzer (`make fuzz`); the unit tests replay the kept corpus
/// (`Fuzz/corpus/<harness>/`) on every `make test`. A harness traps (crashes) when an
/// invariant breaks; a thrown error is an ordinary outcome.
public enum FuzzHarness: String, CaseIterable, Sendable {
    /// JSON bodies: parse, and a parsed value must survive a write/parse round trip.
    case json
    /// CGI params (`NAME=value` lines, then a blank line, then the body) → `Request` → routing.
    case cgi
    /// Query strings.
    case query
    /// Method and path against the API's routes.
    case router
    /// Token strings, and signed tokens with arbitrary claims, through the verifier.
    case jwt
    /// `.env` text and the values it sets, through the configuration parsers.
    case dotenv
    /// Request bodies for every JSON endpoint, through the whole service on a real SQLite file.
    case bodies

    public func run(_ bytes: [UInt8]) {
        switch self {
        case .json: Self.json(bytes)
        case .cgi: Self.cgi(bytes)
        case .query: _ = QueryParameters(parsing: String(decoding: bytes, as: UTF8.self))
        case .router: Self.router(bytes)
        case .jwt: Self.jwt(bytes)
        case .dotenv: Self.dotenv(bytes)
        case .bodies: Self.bodies(bytes)
        }
    }

    static func json(_ bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes) else { return }
        let written = JSONWriter.encode(value)
        guard let again = try? JSONParser.parse(written) else { fatalError("written JSON doesn't parse") }
        // NaN/∞ print as null, and -0 as 0: compare the printed forms.
        guard JSONWriter.encode(again) == written else { fatalError("JSON round trip changed the value") }
    }

    static func cgi(_ bytes: [UInt8]) {
        let (parameters, body) = cgiParameters(bytes)
        let request = Request(cgi: parameters, body: .bytes(body))
        _ = environment.service.router.match(method: request.method, path: request.path)
    }

    static func router(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let method = text.prefix { $0 != " " }
        let path = text.drop { $0 != " " }.dropFirst()
        _ = environment.service.router.match(method: String(method), path: String(path))
    }

    static func jwt(_ bytes: [UInt8]) {
        let codec = environment.tokens
        _ = try? codec.verify(String(decoding: bytes, as: UTF8.self), now: 1_800_000_000)
        // The same bytes as a payload, properly signed: only the claim checks can refuse it.
        let signingInput = "eyJhbGciOiJIUzI1NiJ9." + Base64URL.encode(bytes)
        let signature = Base64URL.encode(HMACSHA256(key: environment.key).authenticate(Array(signingInput.utf8)))
        _ = try? codec.verify(signingInput + "." + signature, now: 1_800_000_000)
    }

    static func dotenv(_ bytes: [UInt8]) {
        guard let values = try? DotEnv.parse(String(decoding: bytes, as: UTF8.self)) else { return }
        for value in values.values {
            _ = try? DatabaseLocation.parse(value)
            _ = try? MailSettings.parse(value)
        }
        let source = ConfigSource(environment: [:], dotEnv: values)
        for name in values.keys {
            _ = try? source.read(IntegerSetting(name, default: 0, range: 0...100, help: ""))
            _ = try? source.read(BooleanSetting(name, default: false, help: ""))
        }
    }

    /// The first byte picks the endpoint, the rest is the body.
    static func bodies(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let endpoints = environment.jsonEndpoints
        let (method, path, token) = endpoints[Int(selector) % endpoints.count]
        let request = Request(
            method: method, path: path, contentType: "application/json", authorization: token.map { "Bearer \($0)" },
            body: .bytes(Array(bytes.dropFirst())))
        let response = environment.service.respond(to: request, on: environment.thread)
        guard response.status.code < 500 else {
            fatalError(
                "\(method) \(path) answered \(response.status.code): \(String(decoding: response.body, as: UTF8.self))")
        }
    }

    /// `NAME=value` lines up to an empty line; the rest is the body.
    static func cgiParameters(_ bytes: [UInt8]) -> ([String: String], [UInt8]) {
        var parameters: [String: String] = [:]
        var rest = bytes[...]
        while let newline = rest.firstIndex(of: 0x0A) {
            let line = rest[..<newline]
            rest = rest[(newline + 1)...]
            if line.isEmpty { break }
            let text = String(decoding: line, as: UTF8.self)
            if let equals = text.firstIndex(of: "=") {
                parameters[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
        }
        return (parameters, Array(rest))
    }

    /// One service over a temporary SQLite file, shared by every run of a process, with an
    /// admin and a user to authenticate as.
    static let environment = FuzzEnvironment()
}

/// What the stateful harnesses share.
final class FuzzEnvironment: @unchecked Sendable {
    // @unchecked: built once before fuzzing starts, then used from libFuzzer's one thread.
    let key = Array("fuzzing-signing-key-0123456789abcdef".utf8)
    let service: Service
    let thread: ThreadContext
    let tokens: TokenCodec
    /// Every POST/PUT/PATCH route, without and with an admin's access token.
    let jsonEndpoints: [(String, String, String?)]

    init() {
        var template = Array("/tmp/auth-fuzz-XXXXXX".utf8CString)
        let directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        let configuration = ServiceConfiguration(
            database: .sqlite(path: directory + "/auth.db"),
            tokens: TokenSettings(key: key, issuer: "fuzz", audience: "fuzz", leeway: 10),
            adminRegistrationKey: "fuzz-admin-key", passwords: PasswordPolicy(scheme: .yescrypt, cost: 1))
        let logger = Logger(minimumLevel: .error, sink: StandardErrorSink())
        do {
            service = Service(
                configuration: configuration, logger: logger,
                mailTransport: try FileMailTransport(directory: directory + "/mail"))
            try service.prepareStorage()
        } catch {
            fatalError("fuzz environment: \(error)")
        }
        thread = service.makeThreadContext()
        tokens = TokenCodec(settings: configuration.tokens)
        let register = Request(
            method: "POST", path: "/api/auth/register", contentType: "application/json",
            body: .bytes(
                Array(
                    #"{"username":"fuzzadmin","email":"fuzz@example.com","password":"fuzz password","admin_key":"fuzz-admin-key"}"#
                        .utf8)))
        _ = service.respond(to: register, on: thread)
        let login = service.respond(
            to: Request(
                method: "POST", path: "/api/auth/login", contentType: "application/json",
                body: .bytes(Array(#"{"username":"fuzzadmin","password":"fuzz password"}"#.utf8))),
            on: thread)
        var token: String?
        if case .object(let body)? = try? JSONParser.parse(login.body), case .string(let access)? = body["access_token"]
        {
            token = access
        }
        let routes = service.router.routes.filter { ["POST", "PUT", "PATCH"].contains($0.method) }
        jsonEndpoints = routes.flatMap { route in
            let path = route.pattern.description.replacingParameters()
            return [(route.method, path, nil), (route.method, path, token)]
        }
    }
}

extension String {
    /// A concrete path for a route pattern: `{id:int}` → `1`, `{id}` → `x`.
    fileprivate func replacingParameters() -> String {
        split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") ? (segment.hasSuffix(":int}") ? "1" : "x") : String(segment)
        }.joined(separator: "/")
    }
}
