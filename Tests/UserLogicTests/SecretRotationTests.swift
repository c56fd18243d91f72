import Testing

@testable import UserCore

/// `rotate-mfa-key`'s core: stored TOTP secrets move from the previous key to the current one,
/// on SQLite and PostgreSQL alike.
@Suite struct SecretRotationTests {
    static let oldKey = Array("the key being replaced, thirty-two bytes".utf8)
    static let newKey = Array("the new key, also at least thirty-two bytes".utf8)
    static let strayKey = Array("a key nobody configured, thirty-two bytes".utf8)

    @Test(arguments: StoreKind.allCases) func secretsUnderThePreviousKeyAreResealed(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let old = SecretBox(key: Self.oldKey)
        let rotating = SecretBox(key: Self.newKey, previousKeys: [Self.oldKey])
        var secrets: [Int64: [UInt8]] = [:]
        for name in ["ann", "bob", "cid"] {
            let user = try store.createUser(newUser(name))
            secrets[user.id] = Array("secret of \(name)".utf8)
            // cid enrolled after the restart with the new key: already current.
            let box = name == "cid" ? rotating : old
            #expect(
                try store.replacePendingTOTPSecret(
                    userID: user.id,
                    sealed: box.seal(secrets[user.id]!, context: Accounts.secretContext(of: user.id)),
                    now: 100))
        }
        let stray = try store.createUser(newUser("dan"))
        let straySealed = SecretBox(key: Self.strayKey).seal([1], context: Accounts.secretContext(of: stray.id))
        _ = try store.replacePendingTOTPSecret(userID: stray.id, sealed: straySealed, now: 100)
        let before = Dictionary(uniqueKeysWithValues: try store.sealedTOTPSecrets().map { ($0.userID, $0.sealed) })

        let rotation = try rotating.resealTOTPSecrets(in: store)
        var expected = TOTPSecretRotation()
        expected.resealed = 2
        expected.alreadyCurrent = 1
        expected.unopenable = [stray.id]
        #expect(rotation == expected)

        // The new key alone opens every secret, each still the same; a current box and the
        // stray one are untouched.
        let rotated = SecretBox(key: Self.newKey)
        for (userID, sealed) in try store.sealedTOTPSecrets() where userID != stray.id {
            #expect(rotated.isCurrent(sealed))
            #expect(try rotated.open(sealed, context: Accounts.secretContext(of: userID)) == secrets[userID])
            #expect((sealed == before[userID]) == (userID == secrets.keys.max()), "only cid's box is kept")
        }
        #expect(try store.totpSecret(userID: stray.id)?.sealed == straySealed)

        // Again: nothing left to do.
        var again = TOTPSecretRotation()
        again.alreadyCurrent = 3
        again.unopenable = [stray.id]
        #expect(try rotating.resealTOTPSecrets(in: store) == again)
    }

    /// A box moved to another user's row doesn't open there, so it isn't re-sealed for them.
    @Test func aSecretInAnotherUsersRowIsNotResealed() throws {
        let database = try TestDatabase(.sqlite)
        defer { database.remove() }
        let store = try database.store()
        let ann = try store.createUser(newUser("ann"))
        let bob = try store.createUser(newUser("bob"))
        let annsBox = SecretBox(key: Self.oldKey).seal([7], context: Accounts.secretContext(of: ann.id))
        _ = try store.replacePendingTOTPSecret(userID: bob.id, sealed: annsBox, now: 100)
        let rotation = try SecretBox(key: Self.newKey, previousKeys: [Self.oldKey]).resealTOTPSecrets(in: store)
        #expect(rotation.unopenable == [bob.id] && rotation.resealed == 0)
        #expect(try store.totpSecret(userID: bob.id)?.sealed == annsBox)
    }
}
