import Testing

@testable import UserCore

/// The user list's `total` on both stores. Without `q` it comes from the counts the schema
/// keeps by triggers (migration 3), so after every kind of change it must equal a count of
/// the rows themselves, which a `q` that every user matches forces.
@Suite struct StoreContractTotalTests {
    /// Every role/active filter's total, counts-table answer and row count side by side, on a
    /// page with rows (the total rides on them) and one past the last (it has none), and the
    /// active admins; returns the unfiltered total.
    @discardableResult
    func expectExactTotals(_ store: any Store, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        for role in [nil] + Role.allCases.map(Optional.some) {
            for active in [nil, true, false] {
                var query = UserListQuery()
                query.role = role
                query.active = active
                let kept = try store.listUsers(query).total
                query.search = "@"  // in every email
                let counted = try store.listUsers(query).total
                query.page = 1000
                let countedPastTheEnd = try store.listUsers(query).total
                query.search = nil
                let keptPastTheEnd = try store.listUsers(query).total
                #expect(
                    [kept, keptPastTheEnd, countedPastTheEnd] == [counted, counted, counted],
                    "role \(role?.rawValue ?? "any"), active \(active.map(String.init) ?? "any")",
                    sourceLocation: sourceLocation)
            }
        }
        var admins = UserListQuery()
        admins.role = .admin
        admins.active = true
        admins.search = "@"
        #expect(try store.activeAdminCount() == store.listUsers(admins).total, sourceLocation: sourceLocation)
        return try store.listUsers(UserListQuery()).total
    }

    func imported(_ name: String, role: Role, active: Bool) -> ImportedUser {
        ImportedUser(
            NewUser(
                username: name, email: "\(name)@example.com", passwordHash: "$y$hash", firstName: nil, lastName: nil,
                role: role, active: active, createdAt: 1000),
            updatedAt: 1000)
    }

    @Test(arguments: StoreKind.allCases) func totalsStayExactAcrossEveryChange(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        #expect(try expectExactTotals(store) == 0)

        var ids: [String: Int64] = [:]
        for (name, role, active) in [
            ("ann", Role.admin, true), ("ben", .admin, false), ("cat", .user, true), ("dan", .user, false),
            ("eve", .user, true), ("fay", .user, true),
        ] {
            ids[name] = try store.createUser(newUser(name, role: role, active: active)).id
        }
        #expect(try expectExactTotals(store) == 6)
        #expect(try store.activeAdminCount() == 1)

        func update(_ name: String, _ adjust: (inout UserChanges) -> Void) throws {
            var changes = UserChanges()
            adjust(&changes)
            #expect(try store.updateUser(id: ids[name]!, changes, now: 2000) != nil)
        }
        try update("cat") { $0.role = .admin }
        try update("dan") { $0.active = true }
        try update("eve") {
            $0.role = .admin
            $0.active = false
        }
        try update("fay") { $0.firstName = "Fay" }  // neither role nor active
        try update("ann") {
            $0.role = .admin  // unchanged values
            $0.active = true
        }
        #expect(try expectExactTotals(store) == 6)
        #expect(try store.activeAdminCount() == 2)

        #expect(try store.deleteUser(id: ids["cat"]!))
        #expect(try !store.deleteUser(id: ids["cat"]!))
        #expect(try expectExactTotals(store) == 5)

        let importer = try #require(store as? any UserImportStore)
        _ = try importer.insertImportedUser(imported("gus", role: .admin, active: true))
        _ = try importer.insertImportedUser(imported("hal", role: .user, active: false))
        #expect(throws: StoreError.self) {  // taken: no change
            try importer.insertImportedUser(imported("hal", role: .admin, active: true))
        }
        #expect(try expectExactTotals(store) == 7)

        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try store.transaction {
                _ = try store.createUser(newUser("ivy", role: .admin))
                _ = try store.deleteUser(id: ids["ann"]!)
                throw Abort()
            }
        }
        #expect(try expectExactTotals(store) == 7)
        #expect(try store.activeAdminCount() == 2)
    }

    @Test(arguments: StoreKind.allCases) func concurrentWritersKeepTotalsExact(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        // Registrations (in a transaction) and partial imports (one statement each) at once.
        let results = concurrently(8, on: database) { store, index in
            for round in 0..<5 {
                let name = "w\(index)r\(round)"
                let role: Role = round % 2 == 0 ? .user : .admin
                if index % 2 == 0 {
                    _ = try store.createUser(newUser(name, role: role, active: round != 3))
                } else {
                    _ = try (store as! any UserImportStore).insertImportedUser(
                        imported(name, role: role, active: round != 3))
                }
            }
        }
        for result in results { try result.get() }
        #expect(try expectExactTotals(try database.store()) == 40)
    }

    @Test(arguments: StoreKind.allCases) func countsStartFromTheUsersPresentWhenMigrated(kind: StoreKind) throws {
        let database = try TestDatabase(kind)
        defer { database.remove() }
        let store = try database.store()
        for (index, name) in ["ann", "ben", "cat", "dan", "eve"].enumerated() {
            _ = try store.createUser(newUser(name, role: index < 2 ? .admin : .user, active: index != 3))
        }
        // Back to the schema before migration 3, with users in it.
        try execute(
            on: store,
            sqlite: """
                DROP TRIGGER users_counted_insert; DROP TRIGGER users_counted_delete;
                DROP TRIGGER users_counted_update; DROP TABLE user_counts;
                DELETE FROM schema_migrations WHERE version = 3
                """,
            postgresql: """
                DROP TABLE user_counts; DROP FUNCTION users_count_change, users_count_reset CASCADE;
                DELETE FROM schema_migrations WHERE version = 3
                """)
        _ = try store.createUser(newUser("fay", role: .admin, active: false))
        #expect(try StoreFactory(location: database.location).prepare() == ["user_counts"])
        let migrated = try database.store()
        #expect(try expectExactTotals(migrated) == 6)
        #expect(try migrated.activeAdminCount() == 2)
    }
}
