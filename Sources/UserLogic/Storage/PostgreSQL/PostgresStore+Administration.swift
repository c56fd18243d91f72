extension PostgresStore {
    public func listUsers(_ query: UserListQuery) throws -> (users: [User], total: Int) {
        var conditions: [String] = []
        var values: [PostgresValue] = []
        func parameter(_ value: PostgresValue) -> String {
            values.append(value)
            return "$\(values.count)"
        }
        if let role = query.role { conditions.append("role = \(parameter(.text(role.rawValue)))") }
        if let active = query.active { conditions.append("active = \(parameter(.bool(active)))") }
        let countSQL: String
        if let search = query.search {
            // search_text joins the fields with U+001F, which no field contains: a `q` with
            // it would match across two fields, so it matches nothing.
            conditions.append(
                search.contains(where: { $0 == "\u{1F}" || $0 == "\u{0}" })
                    ? "false" : "strpos(search_text, \(parameter(.text(search)))) > 0")
            countSQL = "SELECT count(*) FROM users \(Self.whereClause(conditions))"
        } else {
            // Exact without a scan: the triggers of migration 3 keep these counts.
            countSQL = "SELECT coalesce(sum(n), 0) FROM user_counts \(Self.whereClause(conditions))"
        }
        let countValues = values
        let limit = parameter(.integer(Int64(query.perPage)))
        let offset = parameter(.integer(Int64(query.offset)))
        return try guarded { connection in
            // The total rides on every row of the page: one round trip, one snapshot.
            var total: Int?
            let users = try connection.query(
                """
                SELECT (\(countSQL)), \(Self.userColumns) FROM users \(Self.whereClause(conditions))
                ORDER BY \(query.orderByClause) LIMIT \(limit) OFFSET \(offset)
                """,
                values
            ) { row in
                total = Int(row.integer(0))
                return Self.user(row, offset: 1)
            }
            // A page past the last has no row to carry it.
            return (users, try total ?? connection.query(countSQL, countValues) { Int($0.integer(0)) }.first ?? 0)
        }
    }

    private static func whereClause(_ conditions: [String]) -> String {
        conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }

    public func updateUser(id: Int64, _ changes: UserChanges, now: Int64) throws -> User? {
        try transaction {
            guard let (current, updated) = try checkedChange(of: id, changes) else { return nil }
            if updated == current { return current }
            return try guarded {
                try $0.query(
                    """
                    UPDATE users SET username = $1, email = $2, first_name = $3, last_name = $4, role = $5,
                        active = $6, updated_at = $7, search_text = $8
                    WHERE id = $9
                    RETURNING \(Self.userColumns)
                    """,
                    [
                        .text(updated.username), .text(updated.email), .text(updated.firstName),
                        .text(updated.lastName), .text(updated.role.rawValue), .bool(updated.active), .integer(now),
                        .text(
                            User.searchText(
                                username: updated.username, email: updated.email,
                                firstName: updated.firstName, lastName: updated.lastName)),
                        .integer(id),
                    ]
                ) { Self.user($0) }.first
            }
        }
    }

    public func deleteUser(id: Int64) throws -> Bool {
        try guarded { try $0.run("DELETE FROM users WHERE id = $1", [.integer(id)]) == 1 }
    }

    public func unlockUser(id: Int64) throws -> Bool {
        try guarded {
            try $0.run("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", [.integer(id)]) == 1
        }
    }

    public func activeAdminCount() throws -> Int {
        try guarded {
            try $0.query("SELECT n FROM user_counts WHERE role = 'ADMIN' AND active") { Int($0.integer(0)) }
                .first ?? 0
        }
    }
}
