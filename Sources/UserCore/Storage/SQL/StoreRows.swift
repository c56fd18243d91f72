/// The column lists the store selects and the one reading of each kind of row, shared by
/// every query and both databases.
enum StoreRows {
    static let healthCheck = SQL("SELECT 1")

    static let userColumns = """
        id, username, email, password_hash, first_name, last_name, role, active, created_at, updated_at,
        last_login_at, failed_logins, locked_until, email_verified, mfa_enabled
        """
    /// How many columns `userColumns` has: what follows them in a row starts here.
    static let userColumnCount: Int32 = 15

    /// Reads a row selected with `userColumns`, starting at column `offset`.
    static func user(_ row: SQLRow, offset: Int32 = 0) -> User {
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
            lockedUntil: row.optionalInteger(offset + 12),
            emailVerified: row.bool(offset + 13),
            mfaEnabled: row.bool(offset + 14)
        )
    }

    static let sessionColumns =
        "id, user_id, created_at, last_used_at, expires_at, user_agent, ip, refresh_jti, revoked_at"

    /// Reads a row selected with `sessionColumns`.
    static func session(_ row: SQLRow) -> Session {
        Session(
            id: row.text(0),
            userID: row.integer(1),
            createdAt: row.integer(2),
            lastUsedAt: row.integer(3),
            expiresAt: row.integer(4),
            userAgent: row.optionalText(5),
            ip: row.optionalText(6),
            refreshTokenID: row.text(7),
            revokedAt: row.optionalInteger(8)
        )
    }
}
