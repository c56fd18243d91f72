extension SQLiteStore {
    public func listUsers(_ query: UserListQuery) throws -> (users: [User], total: Int) {
        var filters: [String] = []
        var values: [SQLiteValue] = []
        if let role = query.role {
            filters.append("role = ?")
            values.append(.text(role.rawValue))
        }
        if let active = query.active {
            filters.append("active = ?")
            values.append(.bool(active))
        }
        // The page filters with a unary + that keeps SQLite from using the role/active indexes:
        // walking the sort's index and skipping non-matches finds a page of 20 in a few rows,
        // where fetching every match and sorting them costs tens of milliseconds at 100 000 users.
        var pageConditions = filters.map { "+" + $0 }
        let countSQL: String
        if let search = query.search {
            // search_text joins the fields with U+001F, which no field contains: a `q` with
            // it (or with U+0000, which no field holds either) matches nothing.
            let condition =
                search.contains(where: { $0 == "\u{1F}" || $0 == "\u{0}" })
                ? "0 AND instr(search_text, ?) > 0" : "instr(search_text, ?) > 0"
            pageConditions.append(condition)
            values.append(.text(search))
            // The role/active indexes serve this count.
            countSQL = "SELECT count(*) FROM users \(Self.whereClause(filters + [condition]))"
        } else {
            // Exact without a scan: the triggers of migration 3 keep these counts.
            countSQL = "SELECT coalesce(sum(n), 0) FROM user_counts \(Self.whereClause(filters))"
        }
        return try guarded {
            // The total rides on every row of the page: one statement, one snapshot.
            var total: Int?
            let users = try connection.query(
                """
                SELECT (\(countSQL)), \(Self.userColumns) FROM users \(Self.whereClause(pageConditions))
                ORDER BY \(query.orderByClause) LIMIT ? OFFSET ?
                """,
                values + values + [.integer(Int64(query.perPage)), .integer(Int64(query.offset))]
            ) { row in
                total = Int(row.integer(0))
                return Self.user(row, offset: 1)
            }
            // A page past the last has no row to carry it.
            return (users, try total ?? connection.query(countSQL, values) { Int($0.integer(0)) }.first ?? 0)
        }
    }

    private static func whereClause(_ conditions: [String]) -> String {
        conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }

    public func updateUser(id: Int64, _ changes: UserChanges, now: Int64) throws -> User? {
        try transaction {
            guard let (current, updated) = try checkedChange(of: id, changes) else { return nil }
            if updated == current { return current }
            try connection.run(
                """
                UPDATE users SET username = ?, email = ?, first_name = ?, last_name = ?, role = ?, active = ?,
                    updated_at = ?, search_text = ?
                WHERE id = ?
                """,
                [
                    .text(updated.username), .text(updated.email), .text(updated.firstName), .text(updated.lastName),
                    .text(updated.role.rawValue), .bool(updated.active), .integer(now),
                    .text(
                        User.searchText(
                            username: updated.username, email: updated.email,
                            firstName: updated.firstName, lastName: updated.lastName)),
                    .integer(id),
                ])
            return try user(id: id)
        }
    }

    public func deleteUser(id: Int64) throws -> Bool {
        try guarded { try connection.run("DELETE FROM users WHERE id = ?", [.integer(id)]) == 1 }
    }

    public func unlockUser(id: Int64) throws -> Bool {
        try guarded {
            try connection.run("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", [.integer(id)])
                == 1
        }
    }

    public func activeAdminCount() throws -> Int {
        try guarded {
            try connection.query("SELECT n FROM user_counts WHERE role = 'ADMIN' AND active = 1") {
                Int($0.integer(0))
            }.first ?? 0
        }
    }
}
