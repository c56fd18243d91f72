import UserCore

/// The users table of a Flask app's PostgreSQL database (`user` or `users`, among the
/// tables of the search path), read with SELECTs only, on a session whose transactions are
/// read-only. The URL's password never appears in a description or message.
public final class PostgresUserSource: UserSource {
    public let location: PostgresLocation
    /// The table's schema and name.
    public let schema: String
    public let table: String
    public let columns: [String]
    /// The columns' types as `format_type` names them (`character varying(80)`, `bytea`...).
    let types: [String]
    private let connection: PostgresConnection

    /// Session settings: nothing written, no statement timeout for a large table, and
    /// values in the text forms `ImportValues` reads (ISO dates, time zones as UTC offsets).
    static let sessionSettings =
        "SET default_transaction_read_only = on; SET statement_timeout = 0; "
        + "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET IntervalStyle = 'iso_8601'"

    /// Opens `url` (`postgresql://` or `postgres://`) and picks `table` (`name` or
    /// `schema.name`), or else the one table named `user` or `users` (any case) the search
    /// path shows. Throws `ImportError` when there is no such table, or both.
    public init(url: String, table: String? = nil) throws(ImportError) {
        guard PostgresLocation.isPostgresURL(url) else {
            throw ImportError("--from-postgresql takes a postgresql:// or postgres:// URL")
        }
        if let problem = RuntimeLibrary.libpq.problem(for: "--from-postgresql") { throw ImportError(problem) }
        do {
            location = try PostgresLocation.parse(url)
        } catch {
            throw ImportError("--from-postgresql: \(error.problem)")
        }
        let shown = location.description
        do {
            connection = try PostgresConnection(location: location)
            try connection.execute(Self.sessionSettings)
            // Tables, views and foreign tables the search path shows, outside the catalogs.
            let tables = try connection.query(
                """
                SELECT c.oid::bigint, n.nspname, c.relname FROM pg_catalog.pg_class c
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND pg_catalog.pg_table_is_visible(c.oid)
                AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                ORDER BY c.relname
                """
            ) { row in (oid: row.integer(0), schema: row.text(1), name: row.text(2)) }
            typealias Table = (oid: Int64, schema: String, name: String)
            let chosen: Table
            if let table {
                var found: Table? =
                    tables.first(where: { $0.name == table })
                    ?? tables.first(where: { $0.name.lowercased() == table.lowercased() })
                if found == nil, table.contains(".") {
                    // schema.name: any schema, not only the search path's.
                    let parts = table.split(separator: ".", maxSplits: 1).map(String.init)
                    found = try connection.query(
                        """
                        SELECT c.oid::bigint, n.nspname, c.relname FROM pg_catalog.pg_class c
                        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname = $1 AND c.relname = $2
                        """, [.text(parts[0]), .text(parts[1])]
                    ) { row in (oid: row.integer(0), schema: row.text(1), name: row.text(2)) }.first
                }
                guard let found else {
                    throw ImportError(
                        "\(shown) has no table \"\(table)\" (tables: \(Self.list(tables.map(\.name))))")
                }
                chosen = found
            } else {
                let candidates = tables.filter { ["user", "users"].contains($0.name.lowercased()) }
                guard candidates.count == 1 else {
                    throw ImportError(
                        candidates.isEmpty
                            ? "\(shown) has no table named user or users (tables: \(Self.list(tables.map(\.name)))); name it with --table"
                            : "\(shown) has both \(Self.list(candidates.map(\.name))); choose one with --table")
                }
                chosen = candidates[0]
            }
            schema = chosen.schema
            self.table = chosen.name
            let described = try connection.query(
                """
                SELECT attname, pg_catalog.format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute
                WHERE attrelid = $1::bigint::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum
                """, [.integer(chosen.oid)]
            ) { row in (name: row.text(0), type: row.text(1)) }
            columns = described.map(\.name)
            types = described.map(\.type)
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError("can't read the PostgreSQL database \(shown): \(error)")
        }
    }

    public var description: String { "PostgreSQL database \(location), table \"\(schema)\".\"\(table)\"" }

    public func forEachRecord(reading wanted: [Int], orderBy: Int?, _ body: (SourceRecord) throws -> Void) throws {
        let read = { (order: String?) in
            let sql = Self.selectStatement(
                schema: self.schema, table: self.table, columns: self.columns, types: self.types, reading: wanted,
                order: order)
            return try self.connection.query(sql) { row in wanted.indices.map { row.optionalText(Int32($0)) } }
        }
        let rows: [[String?]]
        do {
            let byID = orderBy.map { SQLiteUserSource.quoted(columns[$0]) }
            if let orderBy, Self.integerTypes.contains(types[orderBy]) {
                rows = try read(byID)  // a serial id counts the insertions
            } else {
                // The physical order, the insertion order of rows never updated; a view has none.
                do { rows = try read("ctid") } catch { rows = try read(byID) }
            }
        } catch {
            throw ImportError("can't read \(description): \(error)")
        }
        for (number, values) in zip(1..., rows) {
            try body(SourceRecord(location: "row \(number)", values: values.map { $0.map(SourceValue.text) }))
        }
    }

    /// Column types whose values a sequence (`serial`, identity) fills in insertion order.
    static let integerTypes: Set<String> = ["smallint", "integer", "bigint"]

    /// The SELECT of the wanted columns only, `ORDER BY order` when there is one. A `bytea`
    /// column (a hash an app stored as bytes) is read as its UTF-8 text, every other type in
    /// its text form.
    static func selectStatement(
        schema: String, table: String, columns: [String], types: [String], reading wanted: [Int], order: String?
    ) -> String {
        let selected =
            wanted.isEmpty
            ? "NULL"
            : wanted.map { index in
                let column = SQLiteUserSource.quoted(columns[index])
                return types[index] == "bytea" ? "pg_catalog.convert_from(\(column), 'UTF8')" : column
            }.joined(separator: ", ")
        var sql = "SELECT \(selected) FROM \(SQLiteUserSource.quoted(schema)).\(SQLiteUserSource.quoted(table))"
        if let order { sql += " ORDER BY \(order)" }
        return sql
    }

    /// Whether `store` writes to the database this source reads (same hosts, port and
    /// database name), so an import can't read the service's own users.
    public func isSameDatabase(as store: any Store) -> Bool {
        guard let target = (store as? SQLStore)?.database as? PostgresDatabase else { return false }
        return Self.sameDatabase(target.location, location)
    }

    static func sameDatabase(_ first: PostgresLocation, _ second: PostgresLocation) -> Bool {
        func key(_ location: PostgresLocation) -> [String: String] {
            var values: [String: String] = [:]
            for parameter in location.parameters
            where ["host", "hostaddr", "port", "dbname"].contains(parameter.keyword) {
                values[parameter.keyword] = parameter.value
            }
            return values
        }
        return key(first) == key(second)
    }

    private static func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.map { "\"\($0)\"" }.joined(separator: ", ")
    }
}
