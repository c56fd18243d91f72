extension PostgresStore: UserImportStore {
    /// A PostgreSQL database is no file a source could also be.
    public var databaseFile: String? { nil }

    public func existingUserKeys() throws -> (usernames: Set<String>, emails: Set<String>) {
        try guarded { connection in
            var usernames: Set<String> = []
            var emails: Set<String> = []
            _ = try connection.query("SELECT lower(username), email FROM users") { row in
                usernames.insert(row.text(0))
                emails.insert(row.text(1))
            }
            return (usernames, emails)
        }
    }

    /// A taken username or email is mapped by the unique index's name in `guarded`.
    public func insertImportedUser(_ user: ImportedUser) throws -> Int64 {
        let id = try guarded {
            try $0.query(
                """
                INSERT INTO users (username, email, password_hash, first_name, last_name, role, active, created_at,
                    updated_at, search_text)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                RETURNING id
                """,
                [
                    .text(user.username), .text(user.email), .text(user.passwordHash), .text(user.firstName),
                    .text(user.lastName), .text(user.role.rawValue), .bool(user.active), .integer(user.createdAt),
                    .integer(user.updatedAt),
                    .text(
                        User.searchText(
                            username: user.username, email: user.email, firstName: user.firstName,
                            lastName: user.lastName)),
                ]
            ) { $0.integer(0) }.first
        }
        guard let id else { throw PostgresError(message: "the inserted user was not returned") }
        return id
    }
}
