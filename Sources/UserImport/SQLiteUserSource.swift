import UserCore

/// The users table of a Flask app's SQLite database (Flask-SQLAlchemy names it `user`, some
/// apps `users`), opened read-only: the file is not changed, not even its journal mode.
public final class SQLiteUserSource: UserSource {
    public let path: String
    public let table: String
    public let columns: [String]
    private let connection: SQLiteConnection

    /// Opens `path` and picks `table`, or else the one table named `user` or `users` (any
    /// case). Throws `ImportError` when there is no such table, or both.
    public init(path: String, table: String? = nil) throws(ImportError) {
        self.path = path
        do {
            connection = try SQLiteConnection(path: path, readOnly: true)
            let tables = try connection.query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ) { $0.text(0) }
            let chosen: String
            if let table {
                guard
                    let found = tables.first(where: { $0 == table })
                        ?? tables.first(where: {
                            $0.lowercased() == table.lowercased()
                        })
                else {
                    throw ImportError("\(path) has no table \"\(table)\" (tables: \(Self.list(tables)))")
                }
                chosen = found
            } else {
                let candidates = tables.filter { ["user", "users"].contains($0.lowercased()) }
                guard candidates.count == 1 else {
                    throw ImportError(
                        candidates.isEmpty
                            ? "\(path) has no table named user or users (tables: \(Self.list(tables))); name it with --table"
                            : "\(path) has both \(Self.list(candidates)); choose one with --table")
                }
                chosen = candidates[0]
            }
            self.table = chosen
            columns = try connection.query("PRAGMA table_info(\(Self.quoted(chosen)))") { $0.text(1) }
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError("can't read the SQLite database \(path): \(error)")
        }
    }

    public var description: String { "SQLite database \(path), table \"\(table)\"" }

    public func forEachRecord(reading wanted: [Int], orderBy: Int?, _ body: (SourceRecord) throws -> Void) throws {
        let selected = wanted.isEmpty ? "NULL" : wanted.map { Self.quoted(columns[$0]) }.joined(separator: ", ")
        let base = "SELECT \(selected) FROM \(Self.quoted(table))"
        // The rowid is the insertion order, whatever the primary key (a random UUID keeps
        // none); a WITHOUT ROWID table has none: its id, or its own order.
        let orders = ["ORDER BY rowid", orderBy.map { "ORDER BY \(Self.quoted(columns[$0]))" } ?? ""]
        var number = 0
        func read(_ sql: String) throws {
            _ = try connection.query(sql) { row in
                number += 1
                let values: [SourceValue?] = wanted.indices.map { index in
                    row.optionalText(Int32(index)).map(SourceValue.text)
                }
                try body(SourceRecord(location: "row \(number)", values: values))
            }
        }
        do {
            try read(base + " " + orders[0])
        } catch let error as SQLiteError where number == 0 && error.message.contains("rowid") {
            try read(base + " " + orders[1])
        }
    }

    /// An SQL identifier in double quotes.
    static func quoted(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    private static func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.map { "\"\($0)\"" }.joined(separator: ", ")
    }
}
