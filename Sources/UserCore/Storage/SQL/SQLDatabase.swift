/// One thread's connection to a database, as `SQLStore` uses it: SQLite's `SQLiteConnection`
/// and PostgreSQL's `PostgresDatabase` conform. Statements are text in the database's own
/// spelling (see `SQL`), prepared once per connection and cached by that text.
///
/// No associated types: `SQLStore` holds `any SQLDatabase` and is not generic, so its
/// code is compiled for its concrete types (a generic store reached through `any Store`
/// ran unspecialized, a few per cent slower on every request), and a row is one concrete
/// `SQLRow`.
public protocol SQLDatabase: AnyObject {
    var dialect: SQLDialect { get }
    /// The file the database lives in, when it is one (an import's source can't be it).
    var file: String? { get }

    /// Runs one statement with bound values, calling `body` for each result row.
    func query(_ sql: String, _ values: [SQLValue], forEach body: (SQLRow) throws -> Void) throws
    /// Runs one statement with bound values and returns how many rows it changed.
    func run(_ sql: String, _ values: [SQLValue]) throws -> Int
    /// Runs SQL text that may hold several statements and returns no rows (schema).
    func execute(_ sql: String) throws
    /// Runs `body` atomically, serialized with every other writer's transaction; nested
    /// calls join the outer one.
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// Runs `body` (which applies migrations) so that two processes never apply the same
    /// step: with whatever lock and timeouts a schema change needs on this database.
    func whileMigrating<T>(_ body: () throws -> T) throws -> T

    /// The name of the unique constraint or index `error` violated, when it is that.
    func violatedUniqueConstraint(_ error: any Error) -> String?
    /// Why the database can't serve now, when `error` means that (unreachable, locked
    /// beyond the timeout, read-only, out of resources).
    func unavailability(_ error: any Error) -> String?
}

/// The current row of a result on either database, valid only inside the row closure.
/// Columns count from 0.
public struct SQLRow {
    enum Source {
        case sqlite(SQLiteRow)
        case postgresql(PostgresRow)
    }

    let source: Source

    public func isNull(_ column: Int32) -> Bool {
        switch source {
        case .sqlite(let row): row.isNull(column)
        case .postgresql(let row): row.isNull(column)
        }
    }

    public func integer(_ column: Int32) -> Int64 {
        switch source {
        case .sqlite(let row): row.integer(column)
        case .postgresql(let row): row.integer(column)
        }
    }

    /// A BOOLEAN on PostgreSQL, an integer (non-zero is true) on SQLite.
    public func bool(_ column: Int32) -> Bool {
        switch source {
        case .sqlite(let row): row.integer(column) != 0
        case .postgresql(let row): row.bool(column)
        }
    }

    public func text(_ column: Int32) -> String {
        switch source {
        case .sqlite(let row): row.text(column)
        case .postgresql(let row): row.text(column)
        }
    }

    public func optionalInteger(_ column: Int32) -> Int64? {
        isNull(column) ? nil : integer(column)
    }

    public func optionalText(_ column: Int32) -> String? {
        isNull(column) ? nil : text(column)
    }
}
