import Glibc
import UserLogic

/// Backend-only benchmarks: requests go straight into `Service.respond`, as the FastCGI loop
/// sends them, so the figures are the backend's own time without nginx or sockets.
///
/// Usage: auth-bench users-list [--users N] [--iterations N] [--database PATH]

struct Options {
    var users = 100_000
    var iterations = 500
    /// Where to keep the seeded database; a temporary one is deleted at the end otherwise.
    var database: String?
}

func parseOptions(_ arguments: ArraySlice<String>) -> Options {
    var options = Options()
    var remaining = arguments
    while let flag = remaining.popFirst() {
        if flag == "--database" {
            guard let path = remaining.popFirst() else { fail("--database needs a path") }
            options.database = path
            continue
        }
        guard let value = remaining.popFirst().flatMap({ Int($0) }), value > 0 else {
            fail("\(flag) needs a positive number")
        }
        switch flag {
        case "--users": options.users = value
        case "--iterations": options.iterations = value
        default: fail("unknown option \(flag)")
        }
    }
    return options
}

func fail(_ message: String) -> Never {
    let line = Array("auth-bench: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

func temporaryDirectory() -> String {
    var template = Array("/tmp/auth-bench-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
}

/// Seeds `count` users in one transaction: a tenth ADMIN, a fifth disabled, two thirds with
/// a last login, names drawn from a small pool so `q` finds a few per cent of them.
func seedUsers(_ count: Int, into service: Service, thread: ThreadContext) throws {
    let store = try thread.store()
    let hash = try PasswordHasher(policy: PasswordPolicy(scheme: .yescrypt, cost: 1)).hash("bench password")
    let firstNames = ["Ada", "Grace", "Linus", "Zoë", "Ken", "Barbara", "Dennis", "Margaret", "Alan", "Frances"]
    var generator = SystemRandomNumberGenerator()
    try store.transaction {
        for index in 0..<count {
            let user = try store.createUser(
                NewUser(
                    username: "user\(index)", email: "user\(index)@example.com", passwordHash: hash,
                    firstName: firstNames[index % firstNames.count], lastName: "Tester\(index % 997)",
                    role: index % 10 == 0 ? .admin : .user, active: index % 5 != 1,
                    createdAt: 1_700_000_000 + Int64.random(in: 0..<10_000_000, using: &generator)))
            if index % 3 != 0 {
                _ = try store.recordSuccessfulLogin(userID: user.id, now: 1_750_000_000 + Int64(index))
            }
        }
    }
}

func benchmarkUsersList(_ options: Options) throws {
    let directory = temporaryDirectory()
    let configuration = ServiceConfiguration(
        database: .sqlite(path: options.database ?? directory + "/auth.db"),
        tokens: TokenSettings(key: Array(repeating: 7, count: 32), issuer: "bench", audience: "bench", leeway: 10),
        passwords: PasswordPolicy(scheme: .yescrypt, cost: 1))
    let service = Service(
        configuration: configuration, logger: .standardError(minimumLevel: .warning),
        mailTransport: try FileMailTransport(directory: directory + "/mail"))
    try service.prepareStorage()
    let thread = service.makeThreadContext()

    let seedStart = monotonicNanoseconds()
    try seedUsers(options.users, into: service, thread: thread)
    print("seeded \(options.users) users in \((monotonicNanoseconds() - seedStart) / 1_000_000) ms")

    let login = service.respond(
        to: Request(
            method: "POST", path: "/api/auth/login", contentType: "application/json",
            body: .bytes(Array(#"{"username":"user0","password":"bench password"}"#.utf8))),
        on: thread)
    guard case .object(let body)? = try? JSONParser.parse(login.body), case .string(let token)? = body["access_token"]
    else {
        fail("admin login failed: \(String(decoding: login.body, as: UTF8.self))")
    }

    let queries = [
        "page=1&per_page=20",
        "role=USER&active=true&sort=username&per_page=20",
        "active=true&sort=-created_at&per_page=20&page=50",
        "role=ADMIN&sort=-last_login_at&per_page=20",
        "sort=email&per_page=20&page=200",
        "q=zo&sort=username&per_page=20",
    ]
    print("\nbackend time per GET /api/users request (\(options.iterations) runs each, \(options.users) users)")
    print("query".padding(54) + "median µs".padding(12) + "p99 µs".padding(10) + "total")
    for query in queries {
        var samples: [UInt64] = []
        samples.reserveCapacity(options.iterations)
        var total = ""
        for _ in 0..<options.iterations {
            let request = Request(
                method: "GET", path: "/api/users", query: QueryParameters(parsing: query),
                authorization: "Bearer \(token)")
            let start = monotonicNanoseconds()
            let response = service.respond(to: request, on: thread)
            samples.append(monotonicNanoseconds() - start)
            guard response.status == .ok else { fail("\(query): \(response.status.code)") }
            if total.isEmpty, case .object(let page)? = try? JSONParser.parse(response.body),
                case .number(let count)? = page["total"]
            {
                total = String(Int(count))
            }
        }
        samples.sort()
        let median = samples[samples.count / 2] / 1000
        let p99 = samples[min(samples.count - 1, samples.count * 99 / 100)] / 1000
        print(query.padding(54) + String(median).padding(12) + String(p99).padding(10) + total)
    }
    for name in ["auth.db", "auth.db-wal", "auth.db-shm"] { unlink(directory + "/" + name) }
    rmdir(directory)
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "users-list":
    do {
        try benchmarkUsersList(parseOptions(arguments.dropFirst()))
    } catch {
        fail("\(error)")
    }
default:
    fail("usage: auth-bench users-list [--users N] [--iterations N] [--database PATH]")
}
