import Testing

@testable import UserCore

/// The accounts core's password reset on SQLite and PostgreSQL alike.
@Suite struct AccountsPasswordResetTests {
    typealias Setup = AccountsLoginTests.Setup

    /// A reset consumes its token with the new password's effects; a second use of the token,
    /// as by a reset racing it, is refused and changes nothing.
    @Test(arguments: StoreKind.allCases) func aResetConsumesItsTokenOnce(kind: StoreKind) throws {
        let setup = try Setup(kind)
        defer { setup.database.remove() }
        let accounts = setup.accounts(at: 2000)
        _ = try accounts.openSession(for: setup.user.id, from: AccountsLoginTests.origin)
        try setup.store.replaceResetToken(userID: setup.user.id, tokenHash: "token-hash", now: 2000, expiresAt: 3000)

        try setup.accounts(at: 2100).resetPassword(of: setup.user, consuming: "token-hash", to: "a new password")
        let reset = try #require(try setup.stored())
        #expect(reset.passwordHash != setup.user.passwordHash)
        #expect(try setup.store.liveSessions(userID: setup.user.id, now: 2100).isEmpty)

        #expect(throws: PasswordResetFailure.tokenInvalid) {
            try setup.accounts(at: 2200).resetPassword(of: setup.user, consuming: "token-hash", to: "another one")
        }
        #expect(try setup.stored()?.passwordHash == reset.passwordHash)
    }
}
