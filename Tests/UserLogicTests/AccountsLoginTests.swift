import Testing

@testable import UserCore

/// The accounts core's login on SQLite and PostgreSQL alike: domain values and typed
/// failures, no HTTP and no JSON.
@Suite struct AccountsLoginTests {
    static let password = "correct horse"
    static let rules = AccountRules(
        lockoutThreshold: 3, lockoutSeconds: 60, sessionLifetime: 3600, mfaSecrets: mfaSecrets, mfaIssuer: "auth-fcgi")
    /// The key the tests' TOTP secrets are sealed under.
    static let mfaSecrets = SecretBox(key: Array("0123456789abcdef0123456789abcdef".utf8))
    static let origin = SessionOrigin(userAgent: "test-agent", ip: "192.0.2.7")

    /// A fresh database with one account whose password is `password`.
    struct Setup {
        let database: TestDatabase
        let store: any Store
        let user: User
        let passwords = CountingPasswords()

        init(_ kind: StoreKind, active: Bool = true, hash: String? = nil) throws {
            database = try TestDatabase(kind)
            store = try database.store()
            var new = newUser("alice", active: active)
            new.passwordHash = try hash ?? passwords.hash(AccountsLoginTests.password)
            user = try store.createUser(new)
        }

        func accounts(at now: Int64, rules: AccountRules = AccountsLoginTests.rules) -> Accounts {
            Accounts(store: store, passwords: passwords, rules: rules, now: now)
        }

        func logIn(_ password: String, at now: Int64, as identifier: LoginIdentifier = .username("alice")) throws
            -> LoggedIn
        {
            try accounts(at: now).logIn(identifier, password: password, from: AccountsLoginTests.origin)
        }

        func stored() throws -> User? { try store.user(id: user.id) }
    }

    @Test(arguments: StoreKind.allCases) func unknownUsersCostOneDummyCheck(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        for identifier in [LoginIdentifier.username("nobody"), .email("nobody@example.com"), .username("alice\u{0}")] {
            #expect(throws: LoginFailure.unknownUser) { try setup.logIn(Self.password, at: 2000, as: identifier) }
        }
        #expect(setup.passwords.counter.dummyCount == 3)
        #expect(setup.passwords.counter.count == 0)
    }

