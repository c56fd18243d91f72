/// The SQLite implementation of `Store`, over one connection owned by one thread.
public final class SQLiteStore: Store {
    let connection: SQLiteConnection

    public init(path: String) throws(SQLiteError) {
        connection = try SQLiteConnection(path: path)
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
