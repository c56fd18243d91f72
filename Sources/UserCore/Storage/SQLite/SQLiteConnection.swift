internal import CSQLite

/// One SQLite connection: opened once per worker thread, never shared between threads, with
/// WAL, a busy timeout, foreign keys, and a cache of prepared statements.
public final class SQLiteConnection {
    let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]
    private var transactionDepth = 0

    /// How long a writer waits for another process's write lock before SQLITE_BUSY.
    public static let busyTimeoutMilliseconds: Int32 = 5_000
    /// The same while a process readies the database at start: another process may be
    /// converting a new file to WAL (an fsync, slow on a busy disk) or applying a long
    /// migration step (step 3 counts every user), and a start can wait for that.
    public static let preparationBusyTimeoutMilliseconds: Int32 = 60_000

    /// `readOnly` opens an existing file without changing it (not even its journal mode), as
    /// `import-users` reads another app's database.
    public init(
        path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = SQLiteConnection.busyTimeoutMilliseconds
    ) throws(SQLiteError) {
        Self.configureLibrary
        var connection: OpaquePointer?
        // NOMUTEX: each connection belongs to one thread, so SQLite's own locking is waste.
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let result = sqlite3_open_v2(path, &connection, flags, nil)
        guard result == SQLITE_OK, let connection else {
            let error = SQLiteError(code: result, connection: connection)
            sqlite3_close_v2(connection)
            throw error
        }
        handle = connection
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
        if readOnly { return }
        try enableWriteAheadLog(patienceMilliseconds: busyTimeoutMilliseconds)
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA foreign_keys = ON")
    }

    /// Process-wide settings, applied once before the first connection opens.
    private static let configureLibrary: Void = {
        _ = csqlite_disable_memory_statistics()
    }()

    /// Turns the file to WAL (a no-op once it is). Turning a new file takes a read lock and
    /// then the write lock; when several connections do that at once SQLite refuses all but
    /// one with SQLITE_BUSY at once, without the busy handler (it would deadlock), so the
    /// losers wait and retry here, no longer than the busy timeout.
    private func enableWriteAheadLog(patienceMilliseconds: Int32) throws(SQLiteError) {
        var waited: Int32 = 0
        while true {
            do {
                return try execute("PRAGMA journal_mode = WAL")
            } catch let error where error.code == SQLITE_BUSY && waited < patienceMilliseconds {
                let pause = min(max(waited, 1), 50)
                sqlite3_sleep(pause)
                waited += pause
            }
        }
    }

    func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs SQL text that may hold several statements and returns no rows (schema, pragmas).
    public func execute(_ sql: String) throws(SQLiteError) {
        let result = sqlite3_exec(handle, sql, nil, nil, nil)
        guard result == SQLITE_OK else { throw SQLiteError(code: sqlite3_extended_errcode(handle), connection: handle) }
    }

    /// Runs one statement with bound values, calling `row` for each result row.
    public func query<T>(_ sql: String, _ values: [SQLValue] = [], row: (SQLiteRow) throws -> T) throws -> [T] {
        var rows: [T] = []
        try forEachRow(sql, values) { rows.append(try row($0)) }
        return rows
    }

    /// Runs one statement with bound values, calling `body` for each result row.
    func forEachRow(_ sql: String, _ values: [SQLValue], _ body: (SQLiteRow) throws -> Void) throws {
        let statement = try cachedStatement(sql)
        try statement.bind(values)
        defer { statement.finish() }
        while try statement.step() {
            try body(SQLiteRow(statement: statement.handle))
        }
    }

    /// Runs one statement with bound values and returns how many rows it changed.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) -> Int {
        let statement = try cachedStatement(sql)
        try statement.bind(values)
        defer { statement.finish() }
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs `body` in a transaction that commits when it returns and rolls back when it throws.
    /// `IMMEDIATE` takes the write lock up front, so two writers can't deadlock upgrading
    /// read locks. Nested calls join the outer transaction.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 { return try body() }
        try execute("BEGIN IMMEDIATE")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func cachedStatement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let statement = statements[sql] { return statement }
        let statement = try SQLiteStatement(sql: sql, connection: handle, persistent: true)
        statements[sql] = statement
        return statement
    }
}
