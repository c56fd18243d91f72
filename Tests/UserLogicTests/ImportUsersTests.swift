import Testing

@testable import UserCore
@testable import UserImport

/// The importer end to end: a Flask-style SQLite source (and JSON lines) into a migrated
/// store, both in a temporary directory.
@Suite struct ImportUsersTests {
    let directory = TemporaryDirectory()
    var sourcePath: String { directory.path + "/flask.db" }

    /// Python's bcrypt of "correct horse battery staple".
    static let bcrypt = "$2b$04$diMsLFB5xhOH02agfDxiU.hI7vftV7ofFp5EjPacS5ScInYOe2ubC"
    /// Werkzeug's pbkdf2 of "correct horse".
    static let pbkdf2 =
        "pbkdf2:sha256:1000$pvctQChkdgXrqUSv$7fbe876eeaa460c40a0c15a91243677cd4701f78a02ee0194b267374ac8b8f18"

    func cleanUp() {
        for name in ["flask.db", "flask.db-wal", "flask.db-shm", "users.jsonl"] {
            unlinkFile(directory.path + "/" + name)
        }
        directory.remove()
    }

    /// A `user` table as Flask-SQLAlchemy creates it, with `rows` of
    /// (id, username, email, password_hash, role, is_active, created_at).
    func makeSource(_ rows: [(Int, String, String, String?, String?, Int?, String?)]) throws {
        let connection = try SQLiteConnection(path: sourcePath)
        try connection.execute(
            """
            CREATE TABLE user (
                id INTEGER NOT NULL, username VARCHAR(80) NOT NULL, email VARCHAR(120) NOT NULL,
                password_hash VARCHAR(256), first_name VARCHAR(50), last_name VARCHAR(50), role VARCHAR(20),
                is_active BOOLEAN, created_at DATETIME, updated_at DATETIME, reset_token VARCHAR(100),
                PRIMARY KEY (id), UNIQUE (username), UNIQUE (email)
            )
            """)
        for row in rows {
            try connection.run(
                "INSERT INTO user VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, NULL, 'SECRET-RESET-TOKEN')",
                [
                    .integer(Int64(row.0)), .text(row.1), .text(row.2), .text(row.3), .text(row.4),
                    .integer(row.5.map(Int64.init)), .text(row.6),
                ])
        }
        try connection.execute("PRAGMA journal_mode = DELETE")  // SQLite's default, as Flask apps leave it
    }

    func target() throws -> any UserImportStore {
        let location = DatabaseLocation.sqlite(path: directory.path + "/auth.db")
        try StoreFactory(location: location).prepare()
        return try #require(try StoreFactory(location: location).open() as? any UserImportStore)
    }

    func run(
        _ store: any UserImportStore, source: (any UserSource)? = nil, overrides: String? = nil,
        configure: (inout ImportOptions) -> Void = { _ in }
    ) throws -> (ImportSummary, [ImportEvent]) {
        let source = try source ?? SQLiteUserSource(path: sourcePath)
        var mapping = ColumnMapping(detectingIn: source.columns)
        if let overrides { try mapping.apply(overrides) }
        var options = ImportOptions(now: 1_800_000_000)
        configure(&options)
        let events = EventLog()
        let summary = try UserImporter(source: source, mapping: mapping, store: store, options: options).run {
            events.append($0)
        }
        return (summary, events.events)
    }

    static let standardRows: [(Int, String, String, String?, String?, Int?, String?)] = [
        (101, "alice", "Alice@Example.com", bcrypt, "ADMIN", 1, "2024-01-31 12:34:56.123456"),
        (102, "bob", "bob@example.com", pbkdf2, "User", 0, nil),
        (103, "x y", "xy@example.com", pbkdf2, "USER", 1, nil),
        (104, "ALICE", "alice2@example.com", pbkdf2, "USER", 1, nil),
        (105, "carol", "BOB@example.com", pbkdf2, "USER", 1, nil),
        (106, "dave", "dave@example.com", "scrypt:1048576:8:1$salt$" + String(repeating: "00", count: 64), nil, 1, nil),
        (107, "erin", "erin@example.com", "hunter2", nil, 1, nil),
        (108, "frank", "frank@example.com", nil, nil, 1, nil),
    ]

