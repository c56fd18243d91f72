/// The SQLite implementation of `Store`, over one connection owned by one thread.
public final class SQLiteStore: Store {
    let connection: SQLiteConnection

    public init(path: String) throws(SQLiteError) {
        connection = try SQLiteConnection(path: path)
    }

    /// A store that opens and migrates the database with the patience of a start
    /// (`preparationBusyTimeoutMilliseconds`), then serves with a request's.
    static func prepared(path: String) throws -> (store: SQLiteStore, applied: [String]) {
        let store = SQLiteStore(
            connection: try SQLiteConnection(
                path: path, busyTimeoutMilliseconds: SQLiteConnection.preparationBusyTimeoutMilliseconds))
        let applied = try store.migrate()
        store.connection.setBusyTimeout(milliseconds: SQLiteConnection.busyTimeoutMilliseconds)
        return (store, applied)
    }

    private init(connection: SQLiteConnection) {
        self.connection = connection
    }

    public func checkHealth() throws {
        _ = try guarded { try connection.query("SELECT 1") { $0.integer(0) } }
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try guarded { try connection.transaction(body) }
    }

    /// Turns SQLite's "can't reach the data" errors into `StoreError.unavailable`.
    @discardableResult
    func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError where error.isUnavailable {
            throw StoreError.unavailable(error.description)
        }
    }
}
