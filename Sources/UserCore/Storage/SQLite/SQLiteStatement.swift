internal import CSQLite

/// A prepared statement, finalized when released. Owned by one connection, used by one
/// thread at a time.
public final class SQLiteStatement {
    let handle: OpaquePointer
    private let connection: OpaquePointer

    init(sql: String, connection: OpaquePointer, persistent: Bool) throws(SQLiteError) {
        var statement: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let result = sqlite3_prepare_v3(connection, sql, -1, flags, &statement, nil)
        guard result == SQLITE_OK, let statement else { throw SQLiteError(code: result, connection: connection) }
        self.handle = statement
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds `values` to parameters 1…n after clearing the previous run.
    func bind(_ values: [SQLValue]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let result: Int32
            switch value {
            case .null: result = sqlite3_bind_null(handle, index)
            case .integer(let number): result = sqlite3_bind_int64(handle, index, number)
            case .bool(let flag): result = sqlite3_bind_int64(handle, index, flag ? 1 : 0)
            case .text(let text):
                // The byte count, not -1: a NUL inside the text must not end it early.
                result = sqlite3_bind_text(handle, index, text, Int32(text.utf8.count), csqlite_transient())
            }
            guard result == SQLITE_OK else { throw SQLiteError(code: result, connection: connection) }
        }
    }

    /// Advances to the next row: true while there is one.
    func step() throws(SQLiteError) -> Bool {
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError(code: sqlite3_extended_errcode(connection), connection: connection)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Releases locks and bound text once the caller has read what it needs.
    func finish() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }
}

/// The current row of a statement being stepped. Valid only inside the row closure.
public struct SQLiteRow {
    let statement: OpaquePointer

    public func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(statement, column) == SQLITE_NULL
    }

    public func integer(_ column: Int32) -> Int64 {
        sqlite3_column_int64(statement, column)
    }

    public func optionalInteger(_ column: Int32) -> Int64? {
        isNull(column) ? nil : integer(column)
    }

    public func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    public func optionalText(_ column: Int32) -> String? {
        isNull(column) ? nil : text(column)
    }
}