    @Test func importsValidRowsAndReportsTheRest() throws {
        defer { cleanUp() }
        try makeSource(Self.standardRows)
        let store = try target()
        let (summary, events) = try run(store)
        #expect(summary.rowsRead == 8)
        #expect(summary.accepted == 2)
        #expect(summary.written)
        // "Alice@Example.com" is stored lower-cased; the skipped "BOB@example.com" is not counted.
        #expect(summary.lowercasedEmails == 1)
        #expect(
            summary.skipped == [
                .invalidUsername: 1, .duplicateUsername: 1, .duplicateEmail: 1, .hashOverCap: 1, .unsupportedHash: 1,
                .missingValue: 1,
            ])
        let skips = events.compactMap { event -> ImportSkip? in
            if case .skipped(let skip) = event { return skip }
            return nil
        }
        #expect(
            skips.map(\.location) == [
                "row 3 (id 103)", "row 4 (id 104)", "row 5 (id 105)", "row 6 (id 106)", "row 7 (id 107)",
                "row 8 (id 108)",
            ])
        #expect(skips[1].message == "username \"ALICE\" duplicates row 1 (id 101), kept as this row has no created_at")
        #expect(
            skips[2].message
                == "email \"bob@example.com\" duplicates row 2 (id 102), kept as earlier in the source (no created_at)")
        // No report carries a password hash.
        for skip in skips { #expect(!skip.message.contains("hunter2") && !skip.message.contains("$salt$")) }

        let alice = try #require(try store.user(username: "alice"))
        #expect(alice.id == 1)  // new ids, not 101
        #expect(alice.email == "alice@example.com")
        #expect(alice.role == .admin)
        #expect(alice.active)
        #expect(alice.passwordHash == Self.bcrypt)
        #expect(alice.createdAt == 1_706_704_496)
        #expect(alice.updatedAt == 1_706_704_496)
        let bob = try #require(try store.user(username: "bob"))
        #expect(bob.role == .user)
        #expect(!bob.active)
        #expect(bob.createdAt == 1_800_000_000)
        #expect(bob.passwordHash == Self.pbkdf2)
        let hasher = PasswordHasher(policy: PasswordPolicy(scheme: .yescrypt, cost: 1))
        #expect(hasher.verify("correct horse battery staple", against: alice.passwordHash))
        #expect(hasher.verify("correct horse", against: bob.passwordHash))
    }

    @Test func dryRunWritesNothing() throws {
        defer { cleanUp() }
        try makeSource(Self.standardRows)
        let store = try target()
        let (summary, _) = try run(store) { $0.dryRun = true }
        #expect(summary.accepted == 2)
        #expect(!summary.written)
        #expect(try store.listUsers(UserListQuery()).total == 0)
    }

    @Test func strictImportsNothingWhenARowIsSkipped() throws {
        defer { cleanUp() }
        try makeSource(Self.standardRows)
        let store = try target()
        let (summary, _) = try run(store) { $0.strict = true }
        #expect(!summary.written)
        #expect(try store.listUsers(UserListQuery()).total == 0)
    }

    @Test func collidesWithExistingUsersCaseInsensitively() throws {
        defer { cleanUp() }
        try makeSource(Self.standardRows)
        let store = try target()
        _ = try store.createUser(
            NewUser(
                username: "Alice", email: "someone@example.com", passwordHash: "$y$x", firstName: nil, lastName: nil,
                role: .user, active: true, createdAt: 1))
        let (summary, events) = try run(store)
        #expect(summary.accepted == 1)  // bob; alice and ALICE are taken by "Alice"
        #expect(summary.skipped[.usernameTaken] == 2)
        #expect(
            events.contains { event in
                if case .skipped(let skip) = event {
                    return skip.location == "row 1 (id 101)"
                        && skip.message == "username \"alice\" is taken by an existing user"
                }
                return false
            })
        // Run again: every row is now taken or invalid; nothing changes.
        let (again, _) = try run(store)
        #expect(again.accepted == 0)
    }

    @Test func fixesUsernamesOnlyWhenAsked() throws {
        defer { cleanUp() }
        try makeSource([
            (1, "x y", "xy@example.com", Self.pbkdf2, nil, nil, nil),
            (2, "_jöhn.doe", "john@example.com", Self.pbkdf2, nil, nil, nil),
            (3, "!!", "bang@example.com", Self.pbkdf2, nil, nil, nil),
        ])
        let store = try target()
        let (summary, events) = try run(store) { $0.fixUsernames = true }
        #expect(summary.accepted == 2)
        #expect(summary.fixedUsernames == 2)
        #expect(events.contains(.usernameFixed(location: "row 1 (id 1)", from: "x y", to: "x_y")))
        #expect(try store.user(username: "j_hn.doe") != nil)
        #expect(summary.skipped == [.invalidUsername: 1])
        #expect(UserImporter.fixedUsername("a") == nil)
        #expect(UserImporter.fixedUsername(String(repeating: "a b", count: 20))?.count == 32)
    }

    /// The importer applies the registration's email rule (contract §1 (v2)) to every row: an
    /// address the API would refuse is reported and skipped, not stored.
    @Test func skipsRowsWhoseEmailTheFieldRulesRefuse() throws {
        defer { cleanUp() }
        try makeSource([
            (1, "eve", "eve,victim@evil.com", Self.pbkdf2, nil, nil, nil),
            (2, "xavier", "<x>@evil.com", Self.pbkdf2, nil, nil, nil),
            (3, "ursula", "u@bücher.example", Self.pbkdf2, nil, nil, nil),
        ])
        let store = try target()
        let (summary, _) = try run(store)
        #expect(summary.accepted == 1)
        #expect(summary.skipped == [.invalidEmail: 2])
        #expect(try store.user(username: "ursula") != nil)
    }

    @Test func mapsIsAdminAndOverrides() throws {
        defer { cleanUp() }
        let path = directory.path + "/users.jsonl"
        try writeTestFile(
            path,
            """
            {"id": 1, "login": "root", "mail": "root@example.com", "pw": "\(Self.pbkdf2)", "is_admin": true, "created": 1706704496}
            {"id": 2, "login": "joe", "mail": "joe@example.com", "pw": "\(Self.pbkdf2)", "is_admin": 0, "active": false}

            not json
            [1, 2]
            {"id": 5, "login": 42, "mail": "n@example.com", "pw": "\(Self.pbkdf2)"}

            """)
        let store = try target()
        let source = try JSONLinesUserSource(path: path)
        #expect(source.columns == ["id", "login", "mail", "pw", "is_admin", "created", "active"])
        let (summary, events) = try run(store, source: source, overrides: "password=pw")
        #expect(summary.accepted == 2)
        #expect(summary.skipped == [.unreadableRow: 2, .invalidValue: 1])
        #expect(
            events.contains { event in
                if case .skipped(let skip) = event {
                    return skip.location == "line 4" && skip.message.contains("not valid JSON")
                }
                return false
            })
        let root = try #require(try store.user(username: "root"))
        #expect(root.role == .admin)
        #expect(root.createdAt == 1_706_704_496)
        let joe = try #require(try store.user(username: "joe"))
        #expect(joe.role == .user)
        #expect(!joe.active)
    }

    @Test func readsTheSourceReadOnly() throws {
        defer { cleanUp() }
        try makeSource(Self.standardRows)
        let source = try SQLiteUserSource(path: sourcePath)
        #expect(source.table == "user")
        #expect(throws: ImportError.self) { try SQLiteUserSource(path: sourcePath, table: "nope") }
        #expect(throws: ImportError.self) { try SQLiteUserSource(path: directory.path + "/missing.db") }
        var ids: [SourceValue?] = []
        try source.forEachRecord(reading: [0], orderBy: 0) { ids.append($0.values[0]) }
        #expect(ids.count == 8)
        #expect(ids.first == .text("101"))
        // The journal mode of the old app's file is left alone.
        let check = try SQLiteConnection(path: sourcePath, readOnly: true)
        #expect(try check.query("PRAGMA journal_mode") { $0.text(0) } == ["delete"])
    }

    /// Issue #20 (1): with random UUID keys the primary key's order is no order at all. Of
    /// `alice` and `Alice`, the earliest created is kept; the same second falls back to the
    /// rowid (the insertion order), and a row without `created_at` loses to one with it.
    @Test func aCaseDuplicateKeepsTheEarliestCreatedRow() throws {
        defer { cleanUp() }
        let connection = try SQLiteConnection(path: sourcePath)
        try connection.execute(
            """
            CREATE TABLE users (
                id CHAR(36) NOT NULL PRIMARY KEY, username VARCHAR(80) NOT NULL UNIQUE,
                email VARCHAR(120) NOT NULL UNIQUE, password VARCHAR(256), created_at DATETIME
            )
            """)
        let rows: [(String, String, String, String?)] = [
            // Inserted first and created first, though its UUID sorts last.
            ("f3a1c2d4-0000-4000-8000-000000000001", "alice", "alice@example.com", "2024-03-01 09:00:00.000000"),
            ("0b7e9a10-0000-4000-8000-000000000002", "Alice", "alice.two@example.com", "2024-05-20 18:30:00.000000"),
            // Inserted later but created earlier (a back-dated row): kept over "BOB".
            ("9c000000-0000-4000-8000-000000000003", "BOB", "bob@example.com", "2024-02-02 00:00:00"),
            ("1c000000-0000-4000-8000-000000000004", "bob", "bob.two@example.com", "2024-02-01 00:00:00"),
            // The same second: the rowid decides.
            ("ee000000-0000-4000-8000-000000000005", "carol", "carol@example.com", "2024-04-04 04:04:04"),
            ("aa000000-0000-4000-8000-000000000006", "CAROL", "carol.two@example.com", "2024-04-04 04:04:04"),
            // No created_at: the dated row wins, whatever the order.
            ("dd000000-0000-4000-8000-000000000007", "dave", "dave@example.com", nil),
            ("bb000000-0000-4000-8000-000000000008", "Dave", "DAVE@example.com", "2024-06-06 06:06:06"),
        ]
        for row in rows {
            try connection.run(
                "INSERT INTO users VALUES (?, ?, ?, ?, ?)",
                [.text(row.0), .text(row.1), .text(row.2), .text(Self.pbkdf2), .text(row.3)])
        }
        let store = try target()
        let (summary, events) = try run(store)
        #expect(summary.accepted == 4)
        #expect(summary.skipped == [.duplicateUsername: 4])
        let skips = events.compactMap { event -> String? in
            if case .skipped(let skip) = event { return "\(skip.location): \(skip.message)" }
            return nil
        }
        #expect(
            skips == [
                "row 2 (id 0b7e9a10-0000-4000-8000-000000000002): username \"Alice\" duplicates "
                    + "row 1 (id f3a1c2d4-0000-4000-8000-000000000001), kept as created earlier",
                "row 3 (id 9c000000-0000-4000-8000-000000000003): username \"BOB\" duplicates "
                    + "row 4 (id 1c000000-0000-4000-8000-000000000004), kept as created earlier",
                "row 6 (id aa000000-0000-4000-8000-000000000006): username \"CAROL\" duplicates "
                    + "row 5 (id ee000000-0000-4000-8000-000000000005), kept as created at the same second and "
                    + "earlier in the source",
                "row 7 (id dd000000-0000-4000-8000-000000000007): username \"dave\" duplicates "
                    + "row 8 (id bb000000-0000-4000-8000-000000000008), kept as this row has no created_at; "
                    + "email \"dave@example.com\" duplicates row 8 (id bb000000-0000-4000-8000-000000000008), "
                    + "kept as this row has no created_at",
            ])
        #expect(try store.user(username: "alice")?.email == "alice@example.com")
        #expect(try store.user(username: "bob")?.email == "bob.two@example.com")
        #expect(try store.user(username: "carol")?.email == "carol@example.com")
        #expect(try store.user(username: "dave")?.username == "Dave")
    }

    /// Issue #20 (2): a source without a role column gets its admin from `--admin`, in any
    /// case; a name no accepted row has fails the import before anything is written.
    @Test func adminNamesUsersToImportAsAdmins() throws {
        defer { cleanUp() }
        try makeSource([
            (1, "root", "root@example.com", Self.pbkdf2, nil, 1, nil),
            (2, "joe", "joe@example.com", Self.pbkdf2, nil, 1, nil),
            (3, "x y", "xy@example.com", Self.pbkdf2, nil, 1, nil),
        ])
        let store = try target()
        let (plain, _) = try run(store) { $0.dryRun = true }
        #expect(plain.activeAdmins == 0)
        for missing in ["nobody", "x y"] {
            #expect(throws: ImportFailure.self) { try run(store) { $0.admins = ["ROOT", missing] } }
            #expect(try store.listUsers(UserListQuery()).total == 0)
        }
        let (summary, _) = try run(store) { $0.admins = ["ROOT"] }
        #expect(summary.accepted == 2)
        #expect(summary.activeAdmins == 1)
        #expect(try store.user(username: "root")?.role == .admin)
        #expect(try store.user(username: "joe")?.role == .user)
        #expect(try store.activeAdminCount() == 1)
    }

    /// Issue #20 (3): an app on a server in UTC+6 wrote `func.now()` into columns without a
    /// zone. Read as UTC those lie six hours ahead, which the summary counts; with the zone
    /// they are right, daylight saving included. Times with an offset or Unix seconds are
    /// absolute and left alone.
    ///
    /// The only test that sets `TZ`, once per zone, in sequence. Other tests' threads may call
    /// `getenv` meanwhile (libpq, settings), which glibc keeps safe for this: its first `setenv` of
    /// a new variable copies the environment into a new array without freeing the old one, a
    /// later one replaces the value in place, and it never frees a value it set.
    @Test func readsNaiveTimestampsInTheSourceTimeZone() throws {
        defer { cleanUp() }
        // `now` is 2027-01-15 08:00:00 UTC, 14:00 in Dhaka.
        try makeSource([
            (1, "dhaka", "dhaka@example.com", Self.pbkdf2, nil, 1, "2024-01-31 18:34:56.123456"),
            (2, "recent", "recent@example.com", Self.pbkdf2, nil, 1, "2027-01-15 13:00:00"),
            (3, "offset", "offset@example.com", Self.pbkdf2, nil, 1, "2024-01-31T12:34:56+00:00"),
            (4, "seconds", "seconds@example.com", Self.pbkdf2, nil, 1, "1706704496"),
        ])
        let naive = try run(try target()) { $0.dryRun = true }.0
        #expect(naive.futureTimestamps == 1)

        let store = try target()
        let dhaka = try SourceTimeZone("Asia/Dhaka")
        dhaka.activate()
        let (summary, _) = try run(store) { $0.sourceTimeZone = dhaka }
        #expect(summary.accepted == 4)
        #expect(summary.futureTimestamps == 0)
        for username in ["dhaka", "offset", "seconds"] {
            #expect(try store.user(username: username)?.createdAt == 1_706_704_496, "\(username)")
        }
        #expect(try store.user(username: "recent")?.createdAt == 1_799_996_400)

        let berlin = try SourceTimeZone("Europe/Berlin")
        berlin.activate()
        #expect(
            try ImportValues.timestamp(.text("2024-07-01 12:00:00"), field: "created_at", zone: berlin) == 1_719_828_000
        )
        #expect(
            try ImportValues.timestamp(.text("2024-01-15 12:00:00"), field: "created_at", zone: berlin) == 1_705_316_400
        )
        #expect(
            try ImportValues.timestamp(.text("2024-01-15 12:00:00Z"), field: "created_at", zone: berlin)
                == 1_705_320_000)
        for bad in ["Nowhere/Land", "../../etc/passwd", "", "/usr/share/zoneinfo/UTC", "Europe//Berlin", "Europe"] {
            #expect(throws: ImportError.self, "\(bad)") { try SourceTimeZone(bad) }
        }
    }

    @Test func reportsProgress() throws {
        defer { cleanUp() }
        try makeSource((1...25).map { (i: Int) in (i, "user\(i)", "user\(i)@example.com", Self.pbkdf2, nil, nil, nil) })
        let store = try target()
        let (summary, events) = try run(store) { $0.progressInterval = 10 }
        #expect(summary.accepted == 25)
        #expect(
            events.filter { if case .progress = $0 { true } else { false } } == [
                .progress(rowsRead: 10, accepted: 10, skipped: 0), .progress(rowsRead: 20, accepted: 20, skipped: 0),
            ])
    }
}

/// Collects events from the importer's callback.
final class EventLog: @unchecked Sendable {
    // Only touched from the test's own thread.
    private(set) var events: [ImportEvent] = []

    func append(_ event: ImportEvent) {
        events.append(event)
    }
}
