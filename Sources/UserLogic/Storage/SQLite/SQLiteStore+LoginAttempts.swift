extension SQLiteStore {
    public func reserveLoginAttempt(userID: Int64, threshold: Int, lockSeconds: Int64, now: Int64) throws
        -> LoginAttemptReservation?
    {
        try guarded {
            // A lock that expires between the UPDATE and the read of `locked_until` (or is
            // cleared by an unlock) lets the UPDATE through on a second try.
            for _ in 1...2 {
                // One statement: SQLite runs writes one at a time, so each attempt sees the
                // count the one before it left.
                let granted = try connection.query(
                    """
                    UPDATE users SET
                        failed_logins = CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_logins + 1 END,
                        locked_until = CASE
                            WHEN (CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_logins + 1 END) >= ?1
                                THEN ?2 + ?3
                            ELSE NULL END
                    WHERE id = ?4 AND (locked_until IS NULL OR locked_until <= ?2)
                    RETURNING locked_until
                    """,
                    [.integer(Int64(threshold)), .integer(now), .integer(lockSeconds), .integer(userID)]
                ) { $0.optionalInteger(0) }.first
                if let granted { return .granted(lockedUntil: granted) }
                let lock = try connection.query("SELECT locked_until FROM users WHERE id = ?", [.integer(userID)]) {
                    $0.optionalInteger(0)
                }.first
                guard let lock else { return nil }
                if let until = lock, until > now { return .locked(until: until) }
            }
            // Two races in a row: refused as if locked, without checking the password.
            return .locked(until: now)
        }
    }

    public func recordSuccessfulLogin(userID: Int64, now: Int64) throws {
        try guarded {
            try connection.run(
                "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ?1 WHERE id = ?2",
                [.integer(now), .integer(userID)])
        }
    }
}
