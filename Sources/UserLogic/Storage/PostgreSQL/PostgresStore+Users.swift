extension PostgresStore {
    static let userColumns = """
        id, username, email, password_hash, first_name, last_name, role, active, created_at, updated_at,
        last_login_at, failed_logins, locked_until
        """

    /// Reads a row selected with `userColumns`, starting at column `offset`.
    static func user(_ row: PostgresRow, offset: Int32 = 0) -> User {
        User(
            id: row.integer(offset),
            username: row.text(offset + 1),
            email: row.text(offset + 2),
            passwordHash: row.text(offset + 3),
            firstName: row.optionalText(offset + 4),
            lastName: row.optionalText(offset + 5),
            role: Role(rawValue: row.text(offset + 6)) ?? .user,
            active: row.bool(offset + 7),
            createdAt: row.integer(offset + 8),
            updatedAt: row.integer(offset + 9),
            lastLoginAt: row.optionalInteger(offset + 10),
            failedLogins: Int(row.integer(offset + 11)),
            lockedUntil: row.optionalInteger(offset + 12)
        )
    }

    public func createUser(_ new: NewUser) throws -> User {
        try transaction {
            // Checked inside the write transaction (which holds the write lock) so the answer
            // is exact and ordered (username first); the unique indexes stay the last line of
            // defence, mapped by constraint name in `guarded`.
            if try user(username: new.username) != nil { throw StoreError.usernameTaken }
            if try user(email: new.email) != nil { throw StoreError.emailTaken }
            let created = try guarded {
                try $0.query(
                    """
                    INSERT INTO users (username, email, password_hash, first_name, last_name, role, active, created_at,
                        updated_at, search_text)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
                    RETURNING \(Self.userColumns)
                    """,
                    [
                        .text(new.username), .text(new.email), .text(new.passwordHash), .text(new.firstName),
                        .text(new.lastName), .text(new.role.rawValue), .bool(new.active), .integer(new.createdAt),
                        .text(
                            User.searchText(
                                username: new.username, email: new.email, firstName: new.firstName,
                                lastName: new.lastName)),
                    ]
                ) { Self.user($0) }.first
            }
            guard let created else { throw PostgresError(message: "the inserted user was not returned") }
            return created
        }
    }

    public func user(id: Int64) throws -> User? {
        try guarded {
            try $0.query("SELECT \(Self.userColumns) FROM users WHERE id = $1", [.integer(id)]) { Self.user($0) }
                .first
        }
    }

    public func user(username: String) throws -> User? {
        try guarded {
            try $0.query(
                "SELECT \(Self.userColumns) FROM users WHERE lower(username) = lower($1)", [.text(username)]
            ) { Self.user($0) }.first
        }
    }

    public func user(email: String) throws -> User? {
        try guarded {
            try $0.query("SELECT \(Self.userColumns) FROM users WHERE email = $1", [.text(email)]) { Self.user($0) }
                .first
        }
    }

    public func updatePasswordHash(userID: Int64, hash: String, now: Int64) throws {
        try guarded {
            try $0.run(
                "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
                [.text(hash), .integer(now), .integer(userID)])
        }
    }
}
