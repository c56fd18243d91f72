internal import CPostgres
import Glibc

/// One libpq connection: opened by one worker thread, never shared between threads, with a
/// cache of prepared statements (text parameters, text results) and transaction closures.
public final class PostgresConnection {
    let handle: OpaquePointer
    /// Prepared statement names by SQL text; they live as long as this connection.
    private var statements: [String: String] = [:]
    private(set) var transactionDepth = 0
    /// Set by the notice receiver when the server said goodbye (see `isUsable`).
    private let fatalNotice = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

    /// Advisory lock keys (two int4: "auth" and a number). Every `transaction` takes the write
    /// lock first, so transactions are serialized like SQLite's single writer: a
    /// check-then-write (username free? last admin?) sees what the previous one committed.
    static let lockSpace: Int32 = 0x6175_7468
    static let writeLock: Int32 = 1
    static let migrationLock: Int32 = 2

    /// Connects; blocks at most the location's `connect_timeout`.
    public init(location: PostgresLocation) throws(PostgresError) {
        guard let handle = PQconnectdb(location.conninfo) else {
            throw PostgresError(message: "libpq could not allocate a connection", connectionLost: true)
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let error = PostgresError(message: PostgresError.connectionMessage(handle), connectionLost: true)
            PQfinish(handle)
            throw error
        }
        self.handle = handle
        fatalNotice.initialize(to: 0)
        cpq_receive_notices(handle, fatalNotice)
    }

    deinit {
        PQfinish(handle)
        fatalNotice.deallocate()
    }

    /// Whether a new statement can be sent. False when libpq knows the connection is broken,
    /// when it is left inside a transaction, or when the server ended it while it sat idle
    /// (a restart, `pg_terminate_backend`, an idle timeout): then the server's FATAL goodbye
    /// and the end of the stream are waiting on the socket, which a zero-timeout poll finds
    /// without a round trip. Catching this before a statement is sent means a request after
    /// a server restart gets a fresh connection instead of an error.
    var isUsable: Bool {
        guard PQstatus(handle) == CONNECTION_OK, fatalNotice.pointee == 0 else { return false }
        if transactionDepth == 0 && PQtransactionStatus(handle) != PQTRANS_IDLE { return false }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        var rounds = 0
        while rounds < 4, poll(&descriptor, 1, 0) > 0 {
            // A notice, a parameter status, or the server's goodbye and end of file. PQisBusy
            // parses what arrived: a FATAL notice reaches the receiver.
            guard PQconsumeInput(handle) != 0 else { return false }
            _ = PQisBusy(handle)
            guard PQstatus(handle) == CONNECTION_OK, fatalNotice.pointee == 0 else { return false }
            rounds += 1
        }
        return true
    }

    /// Runs SQL text that may hold several statements (schema, BEGIN, SET) and returns the
    /// last one's command tag.
    @discardableResult
    public func execute(_ sql: String) throws(PostgresError) -> String {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result)
        return String(cString: PQcmdStatus(result))
    }

    /// Runs one statement with bound values, calling `row` for each result row.
    public func query<T>(_ sql: String, _ values: [SQLValue] = [], row: (PostgresRow) throws -> T) throws -> [T] {
        var rows: [T] = []
        try forEachRow(sql, values) { rows.append(try row($0)) }
        return rows
    }

    /// Runs one statement with bound values, calling `body` for each result row.
    func forEachRow(_ sql: String, _ values: [SQLValue], _ body: (PostgresRow) throws -> Void) throws {
        let result = try executePrepared(sql, values)
        defer { PQclear(result) }
        for index in 0..<PQntuples(result) {
            try body(PostgresRow(result: result, row: index))
        }
    }

    /// Runs one statement with bound values and returns how many rows it changed.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(PostgresError) -> Int {
        let result = try executePrepared(sql, values)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// Runs `body` in a transaction that commits when it returns and rolls back when it
    /// throws, after taking the write lock (see `writeLock`). Nested calls join the outer
    /// transaction.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 { return try body() }
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            try execute("BEGIN; SELECT pg_advisory_xact_lock(\(Self.lockSpace), \(Self.writeLock))")
            let result = try body()
            // COMMIT of a transaction a failed statement aborted answers ROLLBACK, not an error.
            guard try execute("COMMIT") == "COMMIT" else {
                throw PostgresError(sqlState: "25P02", message: "the transaction failed and was rolled back")
            }
            return result
        } catch {
            rollBackQuietly()
            throw error
        }
    }

    /// Ends an open or failed transaction, when the connection still works.
    func rollBackQuietly() {
        guard PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) != PQTRANS_IDLE else { return }
        PQclear(PQexec(handle, "ROLLBACK"))
    }

    private func check(_ result: OpaquePointer?) throws(PostgresError) {
        guard let result else { throw PostgresError(result: nil, connection: handle) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw PostgresError(result: result, connection: handle)
        }
    }

    /// Prepares `sql` on first use (parameter types from these values; the server infers
    /// those of NULLs) and runs it with `values` as text parameters.
    private func executePrepared(_ sql: String, _ values: [SQLValue]) throws(PostgresError) -> OpaquePointer {
        let name: String
        if let cached = statements[sql] {
            name = cached
        } else {
            name = "auth_\(statements.count + 1)"
            let result = PQprepare(handle, name, sql, Int32(values.count), values.map(\.postgresTypeOID))
            defer { PQclear(result) }
            try check(result)
            statements[sql] = name
        }
        let texts: [UnsafeMutablePointer<CChar>?] = values.map { value in value.postgresText.map { strdup($0) } ?? nil }
        defer { for text in texts { free(text) } }
        let result = texts.map { UnsafePointer($0) }.withUnsafeBufferPointer { parameters in
            PQexecPrepared(handle, name, Int32(values.count), parameters.baseAddress, nil, nil, 0)
        }
        do {
            try check(result)
        } catch {
            PQclear(result)
            throw error
        }
        return result!
    }
}

/// One row of a result. Valid only inside the row closure.
public struct PostgresRow {
    let result: OpaquePointer
    let row: Int32

    public func isNull(_ column: Int32) -> Bool {
        PQgetisnull(result, row, column) != 0
    }

    public func integer(_ column: Int32) -> Int64 {
        guard var digit = PQgetvalue(result, row, column) else { return 0 }
        // The text form of an integer column: an optional minus and ASCII digits.
        let negative = digit.pointee == CChar(UInt8(ascii: "-"))
        if negative { digit += 1 }
        var value: Int64 = 0
        while digit.pointee >= CChar(UInt8(ascii: "0")) && digit.pointee <= CChar(UInt8(ascii: "9")) {
            value = value &* 10 &+ Int64(digit.pointee - CChar(UInt8(ascii: "0")))
            digit += 1
        }
        return negative ? 0 &- value : value
    }

    public func optionalInteger(_ column: Int32) -> Int64? {
        isNull(column) ? nil : integer(column)
    }

    public func bool(_ column: Int32) -> Bool {
        PQgetvalue(result, row, column)?.pointee == CChar(UInt8(ascii: "t"))
    }

    public func text(_ column: Int32) -> String {
        guard let bytes = PQgetvalue(result, row, column) else { return "" }
        let count = Int(PQgetlength(result, row, column))
        return bytes.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
    }

    public func optionalText(_ column: Int32) -> String? {
        isNull(column) ? nil : text(column)
    }
}
