import Dispatch
import Glibc
import Synchronization
import Testing

@testable import UserCore

/// Which storage a contract test runs on.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgresql

    var testDescription: String { rawValue }
}

/// A fresh, migrated database of one kind, and stores on it (one per thread, as in the
/// service).
struct TestDatabase: Sendable {
    let location: DatabaseLocation
    private let directory: TemporaryDirectory?

    init(_ kind: StoreKind, migrate: Bool = true) throws {
        switch kind {
        case .sqlite:
            let directory = TemporaryDirectory()
            self.directory = directory
            location = .sqlite(path: directory.path + "/auth.db")
        case .postgresql:
            directory = nil
            location = .postgresql(try TestPostgres.freshDatabase())
        }
        if migrate { try StoreFactory(location: location).prepare() }
    }

    func store() throws -> any Store {
        try StoreFactory(location: location).open()
    }

    func remove() {
        directory?.remove()
        if case .postgresql(let location) = location, TestPostgres.isExternal { TestPostgres.drop(location) }
    }
}

/// Runs DDL straight on a store's database, past the store: the script for its kind.
func execute(on store: any Store, sqlite: String, postgresql: String) throws {
    let database = try #require((store as? SQLStore)?.database)
    try database.execute(database.dialect == .sqlite ? sqlite : postgresql)
}

/// Runs a statement (written once, `$1`-style) through a store's own mapping of errors.
func rows<T>(on store: any Store, _ text: String, _ values: [SQLValue], _ read: (SQLRow) throws -> T) throws -> [T] {
    try #require(store as? SQLStore).rows(SQL(text), values, read)
}

/// Runs `body(index)` on `count` threads at once, each with its own store.
func concurrently<T: Sendable>(
    _ count: Int, on database: TestDatabase, _ body: @Sendable @escaping (any Store, Int) throws -> T
) -> [Result<T, any Error>] {
    let results = Mutex<[Int: Result<T, any Error>]>([:])
    DispatchQueue.concurrentPerform(iterations: count) { index in
        let result = Result { try body(try database.store(), index) }
        results.withLock { $0[index] = result }
    }
    return results.withLock { all in (0..<count).map { all[$0]! } }
}

func newUser(
    _ name: String, email: String? = nil, role: Role = .user, active: Bool = true, at now: Int64 = 1000,
    firstName: String? = nil, lastName: String? = nil
) -> NewUser {
    NewUser(
        username: name, email: email ?? "\(name.lowercased())@example.com", passwordHash: "$y$hash",
        firstName: firstName, lastName: lastName, role: role, active: active, createdAt: now)
}

func session(_ id: String, user: Int64, createdAt: Int64 = 100, expiresAt: Int64 = 1000) -> Session {
    Session(
        id: id, userID: user, createdAt: createdAt, lastUsedAt: createdAt, expiresAt: expiresAt, userAgent: "ua",
        ip: "1.2.3.4", refreshTokenID: "r-" + id, revokedAt: nil)
}

