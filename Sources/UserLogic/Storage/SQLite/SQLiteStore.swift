/// The SQLite implementation of `Store`, over one connection owned by one thread.
public final class SQLiteStore: Store {
    let connection: SQLiteConnection

    public init(path: String) throws(SQLiteError) {
        connection = try SQLiteConnection(path: path)
    }

    public func checkHealth() throws {
        _ = try connection.query("SELECT 1") { $0.integer(0) }
    }
}
