import Testing

@testable import UserCore

/// The store's part of two-factor sign-in (contract §3, v2), on SQLite and PostgreSQL alike:
/// a pending secret that can be replaced until confirmed, single-use steps, recovery codes and
/// second-step token ids, and `mfa_enabled` on the user row and in the list filter.
@Suite struct StoreContractTwoFactorTests {
    @Test(arguments: StoreKind.allCases) func enrollmentIsPendingUntilConfirmedThenFixed(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let user = try store.createUser(newUser("ann"))
        #expect(!user.mfaEnabled)
        #expect(try store.totpSecret(userID: user.id) == nil)

        #expect(try store.replacePendingTOTPSecret(userID: user.id, sealed: "first", now: 100))
        #expect(try store.replacePendingTOTPSecret(userID: user.id, sealed: "second", now: 110))
        #expect(
            try store.totpSecret(userID: user.id)
                == StoredTOTPSecret(sealed: "second", confirmed: false, lastUsedStep: nil))
        // A replaced secret no longer confirms, and a pending one is no second factor.
        #expect(
            try store.confirmTOTPSecret(userID: user.id, sealed: "first", step: 5, recoveryCodeHashes: [], now: 120)
                == nil)
        #expect(!(try store.useTOTPStep(userID: user.id, step: 5)))

        let confirmed = try #require(
            try store.confirmTOTPSecret(
                userID: user.id, sealed: "second", step: 5, recoveryCodeHashes: ["h1", "h2"], now: 130))
        #expect(confirmed.mfaEnabled)
        #expect(confirmed.updatedAt == 130)
        #expect(try store.user(id: user.id)?.mfaEnabled == true)
        #expect(
            try store.totpSecret(userID: user.id)
                == StoredTOTPSecret(sealed: "second", confirmed: true, lastUsedStep: 5))
        #expect(Set(try store.unusedRecoveryCodeHashes(userID: user.id)) == ["h1", "h2"])
        // Confirmed: a new enrollment changes nothing, and it can't be confirmed twice.
        #expect(!(try store.replacePendingTOTPSecret(userID: user.id, sealed: "third", now: 140)))
        #expect(try store.totpSecret(userID: user.id)?.sealed == "second")
        #expect(
            try store.confirmTOTPSecret(userID: user.id, sealed: "second", step: 6, recoveryCodeHashes: [], now: 150)
                == nil)
    }

    @Test(arguments: StoreKind.allCases) func stepsAndRecoveryCodesAreUsedOnce(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let user = try store.createUser(newUser("bob"))
        _ = try store.replacePendingTOTPSecret(userID: user.id, sealed: "s", now: 100)
        _ = try store.confirmTOTPSecret(
            userID: user.id, sealed: "s", step: 10, recoveryCodeHashes: ["a", "b"], now: 100)
        // The confirming step counts as used, and so does any older one.
        #expect(!(try store.useTOTPStep(userID: user.id, step: 10)))
        #expect(!(try store.useTOTPStep(userID: user.id, step: 9)))
        #expect(try store.useTOTPStep(userID: user.id, step: 11))
        #expect(!(try store.useTOTPStep(userID: user.id, step: 11)))

        #expect(try store.useRecoveryCode(userID: user.id, codeHash: "a", now: 200))
        #expect(!(try store.useRecoveryCode(userID: user.id, codeHash: "a", now: 201)))
        #expect(!(try store.useRecoveryCode(userID: user.id, codeHash: "nope", now: 201)))
        #expect(try store.unusedRecoveryCodeHashes(userID: user.id) == ["b"])
        try store.replaceRecoveryCodes(userID: user.id, hashes: ["c"])
        #expect(try store.unusedRecoveryCodeHashes(userID: user.id) == ["c"])
        #expect(!(try store.useRecoveryCode(userID: user.id, codeHash: "b", now: 202)))
    }

    @Test(arguments: StoreKind.allCases) func removalTurnsItOffAndDeletesEverything(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let ann = try store.createUser(newUser("ann"))
        let bob = try store.createUser(newUser("bob"))
        for user in [ann, bob] {
            _ = try store.replacePendingTOTPSecret(userID: user.id, sealed: "s\(user.id)", now: 100)
            _ = try store.confirmTOTPSecret(
                userID: user.id, sealed: "s\(user.id)", step: 1, recoveryCodeHashes: ["c\(user.id)"], now: 100)
        }
        var query = UserListQuery()
        query.mfaEnabled = true
        #expect(try store.listUsers(query).total == 2)

        let removed = try #require(try store.removeTOTP(userID: ann.id, now: 300))
        #expect(!removed.mfaEnabled)
        #expect(try store.totpSecret(userID: ann.id) == nil)
        #expect(try store.unusedRecoveryCodeHashes(userID: ann.id).isEmpty)
        #expect(try store.listUsers(query).users.map(\.id) == [bob.id])
        query.mfaEnabled = false
        #expect(try store.listUsers(query).users.map(\.id) == [ann.id])
        #expect(try store.removeTOTP(userID: 999_999, now: 300) == nil)
        // Deleting the user deletes its secret and codes through the schema.
        #expect(try store.deleteUser(id: bob.id))
        #expect(try store.sealedTOTPSecrets().isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func secretsCanBeResealedOnlyFromWhatWasRead(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let user = try store.createUser(newUser("kim"))
        _ = try store.replacePendingTOTPSecret(userID: user.id, sealed: "old", now: 100)
        #expect(try store.sealedTOTPSecrets().map(\.sealed) == ["old"])
        #expect(!(try store.resealTOTPSecret(userID: user.id, expected: "other", sealed: "new")))
        #expect(try store.resealTOTPSecret(userID: user.id, expected: "old", sealed: "new"))
        #expect(try store.totpSecret(userID: user.id)?.sealed == "new")
    }

    @Test(arguments: StoreKind.allCases) func aChallengeIsUsedOnceAndPurgedAfterItsExpiry(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        #expect(!(try store.isChallengeUsed(tokenID: "j1")))
        #expect(try store.useChallenge(tokenID: "j1", expiresAt: 500))
        #expect(!(try store.useChallenge(tokenID: "j1", expiresAt: 500)))
        #expect(try store.isChallengeUsed(tokenID: "j1"))
        _ = try store.purgeExpired(now: 501, accessTokenLifetime: 900)
        #expect(!(try store.isChallengeUsed(tokenID: "j1")))
    }
}
