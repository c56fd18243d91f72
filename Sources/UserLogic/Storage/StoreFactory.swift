/// Opens stores: shared by all threads, each of which opens its own.
public struct StoreFactory: Sendable {
    public let location: DatabaseLocation

    public init(location: DatabaseLocation) {
        self.location = location
    }

    /// Makes the database ready before any worker starts: creates a SQLite file's missing
    /// directory and applies pending migrations. Returns the names of those applied.
    ///
    /// Errors name `DATABASE_URL`. A database that can't be reached right now throws
    /// `StoreError.unavailable` (worth a retry, e.g. by systemd's Restart=); anything else is
    /// a `ConfigError`.
    @discardableResult
    public func prepare() throws -> [String] {
        try openPrepared().applied
    }

    /// `prepare()` that hands back the store it used, so that a process serving one request
    /// (CGI) needs only one connection.
    func openPrepared() throws -> (store: any Store, applied: [String]) {
        switch location {
        case .sqlite(let path):
            do {
                try FileSystem.createDirectories(FileSystem.parentDirectory(of: path))
                return try SQLiteStore.prepared(path: path)
            } catch {
                throw ConfigError("DATABASE_URL", "can't prepare the SQLite database \(path): \(error)")
            }
        case .postgresql(let location):
            do {
                let store = PostgresStore(location: location)
                return (store, try store.migrate())
            } catch StoreError.unavailable(let reason) where Self.isTransient(reason) {
                throw StoreError.unavailable(reason)
            } catch {
                throw ConfigError("DATABASE_URL", "can't prepare the PostgreSQL database \(location): \(error)")
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

    public func open() throws -> any Store {
        switch location {
        case .sqlite(let path): try SQLiteStore(path: path)
        case .postgresql(let location): PostgresStore(location: location)
        }
    }
}
