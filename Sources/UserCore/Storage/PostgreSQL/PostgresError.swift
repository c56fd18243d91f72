internal import CPostgres

/// A failed libpq call: the SQLSTATE, the server's (or libpq's) message and, for constraint
/// violations, the constraint's name. Never the bound values, so passwords and tokens can't
/// reach a log through it.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// The five-character SQLSTATE, or "" when libpq failed before the server answered
    /// (connection refused or lost).
    public let sqlState: String
    public let message: String
    public let constraint: String?
    /// Whether the connection was unusable afterwards.
    public let connectionLost: Bool

    init(sqlState: String = "", message: String, constraint: String? = nil, connectionLost: Bool = false) {
        self.sqlState = sqlState
        self.message = message
        self.constraint = constraint
        self.connectionLost = connectionLost
    }

    /// The error of a failed call on `connection`, from `result` when there is one.
    init(result: OpaquePointer?, connection: OpaquePointer) {
        let lost = PQstatus(connection) != CONNECTION_OK
        if let result, let state = cpq_sqlstate(result) {
            let primary = cpq_primary_message(result).map { String(cString: $0) }
            self.init(
                sqlState: String(cString: state),
                message: primary ?? String(cString: PQresultErrorMessage(result)).trimmingASCIIWhitespace().description,
                constraint: cpq_constraint_name(result).map { String(cString: $0) }, connectionLost: lost)
        } else {
            self.init(message: Self.connectionMessage(connection), connectionLost: lost || result == nil)
        }
    }

    static func connectionMessage(_ connection: OpaquePointer) -> String {
        let text = String(cString: PQerrorMessage(connection)).trimmingASCIIWhitespace()
        return text.isEmpty ? "no answer from the server" : String(text).replacingNewlines()
    }

    public var description: String {
        sqlState.isEmpty ? "PostgreSQL: \(message)" : "PostgreSQL error \(sqlState): \(message)"
    }

    /// unique_violation.
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// The database can't serve the request right now: the connection is gone or can't be
    /// made, the server is shutting down or starting, out of connections or resources,
    /// read-only, or a statement or lock waited beyond its timeout.
    public var isUnavailable: Bool {
        if connectionLost || sqlState.isEmpty { return true }
        let errorClass = sqlState.prefix(2)
        return errorClass == "08"  // connection exception
            || errorClass == "53"  // insufficient resources (disk full, too many connections)
            || errorClass == "57"  // operator intervention: admin/crash shutdown, cannot connect now, canceled
            || errorClass == "58"  // system error (I/O)
            || sqlState == "55P03"  // lock_not_available (lock_timeout)
            || sqlState == "25006"  // read_only_sql_transaction (a standby)
            || sqlState == "40001" || sqlState == "40P01"  // serialization failure, deadlock
    }
}

extension StringProtocol {
    /// libpq's multi-line messages on one line, for one-line logs.
    fileprivate func replacingNewlines() -> String {
        String(self.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\t" }).joined(separator: " "))
    }
}
