import Testing

@testable import UserCore

/// The user list on both stores: sorts (case-insensitive, ties by id ascending, users who
/// never logged in last ascending and first descending), filters, search and pages.
@Suite struct StoreContractListTests {
    /// ids 1...7 in this order.
    static let people: [(name: String, created: Int64, login: Int64?, role: Role, active: Bool, first: String?)] = [
        ("bob", 300, 50, .user, true, nil),
        ("Alice", 100, nil, .admin, true, "Ålice"),
        ("ab", 200, 70, .user, false, nil),
        ("a_b", 200, nil, .user, true, nil),
        ("Zed", 100, 70, .admin, false, "Zoë"),
        ("carl", 400, 10, .user, true, "Carl"),
        ("zed_b", 300, nil, .user, true, nil),
    ]

    func populated(_ kind: StoreKind) throws -> (TestDatabase, any Store) {
        let database = try TestDatabase(kind)
        let store = try database.store()
        for person in Self.people {
            let user = try store.createUser(
                newUser(
                    person.name, email: "\(person.name.lowercased())@Example.test".lowercased(), role: person.role,
                    active: person.active, at: person.created, firstName: person.first))
            if let login = person.login { try store.recordSuccessfulLogin(userID: user.id, now: login) }
        }
        return (database, store)
    }

    func ids(_ store: any Store, _ adjust: (inout UserListQuery) -> Void) throws -> [Int64] {
        var query = UserListQuery()
        query.perPage = 100
        adjust(&query)
        return try store.listUsers(query).users.map(\.id)
    }

    @Test(arguments: StoreKind.allCases) func sortsMatchTheContract(kind: StoreKind) throws {
        let (database, store) = try populated(kind)
        defer { database.remove() }
        #expect(try ids(store) { _ in } == [1, 2, 3, 4, 5, 6, 7])
        #expect(try ids(store) { $0.descending = true } == [7, 6, 5, 4, 3, 2, 1])
        // By code point after lower-casing: "_" (0x5F) sorts before letters.
        #expect(try ids(store) { $0.sort = .username } == [4, 3, 2, 1, 6, 5, 7])
        #expect(
            try ids(store) {
                $0.sort = .username
                $0.descending = true
            } == [7, 5, 6, 1, 2, 3, 4])
        #expect(try ids(store) { $0.sort = .email } == [4, 3, 2, 1, 6, 5, 7])
        // Ties by id ascending in both directions.
        #expect(try ids(store) { $0.sort = .createdAt } == [2, 5, 3, 4, 1, 7, 6])
        #expect(
            try ids(store) {
                $0.sort = .createdAt
                $0.descending = true
            } == [6, 1, 7, 3, 4, 2, 5])
        // Never logged in: last ascending, first descending.
        #expect(try ids(store) { $0.sort = .lastLoginAt } == [6, 1, 3, 5, 2, 4, 7])
        #expect(
            try ids(store) {
                $0.sort = .lastLoginAt
                $0.descending = true
            } == [2, 4, 7, 3, 5, 1, 6])
    }

    @Test(arguments: StoreKind.allCases) func filtersSearchAndPages(kind: StoreKind) throws {
        let (database, store) = try populated(kind)
        defer { database.remove() }
        #expect(try ids(store) { $0.role = .admin } == [2, 5])
        #expect(try ids(store) { $0.active = false } == [3, 5])
        #expect(
            try ids(store) {
                $0.role = .user
                $0.active = true
            } == [1, 4, 6, 7])
        // `q` is lower-cased by the handler; names are searched lower-cased in full Unicode.
        #expect(try ids(store) { $0.search = "zoë" } == [5])
        #expect(try ids(store) { $0.search = "ålice" } == [2])
        #expect(try ids(store) { $0.search = "a_b" } == [4])
        #expect(try ids(store) { $0.search = "%" } == [])
        #expect(try ids(store) { $0.search = "@example.test" }.count == 7)
        #expect(try ids(store) { $0.search = "b\u{1F}" } == [])
        #expect(
            try ids(store) {
                $0.search = "zed"
                $0.active = true
            } == [7])

        var query = UserListQuery()
        query.perPage = 3
        query.page = 2
        query.sort = .username
        let page = try store.listUsers(query)
        #expect(page.total == 7)
        #expect(page.users.map(\.id) == [1, 6, 5])
        query.page = 3
        #expect(try store.listUsers(query).users.map(\.id) == [7])
        query.page = 4
        #expect(try store.listUsers(query).users.isEmpty)
        query.page = Int.max
        let far = try store.listUsers(query)
        #expect(far.users.isEmpty && far.total == 7)
        query.role = .admin
        query.page = 1
        #expect(try store.listUsers(query).total == 2)
    }
}
