internal import CSQLite

/// A failed SQLite call. Carries SQLite's result code and message but never the bound
/// values, so passwords and tokens can't reach a log through it.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The extended result code, e.g. 2067 for SQLITE_CONSTRAINT_UNIQUE.
    public let code: Int32
    public let message: String

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    init(code: Int32, connection: OpaquePointer?) {
        self.code = code
        self.message =
            connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
    }

    public var description: String { "SQLite error \(code): \(message)" }

    /// SQLITE_CONSTRAINT_UNIQUE, a macro Swift can't import.
    public var isUniqueConstraintViolation: Bool { code == SQLITE_CONSTRAINT | (8 << 8) }
    /// The database stayed locked beyond the busy timeout, or can't be opened or read.
    public var isUnavailable: Bool {
        let primary = code & 0xff
        return primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN
            || primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_READONLY
    }
}
