extension SQLStore {
    public func createUser(_ new: NewUser) throws -> User {
        try transaction {
            // Checked inside the write transaction (which every writer queues for) so the
            // answer is exact and ordered (username first); the unique indexes stay the last
            // line of defence, mapped by name.
            if try user(username: new.username) != nil { throw StoreError.usernameTaken }
            if try user(email: new.email) != nil { throw StoreError.emailTaken }
            return try insertUser(new, updatedAt: new.createdAt)
        }
    }

    /// The one INSERT of a user, for registration and import (which keeps the source's
    /// `updated_at`).
    func insertUser(_ new: NewUser, updatedAt: Int64) throws -> User {
        let searchText = User.searchText(
            username: new.username, email: new.email, firstName: new.firstName, lastName: new.lastName)
        let inserted = try rows(
            UserSQL.insert,
            [
                .text(new.username), .text(new.email), .text(new.passwordHash), .text(new.firstName),
                .text(new.lastName), .text(new.role.rawValue), .bool(new.active), .integer(new.createdAt),
                .integer(updatedAt), .text(searchText), .bool(new.emailVerified),
            ]
        ) { StoreRows.user($0) }
        guard let user = inserted.first else { throw StoreError.unavailable("the inserted user was not returned") }
        return user
    }

    public func user(id: Int64) throws -> User? {
        try rows(UserSQL.byID, [.integer(id)]) { StoreRows.user($0) }.first
    }

    public func user(username: String) throws -> User? {
        try rows(UserSQL.byUsername, [.text(username)]) { StoreRows.user($0) }.first
    }

    public func user(email: String) throws -> User? {
        try rows(UserSQL.byEmail, [.text(email)]) { StoreRows.user($0) }.first
    }

    public func updatePasswordHash(userID: Int64, hash: String, now: Int64) throws {
        try change(UserSQL.updatePasswordHash, [.text(hash), .integer(now), .integer(userID)])
    }

    public func reserveLoginAttempt(userID: Int64, threshold: Int, lockSeconds: Int64, now: Int64) throws
        -> LoginAttemptReservation?
    {
        // One conditional UPDATE: SQLite runs one writer at a time, and on PostgreSQL a
        // concurrent UPDATE of the row waits for the first and re-checks the condition
        // against its result, so each reservation sees every earlier one.
        for _ in 0..<2 {
            let reserved = try rows(
                UserSQL.reserveLoginAttempt,
                [.integer(Int64(threshold)), .integer(now), .integer(lockSeconds), .integer(userID)]
            ) { $0.optionalInteger(0) }
            if let lockedUntil = reserved.first { return .granted(lockedUntil: lockedUntil) }
            // No row changed: no such user, or a lock. Another request may have cleared that
            // lock since (a success, an admin's unlock): then try once more.
            guard let lock = try rows(UserSQL.lockedUntil, [.integer(userID)], { $0.optionalInteger(0) }).first else {
                return nil
            }
            if let lock, lock > now { return .locked(until: lock) }
        }
        throw StoreError.unavailable("the login attempt could not be reserved: the lock kept changing")
    }

    public func releaseLoginAttempt(userID: Int64, lockedUntil: Int64?) throws {
        try change(UserSQL.releaseLoginAttempt, [.integer(userID), .integer(lockedUntil)])
    }

    public func recordSuccessfulLogin(userID: Int64, now: Int64) throws {
        try change(UserSQL.recordSuccessfulLogin, [.integer(now), .integer(userID)])
    }
}

private enum UserSQL {
    static let insert = SQL(
        """
        INSERT INTO users (username, email, password_hash, first_name, last_name, role, active, created_at, updated_at,
            search_text, email_verified)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        RETURNING \(StoreRows.userColumns)
        """)
    static let byID = SQL("SELECT \(StoreRows.userColumns) FROM users WHERE id = $1")
    static let byUsername = SQL("SELECT \(StoreRows.userColumns) FROM users WHERE lower(username) = lower($1)")
    static let byEmail = SQL("SELECT \(StoreRows.userColumns) FROM users WHERE email = $1")
    static let updatePasswordHash = SQL("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
    /// A lock that has expired starts the count again at 1.
    static let reserveLoginAttempt = SQL(
        """
        UPDATE users SET
            failed_logins = CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_logins + 1 END,
            locked_until = CASE
                WHEN (CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_logins + 1 END) >= $1 THEN $2 + $3
                ELSE NULL END
        WHERE id = $4 AND (locked_until IS NULL OR locked_until <= $2)
        RETURNING locked_until
        """)
    static let lockedUntil = SQL("SELECT locked_until FROM users WHERE id = $1")
    /// The cast gives PostgreSQL the type of a NULL lock.
    static let releaseLoginAttempt = SQL(
        """
        UPDATE users SET
            failed_logins = CASE WHEN failed_logins > 0 THEN failed_logins - 1 ELSE 0 END,
            locked_until = CASE WHEN locked_until = CAST($2 AS BIGINT) THEN NULL ELSE locked_until END
        WHERE id = $1
        """)
    static let recordSuccessfulLogin = SQL(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2")
}
