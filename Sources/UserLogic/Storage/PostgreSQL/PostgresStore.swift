/// The PostgreSQL implementation of `Store`, for several hosts sharing one database. Each
/// worker thread owns one store and so one connection, made on first use and made again
/// when the old one broke (a server restart): a request while the server is unreachable
/// gets `StoreError.unavailable` (503), the next one after it is back succeeds.
public final class PostgresStore: Store {
    let location: PostgresLocation
    private var current: PostgresConnection?

    /// Connects lazily: opening never fails, the first operation does if the server is down.
    public init(location: PostgresLocation) {
        self.location = location
    }

    /// The thread's connection: the current one while it is usable, else a new one.
    func connection() throws -> PostgresConnection {
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

    public func checkHealth() throws {
        _ = try guarded { try $0.query("SELECT 1") { $0.integer(0) } }
    }

    /// What autovacuum does within about a minute of a bulk insert (a seed, an import): until
    /// then the planner has no statistics and may pick a plan a thousand times slower, and
    /// the dead row versions the user_counts triggers leave behind are still there to read.
    public func vacuumAnalyze() throws {
        try guarded { _ = try $0.execute("VACUUM ANALYZE") }
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try guarded { try $0.transaction(body) }
    }

    /// Runs `body` on the connection and maps libpq failures: the unique indexes of
    /// username and email to `StoreError.usernameTaken` / `.emailTaken`, a lost or
    /// unreachable server, timeouts and the like to `StoreError.unavailable`.
    @discardableResult
    func guarded<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try connection()
        do {
            return try body(connection)
        } catch let error as PostgresError {
            if error.isUniqueViolation {
                if error.constraint == "users_username_unique" { throw StoreError.usernameTaken }
                if error.constraint == "users_email_unique" { throw StoreError.emailTaken }
            }
            if error.isUnavailable { throw StoreError.unavailable(error.description) }
            throw error
        }
    }
}
