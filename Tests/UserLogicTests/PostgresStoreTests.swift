import Glibc
import Testing

@testable import UserCore

/// What only the PostgreSQL store has: `DATABASE_URL` parsing, reconnecting, error mapping.
@Suite struct PostgresLocationTests {
    func parameters(_ url: String) throws -> [String: String] {
        guard case .postgresql(let location) = try DatabaseLocation.parse(url) else {
            Issue.record("\(url) is not PostgreSQL")
            return [:]
        }
        return Dictionary(location.parameters.map { ($0.keyword, $0.value) }, uniquingKeysWith: { $1 })
    }

    @Test func fullURLIsDecoded() throws {
        let parsed = try parameters(
            "postgresql://auth%40app:p%40ss%3Aw%2Frd@db.example.com:6432/auth%20db?sslmode=verify-full")
        #expect(
            parsed == [
                "user": "auth@app", "password": "p@ss:w/rd", "host": "db.example.com", "port": "6432",
                "dbname": "auth db", "sslmode": "verify-full",
            ])
    }

    @Test func shortFormsAndSockets() throws {
        #expect(try parameters("postgres://localhost/auth") == ["host": "localhost", "dbname": "auth"])
        #expect(
            try parameters("postgresql:///auth?host=/run/postgresql") == ["host": "/run/postgresql", "dbname": "auth"])
        #expect(
            try parameters("postgresql://%2Frun%2Fpostgresql/auth") == ["host": "/run/postgresql", "dbname": "auth"])
        #expect(try parameters("postgresql://") == [:])
        #expect(
            try parameters("postgresql://u@[::1]:5433/db") == [
                "user": "u", "host": "::1", "port": "5433", "dbname": "db",
            ])
        #expect(
            try parameters("postgresql://h1:5432,h2/db?target_session_attrs=read-write")
                == ["host": "h1,h2", "port": "5432,", "dbname": "db", "target_session_attrs": "read-write"])
        #expect(try parameters("postgresql://h/db?ssl=true")["sslmode"] == "require")
        #expect(try parameters("postgresql://u:@h/db")["password"] == "")
    }

    @Test func badURLsAreRefusedWithoutShowingThePassword() {
        for bad in [
            "postgresql://u:secret@h:99999/db", "postgresql://u:secret@h:port/db",
            "postgresql://u:secret@h/db?sslmode=maybe",
            "postgresql://u:secret@h/db?sslmod=require", "postgresql://u:sec%zzret@h/db",
            "postgresql://u:secret@h/db?flag",
            "postgresql://u:secret@[::1/db",
        ] {
            do {
                _ = try DatabaseLocation.parse(bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.variable == "DATABASE_URL")
                #expect(!error.problem.contains("secret"), "\(error)")
            }
        }
    }

    @Test func descriptionsHideThePassword() throws {
        let location = try DatabaseLocation.parse("postgresql://app:s3cret@h/db?password=other&sslmode=require")
        let text = "\(location) \(String(describing: location)) \(String(reflecting: location))"
        #expect(!text.contains("s3cret") && !text.contains("other"))
        guard case .postgresql(let postgres) = location else { return }
        #expect(postgres.description == "postgresql://app:***@h/db?password=***&sslmode=require")
        // Defaults first, the URL's values after them (libpq keeps the last), UTF-8 last.
        #expect(postgres.conninfo.hasPrefix("connect_timeout='5' "))
        #expect(postgres.conninfo.hasSuffix("password='other' sslmode='require' client_encoding='UTF8'"))
        #expect(PostgresLocation.quoted(#"it's a \ test"#) == #"it\'s a \\ test"#)
    }

    @Test func developmentKeyLivesInVarForPostgreSQL() throws {
        #expect(
            DevelopmentKey.jwt.path(nextTo: try DatabaseLocation.parse("postgresql://h/db")) == "var/jwt-secret.key")
        #expect(DevelopmentKey.jwt.path(nextTo: .sqlite(path: "/srv/auth/auth.db")) == "/srv/auth/jwt-secret.key")
    }
}

@Suite struct PostgresStoreTests {
    func database() throws -> (TestDatabase, PostgresLocation) {
        let database = try TestDatabase(.postgresql)
        guard case .postgresql(let location) = database.location else { throw TestPostgres.Failure(description: "?") }
        return (database, location)
    }

    func store(_ location: PostgresLocation) -> SQLStore {
        SQLStore(database: PostgresDatabase(location: location))
    }

    func connection(of store: SQLStore) throws -> PostgresConnection {
        try #require(store.database as? PostgresDatabase).connection()
    }

    @Test func reconnectsAfterTheServerEndsTheConnection() throws {
        let (database, location) = try database()
        defer { database.remove() }
        let store = store(location)
        let user = try store.createUser(newUser("lena"))
        let pid = try connection(of: store).query("SELECT pg_backend_pid()") { $0.integer(0) }.first ?? 0
        // What a server restart does to every connection: the server ends it.
        let admin = try PostgresConnection(location: location)
        #expect(try admin.query("SELECT pg_terminate_backend($1::int)", [.integer(pid)]) { $0.bool(0) } == [true])
        for _ in 0..<100 {
            let left = try admin.query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [.integer(pid)]) {
                $0.integer(0)
            }
            if left == [0] { break }
            usleep(20_000)
        }
        // The next call finds the connection closed before sending anything and reconnects.
        #expect(try store.user(id: user.id) == user)
        let newPID = try connection(of: store).query("SELECT pg_backend_pid()") { $0.integer(0) }.first
        #expect(newPID != pid)
    }

    @Test func anUnreachableServerIsUnavailableAtOnce() throws {
        let store = store(try PostgresLocation.parse("postgresql:///auth?host=/nonexistent-socket-dir&user=nobody"))
        let start = Timestamp.now()
        for _ in 0..<3 {
            #expect {
                try store.checkHealth()
            } throws: { error in
                guard case .unavailable(let reason)? = error as? StoreError else { return false }
                return reason.contains("nonexistent-socket-dir")
            }
            #expect(throws: StoreError.self) { try store.user(id: 1) }
            #expect(throws: StoreError.self) { try store.transaction { 1 } }
        }
        #expect(Timestamp.now() - start < 3)
    }

    @Test func timeoutsAreUnavailableAndRolledBack() throws {
        let (database, location) = try database()
        defer { database.remove() }
        let store = store(location)
        #expect {
            try store.transaction {
                _ = try store.createUser(newUser("nils"))
                try store.database.execute("SET LOCAL statement_timeout = 50")
                _ = try store.rows(SQL("SELECT pg_sleep(2)")) { _ in () }
            }
        } throws: { error in
            guard case .unavailable(let reason)? = error as? StoreError else { return false }
            return reason.contains("57014")
        }
        #expect(try store.user(username: "nils") == nil)
        #expect(try store.createUser(newUser("nils")).username == "nils")
    }
}
