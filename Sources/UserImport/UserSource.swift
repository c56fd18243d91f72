import Glibc
import UserCore

/// Where `import-users` reads users from: a table of named columns and its records, in
/// source order. Only the columns the mapping uses are ever read out of a record, so the
/// other app's secrets (reset tokens, API keys…) never enter this process's data.
public protocol UserSource: AnyObject {
    /// What is read, for the report: `SQLite database app.db, table "user"`.
    var description: String { get }
    /// The column names (for JSON lines: every member name seen, in order of appearance).
    var columns: [String] { get }
    /// Calls `body` for each record with the values of `columns` (indexes into
    /// `self.columns`), in the order the records were written as far as the source tells:
    /// file order, SQLite's `rowid`, PostgreSQL's integer id or else `ctid`. `orderBy` is the
    /// mapped `id` column, sorted by where the table keeps no such order (a view, a SQLite
    /// table WITHOUT ROWID). The importer breaks `created_at` ties in this order.
    func forEachRecord(reading columns: [Int], orderBy: Int?, _ body: (SourceRecord) throws -> Void) throws
}

/// One record of a source.
public struct SourceRecord: Sendable {
    /// Where it is, for the report: `row 3` (SQL) or `line 3` (files).
    public var location: String
    /// The requested columns' values; nil for NULL, a missing member or an empty CSV field.
    public var values: [SourceValue?]
    /// Set when the record can't be read at all (not JSON, wrong field count…); `values`
    /// is then empty.
    public var problem: String?

    public init(location: String, values: [SourceValue?], problem: String? = nil) {
        self.location = location
        self.values = values
        self.problem = problem
    }
}

/// A value as the source gave it. SQLite and CSV values are text; JSON keeps its types.
public enum SourceValue: Sendable, Equatable {
    case text(String)
    case number(Double)
    case bool(Bool)
    /// A JSON array or object, named by its type.
    case other(String)
}

/// A source or mapping that can't be used; nothing is imported.
public struct ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Reading import files.
enum ImportFile {
    /// The whole file, or an `ImportError` naming it and the system's reason.
    static func contents(_ path: String) throws(ImportError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ImportError("can't open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw ImportError("can't read \(path): \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return bytes
    }

    /// `bytes` without a leading UTF-8 byte-order mark (spreadsheet exports start with one).
    static func droppingByteOrderMark(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes
    }
}
