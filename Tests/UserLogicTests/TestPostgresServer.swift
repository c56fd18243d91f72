import Glibc
import Synchronization

@testable import UserCore

/// The PostgreSQL server the store tests run against: `AUTH_TEST_POSTGRES_URL` when it is
/// set (a role that may create databases), else a throwaway server this test process starts
/// itself from Debian's postgresql package: `initdb` into a temporary directory, `postgres`
/// on a unix socket in it (no TCP port), run as `nobody` when the tests run as root
/// (PostgreSQL refuses root). A watchdog shell holds the server: it stops it and removes
/// the directory when this process exits, however it exits (its standard input is a pipe
/// only this process writes to).
///
/// Missing server binaries are a test failure, not a skip: `make test` installs them
/// (`scripts/install-deps test`).
enum TestPostgres {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Started once per test process, on first use.
    static let server: Result<PostgresLocation, Failure> = start()

    private static let counter = Atomic<Int>(0)

    /// A new empty database on the server, named uniquely for this process.
    static func freshDatabase() throws -> PostgresLocation {
        let admin = try server.get()
        let name = "t\(getpid())_\(counter.add(1, ordering: .relaxed).newValue)_\(Hex.encode(SecureRandom.bytes(3)))"
        let connection = try PostgresConnection(location: admin)
        try connection.execute("CREATE DATABASE \(name)")
        return admin.with(database: name)
    }

    /// Drops a database `freshDatabase` made (only needed on a server that outlives us).
    static func drop(_ location: PostgresLocation) {
        guard case .success(let admin) = server,
            let name = location.parameters.last(where: { $0.keyword == "dbname" })?.value,
            let connection = try? PostgresConnection(location: admin)
        else { return }
        _ = try? connection.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    static var isExternal: Bool { getenv("AUTH_TEST_POSTGRES_URL") != nil }

    private static func start() -> Result<PostgresLocation, Failure> {
        if let url = getenv("AUTH_TEST_POSTGRES_URL").map({ String(cString: $0) }) {
            do {
                return .success(try PostgresLocation.parse(url))
            } catch {
                return .failure(Failure(description: "AUTH_TEST_POSTGRES_URL: \(error)"))
            }
        }
        guard let bin = serverBinaries() else {
            return .failure(
                Failure(
                    description: "PostgreSQL's initdb/postgres not found in /usr/lib/postgresql/*/bin: install the "
                        + "postgresql package (make deps-test) or set AUTH_TEST_POSTGRES_URL"))
        }
        var template = Array("/tmp/ulpg-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            return .failure(Failure(description: "mkdtemp failed"))
        }
        let directory = String(cString: made)
        var command: [String] = []
        if geteuid() == 0 {
            guard let nobody = getpwnam("nobody") else { return .failure(Failure(description: "no user nobody")) }
            chown(directory, nobody.pointee.pw_uid, nobody.pointee.pw_gid)
            command = ["/usr/sbin/runuser", "-u", "nobody", "--"]
        }
        let script = """
            set -e
            "$0/initdb" -D "$1/data" -U postgres -E UTF8 --locale=C.UTF-8 -A trust >"$1/initdb.log" 2>&1
            "$0/postgres" -D "$1/data" -k "$1" -c listen_addresses= -c fsync=off -c synchronous_commit=off \\
                -c full_page_writes=off -c max_connections=200 >"$1/postgres.log" 2>&1 &
            pid=$!
            cat >/dev/null || true
            kill -INT "$pid" 2>/dev/null || true
            wait "$pid" || true
            rm -rf "$1"
            """
        command += ["/bin/sh", "-c", script, bin, directory]
        guard let child = spawnWatchdog(command) else {
            return .failure(Failure(description: "could not start the PostgreSQL watchdog shell"))
        }
        let admin: PostgresLocation
        do {
            admin = try PostgresLocation.parse("postgresql:///postgres?host=\(directory)&user=postgres")
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
        // Ready when a connection succeeds; initdb and start take a few seconds.
        for _ in 0..<600 {
            if (try? PostgresConnection(location: admin)) != nil { return .success(admin) }
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child {
                return .failure(
                    Failure(
                        description: "the PostgreSQL server did not start: "
                            + (FileSystem.readFile(directory + "/initdb.log") ?? "")
                            + (FileSystem.readFile(directory + "/postgres.log") ?? "")))
            }
            usleep(50_000)
        }
        return .failure(
            Failure(description: "the PostgreSQL server in \(directory) did not accept connections in 30 s"))
    }

    /// The newest /usr/lib/postgresql/<version>/bin holding initdb, or AUTH_TEST_PG_BIN.
    private static func serverBinaries() -> String? {
        if let bin = getenv("AUTH_TEST_PG_BIN").map({ String(cString: $0) }) { return bin }
        for version in (10...30).reversed() {
            let bin = "/usr/lib/postgresql/\(version)/bin"
            if access(bin + "/initdb", X_OK) == 0 && access(bin + "/postgres", X_OK) == 0 { return bin }
        }
        return nil
    }

    /// Spawns `command` with its standard input the read end of a pipe whose write end
    /// this process keeps (and never closes) until it exits.
    private static func spawnWatchdog(_ command: [String]) -> pid_t? {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        // Only this process may hold the write end (the child gets the read end as fd 0).
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = command.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, command[0], &actions, nil, arguments, environ)
        close(ends[0])
        guard result == 0 else {
            close(ends[1])
            return nil
        }
        // ends[1] stays open on purpose: its closing at exit stops the server.
        return pid
    }
}
