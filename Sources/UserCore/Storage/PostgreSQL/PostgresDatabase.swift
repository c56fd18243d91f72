/// A worker thread's PostgreSQL connection, made on first use and made again when the old
/// one broke (a server restart): a request while the server is unreachable gets
/// `StoreError.unavailable` (503), the next one after it is back succeeds.
public final class PostgresDatabase: SQLDatabase {
    public let location: PostgresLocation
    private var current: PostgresConnection?

    /// Connects lazily: making it never fails, the first statement does if the server is down.
    public init(location: PostgresLocation) {
        self.location = location
    }

    public var dialect: SQLDialect { .postgresql }

    /// A PostgreSQL database is no file a source could also be.
    public var file: String? { nil }

    /// The thread's connection: the current one while it is usable, else a new one.
    public func connection() throws -> PostgresConnection {
        if let current {
            if current.transactionDepth > 0 || current.isUsable { return current }
            self.current = nil
        }
        do {
            let connection = try PostgresConnection(location: location)
            current = connection
            return connection
        } catch {
            throw StoreError.unavailable(error.description)
        }
    }

    public func query(_ sql: String, _ values: [SQLValue], forEach body: (SQLRow) throws -> Void) throws {
        try connection().forEachRow(sql, values) { try body(SQLRow(source: .postgresql($0))) }
    }

    public func run(_ sql: String, _ values: [SQLValue]) throws -> Int {
        try connection().run(sql, values)
    }

    public func execute(_ sql: String) throws {
        try connection().execute(sql)
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try connection().transaction(body)
    }

    /// Holds a session advisory lock: when several hosts start at once, one applies the
    /// steps and the others wait for the lock, then find them recorded and skip them. The
    /// lock goes with the session, so a node that dies while migrating doesn't block the
    /// others. Schema changes may take longer than a request's statement timeout; waiting
    /// for another node's migrations is bounded by the lock timeout instead.
    public func whileMigrating<T>(_ body: () throws -> T) throws -> T {
        let connection = try connection()
        try connection.execute("SET statement_timeout = 0; SET lock_timeout = '120s'")
        try connection.execute(
            "SELECT pg_advisory_lock(\(PostgresConnection.lockSpace), \(PostgresConnection.migrationLock))")
        defer {
            _ = try? connection.execute(
                """
                SELECT pg_advisory_unlock(\(PostgresConnection.lockSpace), \(PostgresConnection.migrationLock));
                RESET statement_timeout; RESET lock_timeout
                """)
        }
        return try body()
    }

    /// What autovacuum does within about a minute of a bulk insert (a seed, an import): until
    /// then the planner has no statistics and may pick a plan a thousand times slower, and
    /// the dead row versions the user_counts triggers leave behind are still there to read.
    public func vacuumAnalyze() throws {
        try execute("VACUUM ANALYZE")
    }

    public func violatedUniqueConstraint(_ error: any Error) -> String? {
        guard let error = error as? PostgresError, error.isUniqueViolation else { return nil }
        return error.constraint
    }

    public func unavailability(_ error: any Error) -> String? {
        guard let error = error as? PostgresError, error.isUnavailable else { return nil }
        return error.description
    }
}
