import Testing

@testable import UserLogic

@Suite struct SQLiteStoreTests {
    let directory = TemporaryDirectory()
    var path: String { directory.path + "/auth.db" }

    func store() throws -> SQLiteStore {
        let store = try SQLiteStore(path: path)
        _ = try store.migrate()
        return store
    }

    func newUser(_ name: String, email: String? = nil, at now: Int64 = 1000) -> NewUser {
        NewUser(
            username: name, email: email ?? "\(name.lowercased())@example.com", passwordHash: "$y$hash", firstName: nil,
            lastName: nil, role: .user, active: true, createdAt: now)
    }

    @Test func migrationsRunOnceAndAreRecorded() throws {
        defer { directory.remove() }
        let first = try SQLiteStore(path: path)
        #expect(try first.migrate() == ["accounts_and_sessions", "password_reset_tokens"])
        #expect(try first.migrate() == [])
        #expect(try SQLiteStore(path: path).migrate() == [])
    }

    @Test func usernamesAndEmailsAreUniqueCaseInsensitively() throws {
        defer { directory.remove() }
        let store = try store()
        let alice = try store.createUser(newUser("Alice"))
        #expect(alice.id == 1)
        #expect(try store.user(username: "aLiCe")?.id == 1)
        #expect(throws: StoreError.usernameTaken) { try store.createUser(newUser("ALICE", email: "other@example.com")) }
        #expect(throws: StoreError.emailTaken) { try store.createUser(newUser("bob", email: "alice@example.com")) }
        // Both taken: the username is reported.
        #expect(throws: StoreError.usernameTaken) { try store.createUser(newUser("alice", email: "alice@example.com")) }
    }

    @Test func deletedIDsAreNeverReused() throws {
        defer { directory.remove() }
        let store = try store()
        _ = try store.createUser(newUser("one"))
        let two = try store.createUser(newUser("two"))
        try store.connection.run("DELETE FROM users WHERE id = ?", [.integer(two.id)])
        #expect(try store.createUser(newUser("three")).id == 3)
    }

    @Test func failedLoginsLockAtTheThresholdAndStartAgainAfterTheLock() throws {
        defer { directory.remove() }
        let store = try store()
        let user = try store.createUser(newUser("carol"))
        for attempt in 1...4 {
            #expect(
                try store.recordFailedLogin(userID: user.id, threshold: 5, lockSeconds: 60, now: 2000) == nil,
                "attempt \(attempt)")
        }
        #expect(try store.recordFailedLogin(userID: user.id, threshold: 5, lockSeconds: 60, now: 2000) == 2060)
        // While locked nothing is counted and a success is refused.
        #expect(try store.recordFailedLogin(userID: user.id, threshold: 5, lockSeconds: 60, now: 2010) == nil)
        #expect(try store.recordSuccessfulLogin(userID: user.id, now: 2059) == false)
        #expect(try store.user(id: user.id)?.failedLogins == 5)
        // After the lock: the count starts again at one.
        #expect(try store.recordFailedLogin(userID: user.id, threshold: 5, lockSeconds: 60, now: 2060) == nil)
        #expect(try store.user(id: user.id)?.failedLogins == 1)
        #expect(try store.user(id: user.id)?.lockedUntil == nil)
        #expect(try store.recordSuccessfulLogin(userID: user.id, now: 2061))
        let reset = try store.user(id: user.id)
        #expect(reset?.failedLogins == 0)
        #expect(reset?.lastLoginAt == 2061)
    }

    @Test func refreshRotationIsSingleUse() throws {
        defer { directory.remove() }
        let store = try store()
        let user = try store.createUser(newUser("dave"))
        try store.createSession(
            Session(
                id: "s1", userID: user.id, createdAt: 100, lastUsedAt: 100, expiresAt: 1000, userAgent: "ua",
                ip: "1.2.3.4",
                refreshTokenID: "r1", revokedAt: nil))
        #expect(try store.rotateRefreshToken(sessionID: "s1", expected: "r1", next: "r2", expiresAt: 2000, now: 200))
        #expect(
            try store.rotateRefreshToken(sessionID: "s1", expected: "r1", next: "r3", expiresAt: 2000, now: 201)
                == false)
        let session = try #require(try store.session(id: "s1"))
        #expect(session.refreshTokenID == "r2")
        #expect(session.lastUsedAt == 200)
        #expect(session.expiresAt == 2000)
    }

    @Test func authenticationStateSeesRevocations() throws {
        defer { directory.remove() }
        let store = try store()
        let user = try store.createUser(newUser("erin"))
        for id in ["a", "b"] {
            try store.createSession(
                Session(
                    id: id, userID: user.id, createdAt: 100, lastUsedAt: 100, expiresAt: 1000, userAgent: nil, ip: nil,
                    refreshTokenID: "r-" + id, revokedAt: nil))
        }
        #expect(try store.authenticationState(userID: user.id, sessionID: "a", tokenID: "t1", now: 150).sessionLive)
        #expect(
            try store.authenticationState(userID: user.id, sessionID: "a", tokenID: "t1", now: 1000).sessionLive
                == false)
        try store.revokeAccessToken(tokenID: "t1", expiresAt: 900)
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
    }

    @Test func transactionsRollBackOnThrow() throws {
        defer { directory.remove() }
        let store = try store()
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try store.transaction {
                _ = try store.createUser(newUser("frank"))
                throw Abort()
            }
        }
        #expect(try store.user(username: "frank") == nil)
    }
}

extension SQLiteStoreTests {
    @Test func purgeKeepsWhatStillMatters() throws {
        defer { directory.remove() }
        let store = try store()
        let user = try store.createUser(newUser("gina"))
        func session(_ id: String, expiresAt: Int64, revokedAt: Int64? = nil) throws {
            try store.createSession(
                Session(
                    id: id, userID: user.id, createdAt: 0, lastUsedAt: 0, expiresAt: expiresAt, userAgent: nil, ip: nil,
                    refreshTokenID: "r" + id, revokedAt: nil))
            if let revokedAt { try store.revokeSession(id: id, userID: user.id, now: revokedAt) }
        }
        try session("live", expiresAt: 5000)
        try session("expired-long-ago", expiresAt: 100)
        try session("expired-recently", expiresAt: 950)
        try session("revoked-long-ago", expiresAt: 5000, revokedAt: 50)
        try session("revoked-recently", expiresAt: 5000, revokedAt: 990)
        try store.revokeAccessToken(tokenID: "old", expiresAt: 999)
        try store.revokeAccessToken(tokenID: "current", expiresAt: 1001)
        let counts = try store.purgeExpired(now: 1000, accessTokenLifetime: 100)
        #expect(counts == PurgeCounts(revokedTokens: 1, sessions: 2, resetTokens: 0))
        let left = try store.connection.query("SELECT id FROM sessions ORDER BY id") { $0.text(0) }
        #expect(left == ["expired-recently", "live", "revoked-recently"])
        #expect(
            try store.authenticationState(userID: user.id, sessionID: "x", tokenID: "current", now: 1000).tokenRevoked)
    }
}
