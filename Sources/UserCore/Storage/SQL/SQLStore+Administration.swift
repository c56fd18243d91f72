extension SQLStore {
    public func listUsers(_ query: UserListQuery) throws -> (users: [User], total: Int) {
        let dialect = dialect
        var values: [SQLValue] = []
        func parameter(_ value: SQLValue) -> String {
            values.append(value)
            return dialect.placeholder(values.count)
        }
        var filters: [String] = []
        if let role = query.role { filters.append("role = \(parameter(.text(role.rawValue)))") }
        if let active = query.active { filters.append("active = \(parameter(.bool(active)))") }
        // user_counts counts by role and active only: any other condition needs a real count.
        var uncounted: [String] = []
        if let verified = query.emailVerified { uncounted.append("email_verified = \(parameter(.bool(verified)))") }
        if let mfaEnabled = query.mfaEnabled { uncounted.append("mfa_enabled = \(parameter(.bool(mfaEnabled)))") }
        var pageConditions = (filters + uncounted).map(dialect.pageFilter)
        if let search = query.search {
            // search_text joins the fields with U+001F, which no field contains: a `q` with
            // it (or with U+0000, which no field holds either) matches nothing.
            let condition =
                search.contains(where: { $0 == "\u{1F}" || $0 == "\u{0}" })
                ? "FALSE" : dialect.contains("search_text", parameter(.text(search)))
            pageConditions.append(condition)
            uncounted.append(condition)
        }
        let countSQL: String
        if !uncounted.isEmpty {
            // The role/active, email_verified and mfa_enabled indexes serve this count.
            countSQL = "SELECT count(*) FROM users \(Self.whereClause(filters + uncounted))"
        } else {
            // Exact without a scan: the triggers of migration 3 keep these counts.
            countSQL = "SELECT coalesce(sum(n), 0) FROM user_counts \(Self.whereClause(filters))"
        }
        let countValues = values
        let limit = parameter(.integer(Int64(query.perPage)))
        let offset = parameter(.integer(Int64(query.offset)))
        // The total rides on every row of the page: one statement, one snapshot.
        var total: Int?
        let users = try rows(
            text: """
                SELECT (\(countSQL)), \(StoreRows.userColumns) FROM users \(Self.whereClause(pageConditions))
                ORDER BY \(query.orderByClause) LIMIT \(limit) OFFSET \(offset)
                """,
            values
        ) { row in
            total = Int(row.integer(0))
            return StoreRows.user(row, offset: 1)
        }
        // A page past the last has no row to carry it.
        return (users, try total ?? rows(text: countSQL, countValues) { Int($0.integer(0)) }.first ?? 0)
    }

    private static func whereClause(_ conditions: [String]) -> String {
        conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }

    /// Inside `updateUser`'s transaction: the user before and after `changes`, once a changed
    /// username or email is known to be free (username checked first). Nil when there is no
    /// such user.
    private func checkedChange(of id: Int64, _ changes: UserChanges) throws -> (current: User, updated: User)? {
        guard let current = try user(id: id) else { return nil }
        let updated = current.applying(changes)
        if updated.username.lowercased() != current.username.lowercased(),
            let holder = try user(username: updated.username), holder.id != id
        {
            throw StoreError.usernameTaken
        }
        if updated.email != current.email, let holder = try user(email: updated.email), holder.id != id {
            throw StoreError.emailTaken
        }
        return (current, updated)
    }

    public func updateUser(id: Int64, _ changes: UserChanges, now: Int64) throws -> User? {
        try transaction {
            guard let (current, updated) = try checkedChange(of: id, changes) else { return nil }
            if updated == current { return current }
            let searchText = User.searchText(
                username: updated.username, email: updated.email, firstName: updated.firstName,
                lastName: updated.lastName)
            return try rows(
                AdministrationSQL.updateUser,
                [
                    .text(updated.username), .text(updated.email), .text(updated.firstName), .text(updated.lastName),
                    .text(updated.role.rawValue), .bool(updated.active), .bool(updated.emailVerified), .integer(now),
                    .text(searchText), .integer(id),
                ]
            ) { StoreRows.user($0) }.first
        }
    }

    public func deleteUser(id: Int64) throws -> Bool {
        try change(AdministrationSQL.deleteUser, [.integer(id)]) == 1
    }

    public func unlockUser(id: Int64) throws -> Bool {
        try change(AdministrationSQL.unlockUser, [.integer(id)]) == 1
    }

    public func activeAdminCount() throws -> Int {
        try rows(AdministrationSQL.activeAdminCount) { Int($0.integer(0)) }.first ?? 0
    }
}

private enum AdministrationSQL {
    static let updateUser = SQL(
        """
        UPDATE users SET username = $1, email = $2, first_name = $3, last_name = $4, role = $5, active = $6,
            email_verified = $7, updated_at = $8, search_text = $9
        WHERE id = $10
        RETURNING \(StoreRows.userColumns)
        """)
    static let deleteUser = SQL("DELETE FROM users WHERE id = $1")
    static let unlockUser = SQL("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
    static let activeAdminCount = SQL("SELECT n FROM user_counts WHERE role = 'ADMIN' AND active = TRUE")
}
