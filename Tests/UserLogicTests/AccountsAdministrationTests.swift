import Testing

@testable import UserCore

/// The accounts core's administrative changes (the API's PATCH and DELETE, `auth-fcgi users`)
/// on SQLite and PostgreSQL alike: the last-admin rule, its override, and a set password.
@Suite struct AccountsAdministrationTests {
    typealias Setup = AccountsLoginTests.Setup

    /// The setup's user made the only active ADMIN.
    func onlyAdmin(_ setup: Setup) throws -> User {
        var changes = UserChanges()
        changes.role = .admin
        return try #require(try setup.store.updateUser(id: setup.user.id, changes, now: 1500))
    }

    @Test(arguments: StoreKind.allCases) func theLastActiveAdminStaysUnlessOverridden(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let admin = try onlyAdmin(setup)
        let accounts = setup.accounts(at: 2000)
        var demote = UserChanges()
        demote.role = .user
        var disable = UserChanges()
        disable.active = false
        for changes in [demote, disable] {
            #expect(throws: AdministrationFailure.lastAdmin) { try accounts.updateUser(id: admin.id, changes) }
        }
        #expect(throws: AdministrationFailure.lastAdmin) { try accounts.deleteUser(id: admin.id) }
        #expect(try setup.stored() == admin, "nothing changed")

        let disabled = try accounts.updateUser(id: admin.id, disable, overridingLastAdmin: true)
        #expect(disabled.before == admin && !disabled.after.active)
        #expect(try setup.store.activeAdminCount() == 0)
    }

    @Test(arguments: StoreKind.allCases) func anotherActiveAdminLetsOneGo(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let admin = try onlyAdmin(setup)
        _ = try setup.store.createUser(newUser("bob", role: .admin))
        let accounts = setup.accounts(at: 2000)
        var demote = UserChanges()
        demote.role = .user
        #expect(try accounts.updateUser(id: admin.id, demote).after.role == .user)
        #expect(throws: AdministrationFailure.userNotFound) { try accounts.deleteUser(id: 999) }
        #expect(throws: AdministrationFailure.userNotFound) { try accounts.updateUser(id: 999, demote) }
    }

    @Test(arguments: StoreKind.allCases) func authorizeRefusesBeforeTheRule(kind: StoreKind) throws {
        struct Refused: Error {}
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let admin = try onlyAdmin(setup)
        #expect(throws: Refused.self) {
            try setup.accounts(at: 2000).deleteUser(id: admin.id) { _ in throw Refused() }
        }
        #expect(try setup.stored() != nil)
    }

    @Test(arguments: StoreKind.allCases) func aSetPasswordRevokesSessionsVoidsResetTokensAndUnlocks(kind: StoreKind)
        throws
    {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let accounts = setup.accounts(at: 2000)
        _ = try accounts.openSession(for: setup.user.id, from: AccountsLoginTests.origin)
        try setup.store.replaceResetToken(userID: setup.user.id, tokenHash: "reset", now: 2000, expiresAt: 3000)
        for _ in 1...3 { _ = try? setup.logIn("wrong password", at: 2000) }
        #expect(try setup.stored()?.isLocked(at: 2001) == true)

        try setup.accounts(at: 2001).setPassword(of: setup.user, to: "a new password")
        let stored = try #require(try setup.stored())
        #expect(setup.passwords.check("a new password", against: stored.passwordHash) == .right(outdated: false))
        #expect(!stored.isLocked(at: 2001) && stored.failedLogins == 0)
        #expect(try setup.store.liveSessions(userID: setup.user.id, now: 2001).isEmpty)
        #expect(try setup.store.resetTokenOwner(tokenHash: "reset", now: 2001) == nil)
    }
}
