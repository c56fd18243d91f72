import Glibc
import UserCore
import UserLogic

/// `auth-bench metrics`: what counting a request costs on the hot path. The backend CPU of
/// whoami and health through `Service.respond`, on a service without metrics (CGI's) and one
/// with the server's shared-memory metrics, alternated batch by batch in one thread so that
/// both see the same machine. Median per call of `iterations` batches of 100.
func benchmarkMetrics(_ options: Options) throws {
    let directory = temporaryDirectory()
    defer { removeBenchDirectory(directory) }
    let plain = try makeBenchService(in: directory)
    let counted = try makeBenchService(in: directory, keepsMetrics: true)
    let plainThread = plain.makeThreadContext()
    let countedThread = counted.makeThreadContext()
    let token = try benchAccessToken(plain, on: plainThread)
    let requests = [
        ("GET /api/auth/whoami", Request(method: "GET", path: "/api/auth/whoami", authorization: "Bearer \(token)")),
        ("GET /api/health", Request(method: "GET", path: "/api/health")),
    ]
    print("backend CPU per request, one thread (median of \(options.iterations) alternated batches of 100)")
    print("request".padding(24) + "no metrics µs".padding(16) + "metrics µs".padding(14) + "ratio")
    for (label, request) in requests {
        var samples: [[UInt64]] = [[], []]
        for (index, (service, thread)) in [(plain, plainThread), (counted, countedThread)].enumerated() {
            for _ in 0..<100 { expectOK(service.respond(to: request, on: thread), label) }
            samples[index].reserveCapacity(options.iterations)
        }
        for _ in 0..<options.iterations {
            for (index, (service, thread)) in [(plain, plainThread), (counted, countedThread)].enumerated() {
                let start = threadCPUNanoseconds()
                for _ in 0..<100 { _ = service.respond(to: request, on: thread) }
                samples[index].append(threadCPUNanoseconds() - start)
            }
        }
        let medians = samples.map { Double($0.sorted()[$0.count / 2]) / 100 / 1000 }
        print(
            label.padding(24) + format2(medians[0]).padding(16) + format2(medians[1]).padding(14)
                + format2(medians[1] / medians[0]))
    }
}

/// Registers a user and returns an access token of it (both services share the database and
/// the signing key, so it serves either).
private func benchAccessToken(_ service: Service, on thread: ThreadContext) throws -> String {
    let credentials = Array(#"{"username":"metrics","email":"metrics@example.com","password":"bench password"}"#.utf8)
    let registered = service.respond(
        to: Request(
            method: "POST", path: "/api/auth/register", contentType: "application/json", body: .bytes(credentials)),
        on: thread)
    expectOK(registered, "register")
    let login = service.respond(
        to: Request(
            method: "POST", path: "/api/auth/login", contentType: "application/json",
            body: .bytes(Array(#"{"username":"metrics","password":"bench password"}"#.utf8))),
        on: thread)
    expectOK(login, "login")
    guard case .object(let object)? = try? JSONParser.parse(login.body),
        case .string(let token)? = object["access_token"]
    else { fail("login answered no access_token") }
    return token
}

private func expectOK(_ response: Response, _ label: String) {
    guard (200..<300).contains(response.status.code) else { fail("\(label) answered \(response.status.code)") }
}