/// What every `Store` implementation must do, run on SQLite and on PostgreSQL alike.
@Suite struct StoreContractTests {
    @Test(arguments: StoreKind.allCases) func migrationsRunOnceAndAreRecorded(kind: StoreKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        defer { database.remove() }
        let factory = StoreFactory(location: database.location)
        #expect(
            try factory.prepare() == [
                "accounts_and_sessions", "password_reset_tokens", "user_counts", "email_verification", "two_factor",
            ])
        #expect(try factory.prepare() == [])
    }

    @Test(arguments: StoreKind.allCases) func concurrentStartsApplyEachMigrationOnce(kind: StoreKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        defer { database.remove() }
        let location = database.location
        let results = Mutex<[[String]]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let applied = try StoreFactory(location: location).prepare()
                results.withLock { $0.append(applied) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(
            results.withLock { $0.flatMap { $0 } }.sorted() == [
                "accounts_and_sessions", "email_verification", "password_reset_tokens", "two_factor", "user_counts",
            ])
    }

    @Test func aDatabaseThatCantBePreparedIsASettingToFix() throws {
        let factory = StoreFactory(location: .sqlite(path: "/proc/no-such-directory/auth.db"))
        #expect {
            try factory.prepare()
        } throws: { error in
            guard case .preparationFailed(let problem)? = error as? StoreError else { return false }
            return problem.contains("/proc/no-such-directory/auth.db") && "\(error)".hasPrefix("DATABASE_URL: ")
        }
    }

    @Test(arguments: StoreKind.allCases) func theSchemaIsRecordedAsItAlwaysWas(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        // Databases made before the migrations were one list hold exactly these rows: the
        // list must keep finding them current.
        let recorded = try rows(
            on: store, "SELECT version, name FROM schema_migrations ORDER BY version", [],
            { "\($0.integer(0)) \($0.text(1))" })
        #expect(
            recorded == [
                "1 accounts_and_sessions", "2 password_reset_tokens", "3 user_counts", "4 email_verification",
                "5 two_factor",
            ])
        #expect(try StoreFactory(location: database.location).prepare() == [])
    }

    @Test(arguments: StoreKind.allCases) func uniqueViolationsMapByIndexName(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        _ = try store.createUser(newUser("Mia"))
        // Straight to the table, past createUser's own checks: the index decides.
        func insert(_ username: String, _ email: String) throws {
            _ = try rows(
                on: store,
                """
                INSERT INTO users (username, email, password_hash, role, created_at, updated_at, search_text)
                VALUES ($1, $2, 'x', 'USER', 0, 0, '')
                """, [.text(username), .text(email)], { _ in () })
        }
        #expect(throws: StoreError.usernameTaken) { try insert("MIA", "other@example.com") }
        #expect(throws: StoreError.emailTaken) { try insert("other", "mia@example.com") }
        // Another unique index (a session id's primary key) is no StoreError.
        try store.createSession(session("dup", user: 1))
        #expect {
            try store.createSession(session("dup", user: 1))
        } throws: { error in
            !(error is StoreError)
        }
        // The failed statements left no transaction open.
        #expect(try store.user(username: "mia")?.username == "Mia")
        #expect(try store.createUser(newUser("other")).username == "other")
    }

    @Test(arguments: StoreKind.allCases) func usernamesAndEmailsAreUniqueCaseInsensitively(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let alice = try store.createUser(newUser("Alice"))
        #expect(alice.id == 1)
        #expect(alice.username == "Alice" && alice.role == .user && alice.active && alice.failedLogins == 0)
        #expect(try store.user(username: "aLiCe")?.id == 1)
        #expect(try store.user(email: "alice@example.com")?.id == 1)
        #expect(try store.user(id: 1) == alice)
        #expect(throws: StoreError.usernameTaken) { try store.createUser(newUser("ALICE", email: "other@example.com")) }
        #expect(throws: StoreError.emailTaken) { try store.createUser(newUser("bob", email: "alice@example.com")) }
        // Both taken: the username is reported.
        #expect(throws: StoreError.usernameTaken) { try store.createUser(newUser("alice", email: "alice@example.com")) }
        #expect(try store.createUser(newUser("bob")).id == 2)
    }

    @Test(arguments: StoreKind.allCases) func racingRegistrationsOfOneNameCreateOneUser(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let results = concurrently(6, on: database) { store, index in
            try store.createUser(newUser(index % 2 == 0 ? "racer" : "RACER", email: "racer\(index)@example.com")).id
        }
        let created = results.compactMap { try? $0.get() }
        #expect(created.count == 1)
        for case .failure(let error) in results { #expect(error as? StoreError == .usernameTaken) }
        #expect(try database.store().listUsers(UserListQuery()).total == 1)
    }

    @Test(arguments: StoreKind.allCases) func deletedIDsAreNeverReused(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        _ = try store.createUser(newUser("one"))
        let two = try store.createUser(newUser("two"))
        #expect(try store.deleteUser(id: two.id))
        #expect(try store.deleteUser(id: two.id) == false)
        #expect(try store.createUser(newUser("three")).id == 3)
    }

    @Test(arguments: StoreKind.allCases) func reservationsLockAtTheThresholdAndStartAgainAfterTheLock(kind: StoreKind)
        throws
    {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let user = try store.createUser(newUser("carol"))
        func reserve(threshold: Int = 5, at now: Int64) throws -> LoginAttemptReservation? {
            try store.reserveLoginAttempt(userID: user.id, threshold: threshold, lockSeconds: 60, now: now)
        }
        for attempt in 1...4 {
            #expect(try reserve(at: 2000) == .granted(lockedUntil: nil), "attempt \(attempt)")
        }
        // The reservation that reaches the threshold is granted and locks.
        #expect(try reserve(at: 2000) == .granted(lockedUntil: 2060))
        // While locked nothing is counted.
        #expect(try reserve(at: 2059) == .locked(until: 2060))
        #expect(try store.user(id: user.id)?.failedLogins == 5)
        // After the lock: the count starts again at one.
        #expect(try reserve(at: 2060) == .granted(lockedUntil: nil))
        #expect(try store.user(id: user.id)?.failedLogins == 1)
        #expect(try store.user(id: user.id)?.lockedUntil == nil)
        try store.recordSuccessfulLogin(userID: user.id, now: 2061)
        let reset = try store.user(id: user.id)
        #expect(reset?.failedLogins == 0)
        #expect(reset?.lastLoginAt == 2061)
        // A success clears the lock its own reservation set.
        for _ in 1...3 { _ = try reserve(threshold: 3, at: 3000) }
        #expect(try store.user(id: user.id)?.lockedUntil == 3060)
        try store.recordSuccessfulLogin(userID: user.id, now: 3000)
        #expect(try store.user(id: user.id)?.lockedUntil == nil)
        #expect(try store.user(id: user.id)?.failedLogins == 0)
        // An admin's unlock clears a lock and the count.
        for _ in 1...3 { _ = try reserve(threshold: 3, at: 4000) }
        #expect(try reserve(threshold: 3, at: 4000) == .locked(until: 4060))
        #expect(try store.unlockUser(id: user.id))
        #expect(try store.user(id: user.id)?.lockedUntil == nil)
        #expect(try store.user(id: user.id)?.failedLogins == 0)
        #expect(try reserve(threshold: 3, at: 4000) == .granted(lockedUntil: nil))
        #expect(try store.unlockUser(id: 999) == false)
        #expect(try store.reserveLoginAttempt(userID: 999, threshold: 5, lockSeconds: 60, now: 2000) == nil)
    }

    @Test(arguments: StoreKind.allCases) func simultaneousReservationsGrantExactlyTheThreshold(kind: StoreKind)
        throws
    {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let id = try database.store().createUser(newUser("dora")).id
        let count = 20
        // Each thread opens (and on PostgreSQL connects) its store first, then all reserve at once.
        let ready = Atomic<Int>(0)
        let results = Mutex<[Result<LoginAttemptReservation?, any Error>]>([])
        let threads = (0..<count).map { _ in
            TestThread {
                let result = Result { () throws -> LoginAttemptReservation? in
                    let store = try database.store()
                    try store.checkHealth()
                    ready.add(1, ordering: .sequentiallyConsistent)
                    while ready.load(ordering: .sequentiallyConsistent) < count { sched_yield() }
                    return try store.reserveLoginAttempt(userID: id, threshold: 5, lockSeconds: 60, now: 5000)
                }
                results.withLock { $0.append(result) }
            }
        }
        for thread in threads { thread.join() }
        let reservations = try results.withLock { try $0.map { try $0.get() } }
        #expect(reservations.count == count)
        #expect(reservations.filter { $0 == .granted(lockedUntil: nil) }.count == 4)
        #expect(reservations.filter { $0 == .granted(lockedUntil: 5060) }.count == 1)
        #expect(reservations.filter { $0 == .locked(until: 5060) }.count == count - 5)
        let user = try database.store().user(id: id)
        #expect(user?.failedLogins == 5)
        #expect(user?.lockedUntil == 5060)
    }

    @Test(arguments: StoreKind.allCases) func refreshRotationIsSingleUse(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let user = try store.createUser(newUser("dave"))
        try store.createSession(session("s1", user: user.id))
        #expect(try store.session(id: "s1") == session("s1", user: user.id))
        #expect(try store.rotateRefreshToken(sessionID: "s1", expected: "r-s1", next: "r2", expiresAt: 2000, now: 200))
        #expect(
            try store.rotateRefreshToken(sessionID: "s1", expected: "r-s1", next: "r3", expiresAt: 2000, now: 201)
                == false)
        let rotated = try #require(try store.session(id: "s1"))
        #expect(rotated.refreshTokenID == "r2")
        #expect(rotated.lastUsedAt == 200)
        #expect(rotated.expiresAt == 2000)
        // Past its expiry, or revoked, a session doesn't rotate.
        #expect(
            try store.rotateRefreshToken(sessionID: "s1", expected: "r2", next: "r4", expiresAt: 3000, now: 2000)
                == false)
        try store.revokeSession(id: "s1", userID: user.id, now: 300)
        #expect(
            try store.rotateRefreshToken(sessionID: "s1", expected: "r2", next: "r4", expiresAt: 3000, now: 301)
                == false)
        #expect(try store.session(id: "missing") == nil)
    }

    @Test(arguments: StoreKind.allCases) func racingRefreshesRotateOnce(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let setup = try database.store()
        let user = try setup.createUser(newUser("erik"))
        try setup.createSession(session("race", user: user.id, expiresAt: 10_000))
        let results = concurrently(8, on: database) { store, index in
            try store.rotateRefreshToken(
                sessionID: "race", expected: "r-race", next: "next-\(index)", expiresAt: 20_000, now: 500)
        }
        #expect(try results.map { try $0.get() }.filter { $0 }.count == 1)
        #expect(try setup.session(id: "race")?.refreshTokenID.hasPrefix("next-") == true)
    }

    @Test(arguments: StoreKind.allCases) func authenticationStateSeesRevocations(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let user = try store.createUser(newUser("erin"))
        for id in ["a", "b"] { try store.createSession(session(id, user: user.id)) }
        let state = try store.authenticationState(userID: user.id, sessionID: "a", tokenID: "t1", now: 150)
        #expect(state.user == user && state.sessionLive && !state.tokenRevoked)
        #expect(
            try store.authenticationState(userID: user.id, sessionID: "a", tokenID: "t1", now: 1000).sessionLive
                == false)
        try store.revokeAccessToken(tokenID: "t1", expiresAt: 900)
        try store.revokeAccessToken(tokenID: "t1", expiresAt: 900)  // twice is fine
        #expect(try store.authenticationState(userID: user.id, sessionID: "a", tokenID: "t1", now: 150).tokenRevoked)
        try store.revokeSessions(userID: user.id, keeping: "b", now: 160)
        #expect(
            try store.authenticationState(userID: user.id, sessionID: "a", tokenID: "t2", now: 170).sessionLive == false
        )
        #expect(try store.liveSessions(userID: user.id, now: 170).map(\.id) == ["b"])
        #expect(try store.revokeSession(id: "a", userID: user.id, now: 170) == false)
        #expect(try store.revokeSession(id: "b", userID: user.id + 1, now: 170) == false)
        #expect(try store.revokeSession(id: "b", userID: user.id, now: 170))
        #expect(try store.authenticationState(userID: 99, sessionID: "b", tokenID: "t", now: 170).user == nil)
        // Revoking all, keeping none.
        try store.createSession(session("c", user: user.id))
        try store.revokeSessions(userID: user.id, keeping: nil, now: 180)
        #expect(try store.liveSessions(userID: user.id, now: 180).isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func liveSessionsAreNewestFirst(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let user = try store.createUser(newUser("fay"))
        let other = try store.createUser(newUser("gus"))
        // Same second: the later insert is newer.
        for (id, created) in [("s1", 100), ("s2", 300), ("s3", 200), ("s4", 200), ("s5", 50)] {
            try store.createSession(session(id, user: user.id, createdAt: Int64(created), expiresAt: 1000))
        }
        try store.createSession(session("theirs", user: other.id))
        try store.createSession(session("expired", user: user.id, createdAt: 400, expiresAt: 400))
        #expect(try store.liveSessions(userID: user.id, now: 400).map(\.id) == ["s2", "s4", "s3", "s1", "s5"])
    }

    @Test(arguments: StoreKind.allCases) func transactionsRollBackOnThrow(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try store.transaction {
                _ = try store.createUser(newUser("frank"))
                throw Abort()
            }
        }
        #expect(try store.user(username: "frank") == nil)
        // A failed transaction leaves the store usable, and a nested one joins the outer.
        let id = try store.transaction {
            try store.transaction { try store.createUser(newUser("frank")).id }
        }
        #expect(try store.user(id: id)?.username == "frank")
    }

    @Test(arguments: StoreKind.allCases) func transactionsAreSerializedForTheLastAdminRule(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let setup = try database.store()
        let admins = try (0..<2).map { try setup.createUser(newUser("admin\($0)", role: .admin)).id }
        #expect(try setup.activeAdminCount() == 2)
        // Both check "another admin left?" and demote themselves: one must see the other's
        // change, whatever the timing.
        let results = concurrently(2, on: database) { store, index in
            try store.transaction { () throws -> Bool in
                guard try store.activeAdminCount() > 1 else { return false }
                usleep(100_000)
                var change = UserChanges()
                change.role = .user
                return try store.updateUser(id: admins[index], change, now: 2000) != nil
            }
        }
        #expect(try results.map { try $0.get() }.filter { $0 }.count == 1)
        #expect(try setup.activeAdminCount() == 1)
    }

    @Test(arguments: StoreKind.allCases) func updatesKeepUniquenessAndSearchText(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let hana = try store.createUser(newUser("hana"))
        _ = try store.createUser(newUser("ivan"))
        var change = UserChanges()
        change.username = "IVAN"
        #expect(throws: StoreError.usernameTaken) { try store.updateUser(id: hana.id, change, now: 2000) }
        change = UserChanges()
        change.email = "ivan@example.com"
        #expect(throws: StoreError.emailTaken) { try store.updateUser(id: hana.id, change, now: 2000) }
        #expect(try store.updateUser(id: 999, change, now: 2000) == nil)
        // Her own name in another case is no conflict.
        change = UserChanges()
        change.username = "Hana"
        change.firstName = "Hána"
        change.active = false
        let updated = try #require(try store.updateUser(id: hana.id, change, now: 2000))
        #expect(updated.username == "Hana" && updated.firstName == "Hána" && !updated.active)
        #expect(updated.updatedAt == 2000 && updated.createdAt == 1000)
        #expect(try store.user(id: hana.id) == updated)
        // No change: nothing written.
        #expect(try store.updateUser(id: hana.id, UserChanges(), now: 3000)?.updatedAt == 2000)
        var query = UserListQuery()
        query.search = "hána"
        #expect(try store.listUsers(query).users.map(\.id) == [hana.id])
        change = UserChanges()
        change.firstName = .some(nil)
        _ = try store.updateUser(id: hana.id, change, now: 3000)
        #expect(try store.listUsers(query).total == 0)
        #expect(try store.user(id: hana.id)?.firstName == nil)
    }

    @Test(arguments: StoreKind.allCases) func deletingAUserTakesItsSessionsAndTokens(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let user = try store.createUser(newUser("jon"))
        try store.createSession(session("j1", user: user.id))
        try store.replaceResetToken(userID: user.id, tokenHash: "h1", now: 100, expiresAt: 200)
        #expect(try store.deleteUser(id: user.id))
        #expect(try store.session(id: "j1") == nil)
        #expect(try store.resetTokenOwner(tokenHash: "h1", now: 150) == nil)
        #expect(try store.consumeResetToken(tokenHash: "h1", now: 150) == nil)
    }

    @Test(arguments: StoreKind.allCases) func voidingResetTokensTouchesOnlyThatUser(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let user = try store.createUser(newUser("lou"))
        let other = try store.createUser(newUser("max"))
        try store.replaceResetToken(userID: user.id, tokenHash: "mine", now: 100, expiresAt: 200)
        try store.replaceResetToken(userID: other.id, tokenHash: "theirs", now: 100, expiresAt: 200)
        try store.voidResetTokens(userID: user.id)
        #expect(try store.consumeResetToken(tokenHash: "mine", now: 150) == nil)
        #expect(try store.consumeResetToken(tokenHash: "theirs", now: 150) == other.id)
    }

    @Test(arguments: StoreKind.allCases) func resetTokensAreSingleUseAndReplaced(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let user = try store.createUser(newUser("kim"))
        try store.replaceResetToken(userID: user.id, tokenHash: "old", now: 100, expiresAt: 200)
        try store.replaceResetToken(userID: user.id, tokenHash: "new", now: 110, expiresAt: 210)
        #expect(try store.resetTokenOwner(tokenHash: "old", now: 120) == nil)
        #expect(try store.resetTokenOwner(tokenHash: "new", now: 120) == user)
        #expect(try store.resetTokenOwner(tokenHash: "new", now: 210) == nil)
        #expect(try store.consumeResetToken(tokenHash: "new", now: 210) == nil)
        #expect(try store.consumeResetToken(tokenHash: "new", now: 130) == user.id)
        #expect(try store.consumeResetToken(tokenHash: "new", now: 131) == nil)
        #expect(try store.resetTokenOwner(tokenHash: "new", now: 131) == nil)
        // Racing uses of one token: one wins.
        try store.replaceResetToken(userID: user.id, tokenHash: "raced", now: 140, expiresAt: 500)
        let results = concurrently(6, on: database) { store, _ in
            try store.consumeResetToken(tokenHash: "raced", now: 150)
        }
        #expect(try results.compactMap { try $0.get() } == [user.id])
    }

    @Test(arguments: StoreKind.allCases) func purgeKeepsWhatStillMatters(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let user = try store.createUser(newUser("gina"))
        func add(_ id: String, expiresAt: Int64, revokedAt: Int64? = nil) throws {
            try store.createSession(session(id, user: user.id, createdAt: 0, expiresAt: expiresAt))
            if let revokedAt { try store.revokeSession(id: id, userID: user.id, now: revokedAt) }
        }
        try add("live", expiresAt: 5000)
        try add("expired-long-ago", expiresAt: 100)
        try add("expired-recently", expiresAt: 950)
        try add("revoked-long-ago", expiresAt: 5000, revokedAt: 50)
        try add("revoked-recently", expiresAt: 5000, revokedAt: 990)
        try store.revokeAccessToken(tokenID: "old", expiresAt: 999)
        try store.revokeAccessToken(tokenID: "current", expiresAt: 1001)
        let other = try store.createUser(newUser("hal"))
        try store.replaceResetToken(userID: user.id, tokenHash: "expired", now: 0, expiresAt: 1000)
        try store.replaceResetToken(userID: other.id, tokenHash: "usable", now: 0, expiresAt: 1001)
        try store.replaceVerificationToken(
            userID: user.id, email: user.email, tokenHash: "expired", now: 0, expiresAt: 1000)
        try store.replaceVerificationToken(
            userID: other.id, email: other.email, tokenHash: "usable", now: 0, expiresAt: 1001)
        let counts = try store.purgeExpired(now: 1000, accessTokenLifetime: 100)
        #expect(counts == PurgeCounts(revokedTokens: 1, sessions: 2, resetTokens: 1, verificationTokens: 1))
        for id in ["expired-recently", "live", "revoked-recently"] {
            #expect(try store.session(id: id) != nil, "\(id)")
        }
        for id in ["expired-long-ago", "revoked-long-ago"] { #expect(try store.session(id: id) == nil, "\(id)") }
        #expect(
            try store.authenticationState(userID: user.id, sessionID: "x", tokenID: "current", now: 1000).tokenRevoked)
        #expect(try store.resetTokenOwner(tokenHash: "usable", now: 1000) == other)
        #expect(try rows(on: store, "SELECT token_hash FROM verification_tokens", []) { $0.text(0) } == ["usable"])
        #expect(
            try store.purgeExpired(now: 1000, accessTokenLifetime: 100)
                == PurgeCounts(revokedTokens: 0, sessions: 0, resetTokens: 0, verificationTokens: 0))
    }
}
