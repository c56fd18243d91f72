/// The service's `Store` on SQLite or PostgreSQL: every query is written once (see `SQL`),
/// every row read once (`StoreRows`), and what differs between the databases is in
/// `SQLDialect` and in the `SQLDatabase` the store runs on. One instance per worker thread.
public final class SQLStore: Store {
    public let database: any SQLDatabase
    let dialect: SQLDialect

    public init(database: any SQLDatabase) {
        self.database = database
        dialect = database.dialect
    }

    public func checkHealth() throws {
        _ = try rows(StoreRows.healthCheck) { $0.integer(0) }
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        do {
            return try database.transaction(body)
        } catch {
            throw mapped(error)
        }
    }

    /// Runs one statement, calling `read` for each result row.
    func rows<T>(_ sql: SQL, _ values: [SQLValue] = [], _ read: (SQLRow) throws -> T) throws -> [T] {
        try rows(text: sql.text(for: dialect), values, read)
    }

    /// `rows` for text built for this request, already in the dialect's spelling.
    func rows<T>(text: String, _ values: [SQLValue], _ read: (SQLRow) throws -> T) throws -> [T] {
        var rows: [T] = []
        do {
            try database.query(text, values) { rows.append(try read($0)) }
        } catch {
            throw mapped(error)
        }
        return rows
    }

    /// Runs one statement and returns how many rows it changed.
    @discardableResult
    func change(_ sql: SQL, _ values: [SQLValue]) throws -> Int {
        do {
            return try database.run(sql.text(for: dialect), values)
        } catch {
            throw mapped(error)
        }
    }

    /// A database's error as the store reports it: the unique indexes of username and email
    /// (by name) as `StoreError.usernameTaken` / `.emailTaken`; an unreachable, locked or
    /// read-only database as `StoreError.unavailable`; anything else as it is.
    func mapped(_ error: any Error) -> any Error {
        if error is StoreError { return error }
        if let name = database.violatedUniqueConstraint(error), let taken = StoreError(violating: name) { return taken }
        if let reason = database.unavailability(error) { return StoreError.unavailable(reason) }
        return error
    }
}

extension StoreError {
    /// The answer to a violation of the unique index `name`, when the schema has one.
    init?(violating name: String) {
        switch name {
        case "users_username_unique": self = .usernameTaken
        case "users_email_unique": self = .emailTaken
        default: return nil
        }
    }
}
