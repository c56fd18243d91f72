internal import CSQLite

extension SQLiteStore: UserImportStore {
    public var databaseFile: String? {
        sqlite3_db_filename(connection.handle, "main").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    public func existingUserKeys() throws -> (usernames: Set<String>, emails: Set<String>) {
        try guarded {
            var usernames: Set<String> = []
            var emails: Set<String> = []
            _ = try connection.query("SELECT lower(username), email FROM users") { row in
                usernames.insert(row.text(0))
                emails.insert(row.text(1))
            }
            return (usernames, emails)
        }
    }

    public func insertImportedUser(_ user: ImportedUser) throws -> Int64 {
        try guarded {
            do {
                try connection.run(
                    """
                    INSERT INTO users (username, email, password_hash, first_name, last_name, role, active, created_at,
                        updated_at, search_text)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(user.username), .text(user.email), .text(user.passwordHash), .text(user.firstName),
                        .text(user.lastName), .text(user.role.rawValue), .bool(user.active), .integer(user.createdAt),
                        .integer(user.updatedAt),
                        .text(
                            User.searchText(
                                username: user.username, email: user.email, firstName: user.firstName,
                                lastName: user.lastName)),
                    ])
            } catch let error as SQLiteError where error.isUniqueConstraintViolation {
                throw error.message.contains("email") ? StoreError.emailTaken : StoreError.usernameTaken
            }
            return connection.lastInsertedRowID
        }
    }
}