    @Test(arguments: StoreKind.allCases) func wrongPasswordsCountAndLockAtTheThreshold(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let id = setup.user.id
        for _ in 1...2 {
            #expect(throws: LoginFailure.wrongPassword(userID: id, lockedUntil: nil)) {
                try setup.logIn("wrong password", at: 2000)
            }
        }
        #expect(try setup.stored()?.failedLogins == 2)
        // By email too: the failure that reaches the threshold locks, and says so.
        #expect(throws: LoginFailure.wrongPassword(userID: id, lockedUntil: 2060)) {
            try setup.logIn("wrong password", at: 2000, as: .email("ALICE@example.com"))
        }
        #expect(try setup.stored()?.lockedUntil == 2060)
        #expect(setup.passwords.counter.count == 3)
    }

    @Test(arguments: StoreKind.allCases) func aLockedAccountChecksNoPasswordUntilTheLockEnds(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let id = setup.user.id
        for _ in 1...3 { _ = try? setup.logIn("wrong password", at: 2000) }
        let checks = setup.passwords.counter.count
        #expect(throws: LoginFailure.refused(userID: id, .locked(until: 2060))) {
            try setup.logIn(Self.password, at: 2059)
        }
        #expect(throws: LoginFailure.refused(userID: id, .locked(until: 2060))) {
            try setup.logIn("wrong password", at: 2030)
        }
        #expect(setup.passwords.counter.count == checks)
        #expect(try setup.stored()?.failedLogins == 3)
        // Once the lock has ended a failure starts the count again at one.
        #expect(throws: LoginFailure.wrongPassword(userID: id, lockedUntil: nil)) {
            try setup.logIn("wrong password", at: 2060)
        }
        let after = try setup.stored()
        #expect(after?.failedLogins == 1)
        #expect(after?.lockedUntil == nil)
    }

    @Test(arguments: StoreKind.allCases) func disabledAccountsNeedTheRightPasswordToSaySo(kind: StoreKind) throws {
        let setup = try Setup(kind, active: false)
        defer { setup.database.remove() }
        let id = setup.user.id
        #expect(throws: LoginFailure.wrongPassword(userID: id, lockedUntil: nil)) {
            try setup.logIn("wrong password", at: 2000)
        }
        #expect(try setup.stored()?.failedLogins == 1)
        // The right password is no failure: it clears the count, even the one reaching the
        // threshold, and opens no session nor sets last_login_at.
        for _ in 1...3 {
            #expect(throws: LoginFailure.refused(userID: id, .disabled)) { try setup.logIn(Self.password, at: 2000) }
        }
        let after = try setup.stored()
        #expect(after?.failedLogins == 0)
        #expect(after?.lockedUntil == nil)
        #expect(after?.lastLoginAt == nil)
        #expect(try setup.store.liveSessions(userID: id, now: 2000).isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func successResetsTheCountAndOpensASession(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        for _ in 1...2 { _ = try? setup.logIn("wrong password", at: 2000) }
        let loggedIn = try setup.logIn(Self.password, at: 2100)
        #expect(loggedIn.user.failedLogins == 0)
        #expect(loggedIn.user.lockedUntil == nil)
        #expect(loggedIn.user.lastLoginAt == 2100)
        #expect(try setup.stored() == loggedIn.user)
        #expect(loggedIn.user.passwordHash == setup.user.passwordHash, "a current hash is kept")
        let session = loggedIn.session
        #expect(try setup.store.session(id: session.id) == session)
        #expect(session.userID == setup.user.id)
        #expect((session.createdAt, session.lastUsedAt, session.expiresAt) == (2100, 2100, 5700))
        #expect((session.userAgent, session.ip) == ("test-agent", "192.0.2.7"))
        #expect(session.id != session.refreshTokenID)
    }

    @Test(arguments: StoreKind.allCases) func successReplacesAnOutdatedHash(kind: StoreKind) throws {
        let outdated = try PasswordHasher(policy: PasswordPolicy(scheme: .yescrypt, cost: 2)).hash(Self.password)
        let setup = try Setup(kind, hash: outdated)
        defer { setup.database.remove() }
        #expect(setup.passwords.hasher.needsRehash(outdated))
        let loggedIn = try setup.logIn(Self.password, at: 2100)
        let stored = try #require(try setup.stored())
        #expect(stored.passwordHash != outdated)
        #expect(!setup.passwords.hasher.needsRehash(stored.passwordHash))
        #expect(setup.passwords.hasher.verify(Self.password, against: stored.passwordHash))
        #expect(stored.updatedAt == 2100)
        #expect(loggedIn.user == stored)
    }

    /// A 100-byte password as a bcrypt that truncates at 72 bytes stored it (Python's bcrypt of
    /// its first 72 bytes, as Flask-Bcrypt with bcrypt < 5 made it).
    static let longPassword =
        "Tr0ub4dor&3 correct horse battery staple, Tr0ub4dor&3 correct horse battery staple, Tr0ub4dor&3 corr"
    static let truncatedBcrypt = "$2b$04$Tj2uDomB6KuW1qH5eo/iqeReBbtV8g/MIELmPT2RfRSYwih/qo3Km"

    /// Issue #20 (4): an imported bcrypt hash checks only 72 bytes, so a login with another
    /// suffix succeeds as it did in the old app; it must not re-hash that suffix, or the
    /// user's real password would stop working. The hash stays until a password change.
    @Test(arguments: StoreKind.allCases) func aTruncatingHashIsNotReplacedByALongPassword(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let importer = try #require(setup.store as? any UserImportStore)
        let id = try importer.insertImportedUser(
            ImportedUser(
                NewUser(
                    username: "legacy", email: "legacy@example.com", passwordHash: Self.truncatedBcrypt,
                    firstName: nil, lastName: nil, role: .user, active: true, createdAt: 1000),
                updatedAt: 1000))
        #expect(Self.longPassword.utf8.count == 100)
        let other = String(Self.longPassword.prefix(72)) + "anything else"
        _ = try setup.logIn(other, at: 2100, as: .username("legacy"))
        #expect(try setup.store.user(id: id)?.passwordHash == Self.truncatedBcrypt)
        let loggedIn = try setup.logIn(Self.longPassword, at: 2200, as: .username("legacy"))
        #expect(loggedIn.user.passwordHash == Self.truncatedBcrypt)
        #expect(loggedIn.user.lastLoginAt == 2200)
        #expect(throws: LoginFailure.self) {
            try setup.logIn(String(Self.longPassword.prefix(71)), at: 2300, as: .username("legacy"))
        }
    }

    @Test(arguments: StoreKind.allCases) func theSuccessWritesAreOneTransaction(kind: StoreKind) throws {
        let outdated = try PasswordHasher(policy: PasswordPolicy(scheme: .yescrypt, cost: 2)).hash(Self.password)
        let setup = try Setup(kind, hash: outdated)
        defer { setup.database.remove() }
        for _ in 1...2 { _ = try? setup.logIn("wrong password", at: 2000) }
        // No sessions table: the session insert, the last of the writes, fails.
        try setup.database.execute("ALTER TABLE sessions RENAME TO sessions_gone")
        let failure = #expect(throws: (any Error).self) { try setup.logIn(Self.password, at: 2100) }
        #expect(!(failure is LoginFailure), "a refusal, not the failed session insert: \(String(describing: failure))")
        let after = try #require(try setup.stored())
        #expect(after.lastLoginAt == nil)
        #expect(after.failedLogins == 3, "the two failures and this attempt's reservation")
        #expect(after.passwordHash == outdated, "the re-hash rolled back too")
        #expect(after.updatedAt == setup.user.updatedAt)
    }

    /// Contract §5 Security (v2): of N simultaneous wrong logins, at most the threshold check
    /// the password; the others are answered as locked without a check.
    @Test(arguments: StoreKind.allCases) func simultaneousWrongLoginsCheckAtMostTheThreshold(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let counter = CheckCounter()
        let rules = AccountRules(
            lockoutThreshold: 5, lockoutSeconds: 900, sessionLifetime: 3600, mfaSecrets: Self.mfaSecrets,
            mfaIssuer: "auth-fcgi")
        let results = concurrently(20, on: setup.database) { store, index in
            let accounts = Accounts(store: store, passwords: CountingPasswords(counter), rules: rules, now: 2000)
            do {
                _ = try accounts.logIn(.username("alice"), password: "wrong \(index)", from: Self.origin)
                return "logged in"
            } catch let failure as LoginFailure {
                switch failure {
                case .wrongPassword: return "wrong"
                case .refused(_, .locked): return "locked"
                default: return "\(failure)"
                }
            }
        }
        let answers = try results.map { try $0.get() }
        #expect(counter.count == 5)
        #expect(answers.count { $0 == "wrong" } == 5)
        #expect(answers.count { $0 == "locked" } == 15)
        let after = try setup.stored()
        #expect(after?.failedLogins == 5)
        #expect(after?.lockedUntil == 2900)
    }
}
