import Testing

@testable import UserCore

/// The accounts core's password change on SQLite and PostgreSQL alike.
@Suite struct AccountsPasswordChangeTests {
    typealias Setup = AccountsLoginTests.Setup

    /// Two sessions of the setup's user: the one presenting the change, and another.
    func twoSessions(_ setup: Setup) throws -> (presenting: Session, other: Session) {
        let accounts = setup.accounts(at: 2000)
        return (
            try accounts.openSession(for: setup.user.id, from: AccountsLoginTests.origin),
            try accounts.openSession(for: setup.user.id, from: AccountsLoginTests.origin)
        )
    }

    @Test(arguments: StoreKind.allCases) func aWrongCurrentPasswordChangesNothingButTheCount(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let (presenting, _) = try twoSessions(setup)
        #expect(throws: CurrentPasswordFailure.incorrect(lockedUntil: nil)) {
            try setup.accounts(at: 2100).changePassword(
                of: setup.user, current: "not it", to: "a new password", keeping: presenting.id)
        }
        let stored = try #require(try setup.stored())
        #expect(stored.passwordHash == setup.user.passwordHash)
        #expect(stored.updatedAt == setup.user.updatedAt)
        #expect(stored.failedLogins == 1, "counted toward the lockout")
        #expect(try setup.store.liveSessions(userID: setup.user.id, now: 2100).count == 2)
    }

    /// An account deleted since its request was authenticated has no password to check.
    @Test(arguments: StoreKind.allCases) func aDeletedAccountIsGone(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        _ = try setup.store.deleteUser(id: setup.user.id)
        #expect(throws: CurrentPasswordFailure.accountGone) {
            try setup.accounts(at: 2100).checkCurrentPassword(AccountsLoginTests.password, of: setup.user)
        }
    }

    @Test(arguments: StoreKind.allCases) func wrongCurrentPasswordsCountTowardTheLockout(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let (presenting, _) = try twoSessions(setup)
        let accounts = setup.accounts(at: 2100)
        // The third wrong one locks the account, and says so.
        for lockedUntil: Int64? in [nil, nil, 2160] {
            #expect(throws: CurrentPasswordFailure.incorrect(lockedUntil: lockedUntil)) {
                try accounts.changePassword(
                    of: setup.user, current: "not it", to: "a new password", keeping: presenting.id)
            }
        }
        let checks = setup.passwords.counter.count
        #expect(throws: CurrentPasswordFailure.locked(until: 2160)) {
            try accounts.changePassword(
                of: setup.user, current: AccountsLoginTests.password, to: "a new password", keeping: presenting.id)
        }
        #expect(setup.passwords.counter.count == checks, "no check while locked")
        #expect(try setup.stored()?.passwordHash == setup.user.passwordHash)
    }

    @Test(arguments: StoreKind.allCases) func theRightCurrentPasswordClearsTheCount(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let (presenting, _) = try twoSessions(setup)
        for _ in 1...2 { _ = try? setup.logIn("wrong password", at: 2000) }
        _ = try setup.accounts(at: 2100).changePassword(
            of: setup.user, current: AccountsLoginTests.password, to: "a new password", keeping: presenting.id)
        let stored = try #require(try setup.stored())
        #expect(stored.failedLogins == 0)
        #expect(stored.lastLoginAt == nil, "a password change is no login")
    }

    @Test(arguments: StoreKind.allCases) func aChangeKeepsOnlyThePresentingSessionAndRotatesIt(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let (presenting, _) = try twoSessions(setup)
        let change = try setup.accounts(at: 2100).changePassword(
            of: setup.user, current: AccountsLoginTests.password, to: "a new password", keeping: presenting.id)
        let stored = try #require(try setup.stored())
        #expect(change.user == stored)
        #expect(stored.updatedAt == 2100)
        #expect(setup.passwords.hasher.verify("a new password", against: stored.passwordHash))
        let live = try setup.store.liveSessions(userID: setup.user.id, now: 2100)
        #expect(live.map(\.id) == [presenting.id])
        #expect(live.first?.refreshTokenID == change.refreshTokenID)
        #expect(change.refreshTokenID != presenting.refreshTokenID)
    }

    @Test(arguments: StoreKind.allCases) func anEndedSessionRollsTheChangeBack(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let (presenting, _) = try twoSessions(setup)
        try setup.store.revokeSession(id: presenting.id, userID: setup.user.id, now: 2050)
        #expect(throws: PasswordChangeFailure.sessionEnded) {
            try setup.accounts(at: 2100).changePassword(
                of: setup.user, current: AccountsLoginTests.password, to: "a new password", keeping: presenting.id)
        }
        #expect(try setup.stored() == setup.user, "the new hash rolled back")
        #expect(try setup.store.liveSessions(userID: setup.user.id, now: 2100).count == 1, "no session revoked")
    }
}
