internal import CSQLite

extension SQLiteConnection: SQLDatabase {
    public var dialect: SQLDialect { .sqlite }

    public var file: String? {
        sqlite3_db_filename(handle, "main").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    public func query(_ sql: String, _ values: [SQLValue], forEach body: (SQLRow) throws -> Void) throws {
        try forEachRow(sql, values) { try body(SQLRow(source: .sqlite($0))) }
    }

    /// Each step's IMMEDIATE transaction is the lock: when several processes start at once,
    /// one applies a step and the others, once they get the write lock, find it recorded.
    public func whileMigrating<T>(_ body: () throws -> T) throws -> T {
        try body()
    }

    /// SQLite names the index only when it is on an expression (`index 'name'`); for one on
    /// columns it lists them (`users.email`), and the unique index on exactly those columns
    /// is looked up in the schema. Only a failed statement pays for that.
    public func violatedUniqueConstraint(_ error: any Error) -> String? {
        guard let error = error as? SQLiteError, error.isUniqueConstraintViolation,
            let detail = error.message.split(separator: ": ", maxSplits: 1).last
        else { return nil }
        if detail.hasPrefix("index '") && detail.hasSuffix("'") {
            return String(detail.dropFirst("index '".count).dropLast())
        }
        let columns = detail.split(separator: ", ").map { $0.split(separator: ".", maxSplits: 1) }
        guard let table = columns.first?.first, columns.allSatisfy({ $0.count == 2 && $0[0] == table }) else {
            return nil
        }
        return try? query(
            """
            SELECT list.name FROM pragma_index_list(?1) AS list
            WHERE list."unique" AND (SELECT group_concat(name, ', ') FROM pragma_index_info(list.name)) = ?2
            """,
            [.text(String(table)), .text(columns.map { String($0[1]) }.joined(separator: ", "))]
        ) { $0.text(0) }.first
    }

    public func unavailability(_ error: any Error) -> String? {
        guard let error = error as? SQLiteError, error.isUnavailable else { return nil }
        return error.description
    }
}
