import Testing

@testable import UserCore
@testable import UserImport

/// Imported users start without two-factor sign-in (issue 18): another app's TOTP columns are
/// not read, since its secrets are not sealed with MFA_SECRET_KEY nor known to be confirmed.
@Suite struct ImportTwoFactorTests {
    @Test(arguments: StoreKind.allCases) func importedUsersHaveNoSecondFactor(kind: StoreKind) throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/users.csv"
        let database = try TestDatabase(kind)
        defer {
            unlinkFile(path)
            database.remove()
            directory.remove()
        }
        try writeTestFile(
            path,
            """
            username,email,password_hash,mfa_enabled,otp_secret
            alice,alice@example.com,\(ImportUsersTests.pbkdf2),true,JBSWY3DPEHPK3PXP

            """)
        let source = try CSVUserSource(path: path)
        let store = try #require(try database.store() as? any UserImportStore)
        let summary = try UserImporter(
            source: source, mapping: ColumnMapping(detectingIn: source.columns), store: store,
            options: ImportOptions(now: 1_800_000_000)
        ).run { _ in }
        #expect(summary.written)
        let alice = try #require(try store.user(username: "alice"))
        #expect(!alice.mfaEnabled)
        #expect(try store.totpSecret(userID: alice.id) == nil)
    }
}
