import Glibc
import UserCore
import UserLogic

/// Backend-only benchmarks: requests go straight into `Service.respond`, as the FastCGI loop
/// sends them, so the figures are the backend's own time without nginx or sockets. The
/// users-list's "CPU µs" (the median of this thread's CPU time per request) is the steadier
/// figure on a shared machine.
///
/// Usage:
///   auth-bench users-list [--users N] [--iterations N] [--database PATH | --database-url URL] [--query LABEL]
///       seeds the database (a temporary SQLite file by default; an empty PostgreSQL
///       database with `--database-url postgresql://…`) and times GET /api/users in it;
///       `--query` times only the row with that label (for a profiler).
///   auth-bench seed (--database PATH | --database-url URL) [--users N]
///       seeds a database for the HTTP benchmark (scripts/bench): every user's password is
///       "bench password", hashed once with the configured PASSWORD_SCHEME/PASSWORD_COST
///       (environment over ./.env, as the backend reads them), so a login costs what it would
///       in production and needs no rehash; user0 is an active ADMIN, user2 an active USER.
///       `--database PATH` is a SQLite file; `--database-url` takes any `DATABASE_URL`
///       (`sqlite:///…` or `postgresql://…`, an empty database).
///   auth-bench hash-rate [--seconds N] [--threads N]
///       libxcrypt alone: PasswordHasher.verify at the configured scheme and cost, on N
///       threads (2) for N seconds (3); prints hashes/s.
///   auth-bench hostile-json [--iterations N]
///       the CPU time of POST /api/auth/register with a 64 KiB body of one object with
///       thousands of members (`{"é0":0,"é1":0,…}`, and the same with ASCII names), as an
///       unauthenticated client can send it (issue #16), and a 64 KiB body the parser accepts:
///       objects of 100 members in an array; prints the median and the answer's size.
///   auth-bench tokens [--iterations N]
///       the CPU time of verifying and signing an access token under HS256, EdDSA and ES256.

struct Options {
    var users = 100_000
    var iterations = 500
    /// Where to keep the seeded database (a SQLite path, `--database`, or a `DATABASE_URL`,
    /// `--database-url`); a temporary SQLite file is deleted at the end otherwise.
    var database: DatabaseLocation?
    var seconds = 3
    var threads = 2
    /// The one users-list row to time (its label), or nil for all.
    var query: String?
}

