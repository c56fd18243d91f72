import Testing

@testable import UserCore

/// The store's part of email verification (contract §3, v2), on SQLite and PostgreSQL alike:
/// the `email_verified` column and verification tokens kept like reset tokens.
@Suite struct StoreContractVerificationTests {
    @Test(arguments: StoreKind.allCases) func emailVerifiedIsStoredChangedAndFiltered(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let ann = try store.createUser(newUser("ann"))
        var verified = newUser("bob")
        verified.emailVerified = true
        let bob = try store.createUser(verified)
        #expect(!ann.emailVerified)
        #expect(bob.emailVerified)
        var changes = UserChanges()
        changes.emailVerified = true
        #expect(try store.updateUser(id: ann.id, changes, now: 2000)?.emailVerified == true)
        // A new address is unverified unless the same changes say otherwise.
        changes = UserChanges()
        changes.email = "bob2@example.com"
        #expect(try store.updateUser(id: bob.id, changes, now: 2000)?.emailVerified == false)
        changes.email = "bob3@example.com"
        changes.emailVerified = true
        #expect(try store.updateUser(id: bob.id, changes, now: 2000)?.emailVerified == true)
        // The same address again changes nothing.
        changes = UserChanges()
        changes.email = "bob3@example.com"
        #expect(try store.updateUser(id: bob.id, changes, now: 2000)?.emailVerified == true)
        let carl = try store.createUser(newUser("carl"))
        var query = UserListQuery()
        query.emailVerified = false
        let unverified = try store.listUsers(query)
        #expect(unverified.users.map(\.id) == [carl.id])
        #expect(unverified.total == 1)
        query.emailVerified = true
        query.search = "bob"
        #expect(try store.listUsers(query).users.map(\.id) == [bob.id])
    }

    @Test(arguments: StoreKind.allCases) func tokensAreSingleUseReplacedAndExpire(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let user = try store.createUser(newUser("kim"))
        try store.replaceVerificationToken(
            userID: user.id, email: user.email, tokenHash: "old", now: 100, expiresAt: 200)
        try store.replaceVerificationToken(
            userID: user.id, email: user.email, tokenHash: "new", now: 110, expiresAt: 210)
        #expect(try store.consumeVerificationToken(tokenHash: "old", now: 120) == nil)
        #expect(try store.consumeVerificationToken(tokenHash: "new", now: 210) == nil)
        let verified = try #require(try store.consumeVerificationToken(tokenHash: "new", now: 130))
        #expect(verified.id == user.id)
        #expect(verified.emailVerified)
        #expect(verified.updatedAt == 130)
        #expect(try store.user(id: user.id)?.emailVerified == true)
        #expect(try store.consumeVerificationToken(tokenHash: "new", now: 131) == nil)
        // Racing uses of one token: one wins.
        try store.replaceVerificationToken(
            userID: user.id, email: user.email, tokenHash: "raced", now: 140, expiresAt: 500)
        let results = concurrently(6, on: database) { store, _ in
            try store.consumeVerificationToken(tokenHash: "raced", now: 150)?.id
        }
        #expect(try results.compactMap { try $0.get() } == [user.id])
    }

    @Test(arguments: StoreKind.allCases) func tokensBindTheAddressAndAnActiveUser(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        let lou = try store.createUser(newUser("lou"))
        let max = try store.createUser(newUser("max"))
        // Mailed to an address the user no longer has.
        try store.replaceVerificationToken(
            userID: lou.id, email: "old@example.com", tokenHash: "moved", now: 100, expiresAt: 200)
        #expect(try store.consumeVerificationToken(tokenHash: "moved", now: 150) == nil)
        // A disabled user's token is no token.
        try store.replaceVerificationToken(userID: lou.id, email: lou.email, tokenHash: "off", now: 100, expiresAt: 200)
        var disable = UserChanges()
        disable.active = false
        _ = try store.updateUser(id: lou.id, disable, now: 110)
        #expect(try store.consumeVerificationToken(tokenHash: "off", now: 150) == nil)
        #expect(try store.user(id: lou.id)?.emailVerified == false)
        // Voiding touches only that user.
        try store.replaceVerificationToken(userID: max.id, email: max.email, tokenHash: "max", now: 100, expiresAt: 200)
        try store.voidVerificationTokens(userID: lou.id)
        #expect(try store.consumeVerificationToken(tokenHash: "max", now: 150)?.id == max.id)
        // Deleting the user deletes its tokens.
        try store.replaceVerificationToken(
            userID: max.id, email: max.email, tokenHash: "gone", now: 100, expiresAt: 200)
        #expect(try store.deleteUser(id: max.id))
        let left = try rows(
            on: store, "SELECT count(*) FROM verification_tokens WHERE user_id = $1", [.integer(max.id)]
        ) {
            $0.integer(0)
        }
        #expect(left == [0])
    }
}
