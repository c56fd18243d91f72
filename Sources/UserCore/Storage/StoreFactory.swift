/// Opens stores: shared by all threads, each of which opens its own.
public struct StoreFactory: Sendable {
    public let location: DatabaseLocation

    public init(location: DatabaseLocation) {
        self.location = location
    }

    /// Makes the database ready before any worker starts: creates a SQLite file's missing
    /// directory and applies pending migrations. Returns the names of those applied.
    ///
    /// A database that can't be reached right now throws `StoreError.unavailable` (worth a
    /// retry, e.g. by systemd's Restart=); anything else is `StoreError.preparationFailed`,
    /// which names `DATABASE_URL`.
    @discardableResult
    public func prepare() throws -> [String] {
        try openPrepared().applied
    }

    /// `prepare()` that hands back the store it used, so that a process serving one request
    /// (CGI) needs only one connection.
    package func openPrepared() throws -> (store: any Store, applied: [String]) {
        switch location {
        case .sqlite(let path):
            do {
                try FileSystem.createDirectories(FileSystem.parentDirectory(of: path))
                try FileSystem.createPrivateFile(path)
                // Opened and migrated with the patience of a start, then serving with a request's.
                let connection = try SQLiteConnection(
                    path: path, busyTimeoutMilliseconds: SQLiteConnection.preparationBusyTimeoutMilliseconds)
                let store = SQLStore(database: connection)
                let applied = try store.migrate()
                connection.setBusyTimeout(milliseconds: SQLiteConnection.busyTimeoutMilliseconds)
                return (store, applied)
            } catch {
                throw StoreError.preparationFailed("can't prepare the SQLite database \(path): \(error)")
            }
        case .postgresql(let location):
            do {
                let store = SQLStore(database: PostgresDatabase(location: location))
                return (store, try store.migrate())
            } catch StoreError.unavailable(let reason) where Self.isTransient(reason) {
                throw StoreError.unavailable(reason)
            } catch {
                throw StoreError.preparationFailed("can't prepare the PostgreSQL database \(location): \(error)")
            }
        }
    }

    /// Whether a PostgreSQL connection failure may pass by itself (a server down, starting
    /// or unreachable), as opposed to a setting to fix (a wrong password, role or database).
    /// libpq reports both without an SQLSTATE, so its message tells them apart.
    static func isTransient(_ reason: String) -> Bool {
        [
            "Connection refused", "No such file or directory", "timeout expired", "database system is",
            "Network is unreachable", "No route to host", "server closed the connection",
        ]
        .contains { reason.contains($0) }
    }

    /// A store for one thread. A SQLite file that can't be opened throws
    /// `StoreError.unavailable`; a PostgreSQL store connects on first use.
    public func open() throws -> any Store {
        switch location {
        case .sqlite(let path):
            do {
                return SQLStore(database: try SQLiteConnection(path: path))
            } catch {
                throw StoreError.unavailable(error.description)
            }
        case .postgresql(let location):
            return SQLStore(database: PostgresDatabase(location: location))
        }
    }
}