func parseOptions(_ arguments: ArraySlice<String>) -> Options {
    var options = Options()
    var remaining = arguments
    while let flag = remaining.popFirst() {
        if flag == "--database" {
            guard let path = remaining.popFirst() else { fail("--database needs a path") }
            options.database = .sqlite(path: path)
            continue
        }
        if flag == "--query" {
            guard let label = remaining.popFirst() else { fail("--query needs a label") }
            options.query = label
            continue
        }
        if flag == "--database-url" {
            guard let url = remaining.popFirst() else { fail("--database-url needs a URL") }
            do {
                options.database = try DatabaseLocation.parse(url)
            } catch {
                fail("--database-url: \(error)")
            }
            continue
        }
        guard let value = remaining.popFirst().flatMap({ Int($0) }), value > 0 else {
            fail("\(flag) needs a positive number")
        }
        switch flag {
        case "--users": options.users = value
        case "--iterations": options.iterations = value
        case "--seconds": options.seconds = value
        case "--threads": options.threads = value
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
    nanoseconds(CLOCK_MONOTONIC)
}

/// This thread's CPU time: unlike the wall clock, it leaves out waits for a core that other
/// processes hold.
func threadCPUNanoseconds() -> UInt64 {
    nanoseconds(CLOCK_THREAD_CPUTIME_ID)
}

func nanoseconds(_ clock: clockid_t) -> UInt64 {
    var spec = timespec()
    clock_gettime(clock, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

func temporaryDirectory() -> String {
    var template = Array("/tmp/auth-bench-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
}

/// Seeds `count` users in one transaction: a tenth ADMIN, a fifth disabled, two thirds with
/// a last login, names drawn from a small pool so `q` finds a few per cent of them.
func seedUsers(
    _ count: Int, into service: Service, thread: ThreadContext,
    policy: PasswordPolicy = PasswordPolicy(scheme: .yescrypt, cost: 1)
) throws {
    let store = try thread.store()
    let hash = try PasswordHasher(policy: policy).hash("bench password")
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
                try store.recordSuccessfulLogin(userID: user.id, now: 1_750_000_000 + Int64(index))
            }
        }
    }
}

/// A prepared service for the timed benchmarks: its mail in `directory`, and its database
/// too unless `database` names one; passwords at yescrypt cost 1 (seeding stays quick).
func makeBenchService(in directory: String, database: DatabaseLocation? = nil, keepsMetrics: Bool = false) throws
    -> Service
{
    let configuration = ServiceConfiguration(
        database: database ?? .sqlite(path: directory + "/auth.db"),
        tokens: TokenSettings(key: Array(repeating: 7, count: 32), issuer: "bench", audience: "bench", leeway: 10),
        passwords: PasswordPolicy(scheme: .yescrypt, cost: 1))
    let service = Service(
        configuration: configuration, logger: .standardError(minimumLevel: .warning),
        mailTransport: try FileMailTransport(directory: directory + "/mail"), keepsMetrics: keepsMetrics)
    try service.prepareStorage()
    return service
}

/// Removes what `makeBenchService` left in `directory`, and the directory.
func removeBenchDirectory(_ directory: String) {
    for name in ["auth.db", "auth.db-wal", "auth.db-shm"] { unlink(directory + "/" + name) }
    rmdir(directory + "/mail")
    rmdir(directory)
}

func benchmarkUsersList(_ options: Options) throws {
    let directory = temporaryDirectory()
    let service = try makeBenchService(in: directory, database: options.database)
    let thread = service.makeThreadContext()

    let seedStart = monotonicNanoseconds()
    try seedUsers(options.users, into: service, thread: thread)
    print("seeded \(options.users) users in \((monotonicNanoseconds() - seedStart) / 1_000_000) ms")
    if let postgres = (try thread.store() as? SQLStore)?.database as? PostgresDatabase {
        // As scripts/bench does: the figures of a running service, not of the minute before
        // autovacuum's first visit.
        try postgres.vacuumAnalyze()
    }

    let login = service.respond(
        to: Request(
            method: "POST", path: "/api/auth/login", contentType: "application/json",
            body: .bytes(Array(#"{"username":"user0","password":"bench password"}"#.utf8))),
        on: thread)
    guard case .object(let body)? = try? JSONParser.parse(login.body), case .string(let token)? = body["access_token"]
    else {
        fail("admin login failed: \(String(decoding: login.body, as: UTF8.self))")
    }

    // A query per run: most rows are one query, the first walks pages 1…100 like the HTTP
    // benchmark's users page.
    let queries: [(label: String, query: (Int) -> String)] =
        [("page=1..100&per_page=20", { "page=\($0 % 100 + 1)&per_page=20" })]
        + [
            "page=1&per_page=20",
            "role=USER&active=true&sort=username&per_page=20",
            "active=true&sort=-created_at&per_page=20&page=50",
            "role=ADMIN&sort=-last_login_at&per_page=20",
            "sort=email&per_page=20&page=200",
            "q=zo&sort=username&per_page=20",
        ].map { query in (query, { _ in query }) }
    print("\nbackend time per GET /api/users request (\(options.iterations) runs each, \(options.users) users)")
    print("query".padding(54) + "median µs".padding(12) + "p99 µs".padding(10) + "CPU µs".padding(10) + "total")
    for (label, query) in queries where options.query.map({ $0 == label }) ?? true {
        var samples: [UInt64] = []
        var cpuSamples: [UInt64] = []
        samples.reserveCapacity(options.iterations)
        cpuSamples.reserveCapacity(options.iterations)
        var total = ""
        for run in 0..<options.iterations {
            let request = Request(
                method: "GET", path: "/api/users", query: QueryParameters(parsing: query(run)),
                authorization: "Bearer \(token)")
            let start = monotonicNanoseconds()
            let cpuStart = threadCPUNanoseconds()
            let response = service.respond(to: request, on: thread)
            cpuSamples.append(threadCPUNanoseconds() - cpuStart)
            samples.append(monotonicNanoseconds() - start)
            guard response.status == .ok else { fail("\(label): \(response.status.code)") }
            if total.isEmpty, case .object(let page)? = try? JSONParser.parse(response.body),
                case .number(let count)? = page["total"]
            {
                total = String(Int(count))
            }
        }
        samples.sort()
        cpuSamples.sort()
        let median = samples[samples.count / 2] / 1000
        let p99 = samples[min(samples.count - 1, samples.count * 99 / 100)] / 1000
        let cpu = format1(Double(cpuSamples[cpuSamples.count / 2]) / 1000)
        print(label.padding(54) + String(median).padding(12) + String(p99).padding(10) + cpu.padding(10) + total)
    }
    removeBenchDirectory(directory)
}

/// A 64 KiB object of members `"<prefix>0":0,"<prefix>1":0,…`: the most members a body can
/// carry, which an unauthenticated client can send to POST /api/auth/register.
func hostileBody(prefix: String) -> [UInt8] {
    var body = Array("{".utf8)
    var index = 0
    while true {
        let member = Array("\"\(prefix)\(index)\":0,".utf8)
        guard body.count + member.count <= 65_536 else { break }
        body += member
        index += 1
    }
    body[body.count - 1] = UInt8(ascii: "}")
    return body
}

/// `{"a":[{"é0":0,…,"é99":0},…]}` up to 64 KiB: as many members as the limits let through.
func acceptedHostileBody() -> [UInt8] {
    let object = Array(("{" + (0..<100).map { "\"é\($0)\":0" }.joined(separator: ",") + "},").utf8)
    var body = Array(#"{"a":["#.utf8)
    while body.count + object.count + 2 <= 65_536 { body += object }
    body[body.count - 1] = UInt8(ascii: "]")
    return body + Array("}".utf8)
}

func benchmarkHostileJSON(_ options: Options) throws {
    let directory = temporaryDirectory()
    let service = try makeBenchService(in: directory)
    let thread = service.makeThreadContext()
    print("backend CPU per POST /api/auth/register with a hostile 64 KiB body (\(options.iterations) runs each)")
    print("member names".padding(20) + "bytes".padding(8) + "CPU µs".padding(10) + "status".padding(8) + "answer bytes")
    let bodies = [
        (#""é0","é1",…"#, hostileBody(prefix: "é")), (#""k0","k1",…"#, hostileBody(prefix: "k")),
        ("[{100 × é},…]", acceptedHostileBody()),
    ]
    for (label, body) in bodies {
        var cpuSamples: [UInt64] = []
        cpuSamples.reserveCapacity(options.iterations)
        var response: Response?
        for _ in 0..<options.iterations {
            let request = Request(
                method: "POST", path: "/api/auth/register", contentType: "application/json", body: .bytes(body))
            let cpuStart = threadCPUNanoseconds()
            response = service.respond(to: request, on: thread)
            cpuSamples.append(threadCPUNanoseconds() - cpuStart)
        }
        cpuSamples.sort()
        let cpu = format1(Double(cpuSamples[cpuSamples.count / 2]) / 1000)
        print(
            label.padding(20) + String(body.count).padding(8) + cpu.padding(10)
                + String(response?.status.code ?? 0).padding(8) + String(response?.body.count ?? 0))
    }
    removeBenchDirectory(directory)
}

/// PASSWORD_SCHEME and PASSWORD_COST as the backend reads them: the environment over the
/// working directory's `.env`, with the same defaults and ranges.
func configuredPasswordPolicy() throws -> PasswordPolicy {
    var environment: [String: String] = [:]
    for name in [Settings.passwordScheme.name, Settings.passwordCost.name] {
        if let value = getenv(name) { environment[name] = String(cString: value) }
    }
    let dotEnv = try FileSystem.readFile(".env").map { text throws(ConfigError) in try DotEnv.parse(text) } ?? [:]
    let source = ConfigSource(environment: environment, dotEnv: dotEnv)
    let scheme = try source.read(Settings.passwordScheme)
    return PasswordPolicy(scheme: scheme, cost: try Settings.passwordCost.read(from: source, for: scheme))
}

func seedDatabase(_ options: Options) throws {
    guard let database = options.database else { fail("seed needs --database PATH or --database-url URL") }
    let policy = try configuredPasswordPolicy()
    let directory = temporaryDirectory()
    defer {
        rmdir(directory + "/mail")
        rmdir(directory)
    }
    let configuration = ServiceConfiguration(
        database: database,
        tokens: TokenSettings(key: Array(repeating: 7, count: 32), issuer: "bench", audience: "bench", leeway: 10),
        passwords: policy)
    let service = Service(
        configuration: configuration, logger: .standardError(minimumLevel: .warning),
        mailTransport: try FileMailTransport(directory: directory + "/mail"))
    try service.prepareStorage()
    let thread = service.makeThreadContext()
    let start = monotonicNanoseconds()
    try seedUsers(options.users, into: service, thread: thread, policy: policy)
    print(
        "seeded \(options.users) users into \(database.benchDescription) in \((monotonicNanoseconds() - start) / 1_000_000) ms "
            + "(\(policy.scheme) cost \(policy.cost))")
}

/// One hash-rate thread's work: verifies until the deadline, counting.
final class HashRateWorker: @unchecked Sendable {
    // Written only by its own thread before it ends; read after pthread_join.
    let policy: PasswordPolicy
    let deadline: UInt64
    var count = 0
    var failed = false

    init(policy: PasswordPolicy, deadline: UInt64) {
        self.policy = policy
        self.deadline = deadline
    }

    func run() {
        let hasher = PasswordHasher(policy: policy)
        guard let stored = try? hasher.hash("bench password") else {
            failed = true
            return
        }
        while monotonicNanoseconds() < deadline {
            guard hasher.verify("bench password", against: stored) else {
                failed = true
                return
            }
            count += 1
        }
    }
}

func hashRateThreadMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    Unmanaged<HashRateWorker>.fromOpaque(argument!).takeUnretainedValue().run()
    return nil
}

func benchmarkHashRate(_ options: Options) throws {
    let policy = try configuredPasswordPolicy()
    let start = monotonicNanoseconds()
    let deadline = start + UInt64(options.seconds) * 1_000_000_000
    let workers = (0..<options.threads).map { _ in HashRateWorker(policy: policy, deadline: deadline) }
    var threads: [pthread_t] = []
    for worker in workers {
        var thread = pthread_t()
        guard pthread_create(&thread, nil, hashRateThreadMain, Unmanaged.passUnretained(worker).toOpaque()) == 0
        else { fail("pthread_create failed") }
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
    let elapsed = Double(monotonicNanoseconds() - start) / 1e9
    guard !workers.contains(where: { $0.failed }) else { fail("hashing failed") }
    let total = workers.reduce(0) { $0 + $1.count }
    let rate = Double(total) / elapsed
    print(
        "hash-rate: \(policy.scheme) cost \(policy.cost), \(options.threads) threads, \(total) verifies in "
            + "\(format2(elapsed)) s: \(format2(rate)) hashes/s (\(format2(elapsed * 1000 * Double(options.threads) / Double(max(total, 1)))) ms per hash per thread)"
    )
    withExtendedLifetime(workers) {}
}

/// One decimal without Foundation.
func format1(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}

/// Two decimals without Foundation.
func format2(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

extension DatabaseLocation {
    /// The SQLite path, or the PostgreSQL location (its description hides any password).
    var benchDescription: String {
        switch self {
        case .sqlite(let path): path
        case .postgresql(let location): "\(location)"
        }
    }
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
case "seed":
    do {
        try seedDatabase(parseOptions(arguments.dropFirst()))
    } catch {
        fail("\(error)")
    }
case "hash-rate":
    do {
        try benchmarkHashRate(parseOptions(arguments.dropFirst()))
    } catch {
        fail("\(error)")
    }
case "hostile-json":
    do {
        var options = parseOptions(arguments.dropFirst())
        if !arguments.contains("--iterations") { options.iterations = 50 }
        try benchmarkHostileJSON(options)
    } catch {
        fail("\(error)")
    }
case "tokens":
    benchmarkTokens(parseOptions(arguments.dropFirst()))
case "metrics":
    do {
        try benchmarkMetrics(parseOptions(arguments.dropFirst()))
    } catch {
        fail("\(error)")
    }
default:
    fail(
        "usage: auth-bench users-list [--users N] [--iterations N] [--database PATH | --database-url URL]"
            + " [--query LABEL]\n"
            + "       auth-bench seed (--database PATH | --database-url URL) [--users N]\n"
            + "       auth-bench hash-rate [--seconds N] [--threads N]\n"
            + "       auth-bench hostile-json [--iterations N]\n"
            + "       auth-bench tokens [--iterations N]\n"
            + "       auth-bench metrics [--iterations N]")
}
