extension SQLiteStore {
    static let userColumns = """
        id, username, email, password_hash, first_name, last_name, role, active, created_at, updated_at,
        last_login_at, failed_logins, locked_until
        """

    /// Reads a row selected with `userColumns`, starting at column `offset`.
    static func user(_ row: SQLiteRow, offset: Int32 = 0) -> User {
        User(
            id: row.integer(offset),
            username: row.text(offset + 1),
            email: row.text(offset + 2),
            passwordHash: row.text(offset + 3),
            firstName: row.optionalText(offset + 4),
            lastName: row.optionalText(offset + 5),
            role: Role(rawValue: row.text(offset + 6)) ?? .user,
            active: row.integer(offset + 7) != 0,
            createdAt: row.integer(offset + 8),
            updatedAt: row.integer(offset + 9),
            lastLoginAt: row.optionalInteger(offset + 10),
            failedLogins: Int(row.integer(offset + 11)),
            lockedUntil: row.optionalInteger(offset + 12)
        )
    }

    public func createUser(_ new: NewUser) throws -> User {
        try transaction {
            // Checked inside the write transaction so the answer is exact and ordered
            // (username first); the unique indexes stay the last line of defence.
            if try user(username: new.username) != nil { throw StoreError.usernameTaken }
            if try user(email: new.email) != nil { throw StoreError.emailTaken }
            do {
                try connection.run(
                    """
                    INSERT INTO users (username, email, password_hash, first_name, last_name, role, active, created_at,
                        updated_at, search_text)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(new.username), .text(new.email), .text(new.passwordHash), .text(new.firstName),
                        .text(new.lastName), .text(new.role.rawValue), .bool(new.active), .integer(new.createdAt),
                        .integer(new.createdAt),
                        .text(
                            User.searchText(
                                username: new.username, email: new.email, firstName: new.firstName,
                                lastName: new.lastName)),
                    ])
            } catch let error as SQLiteError where error.isUniqueConstraintViolation {
                throw error.message.contains("email") ? StoreError.emailTaken : StoreError.usernameTaken
            }
            guard let created = try user(id: connection.lastInsertedRowID) else {
                throw SQLiteError(code: 0, message: "inserted user not found")
            }
            return created
        }
    }

    public func user(id: Int64) throws -> User? {
        try guarded {
            try connection.query("SELECT \(Self.userColumns) FROM users WHERE id = ?", [.integer(id)]) { Self.user($0) }
                .first
        }
    }

    public func user(username: String) throws -> User? {
        try guarded {
            try connection.query(
                "SELECT \(Self.userColumns) FROM users WHERE lower(username) = lower(?)", [.text(username)]
            ) {
                Self.user($0)
            }.first
        }
    }

    public func user(email: String) throws -> User? {
        try guarded {
            try connection.query("SELECT \(Self.userColumns) FROM users WHERE email = ?", [.text(email)]) {
                Self.user($0)
            }.first
        }
    }

    public func updatePasswordHash(userID: Int64, hash: String, now: Int64) throws {
        try guarded {
            try connection.run(
                "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                [.text(hash), .integer(now), .integer(userID)])
        }
    }
}
