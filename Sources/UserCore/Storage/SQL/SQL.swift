/// One statement's text, written once with PostgreSQL's `$1`-style placeholders; SQLite's
/// `?1` spelling is derived when the value is made. Store statements are `static let`s, so
/// that happens once per process, and a request only picks the spelling of its database.
struct SQL: Sendable {
    let postgresql: String
    let sqlite: String

    init(_ text: String) {
        self.init { _ in text }
    }

    /// Text written out for each database, side by side so neither can be changed alone (the
    /// migrations' DDL).
    init(sqlite: String, postgresql: String) {
        self.init { $0 == .sqlite ? sqlite : postgresql }
    }

    /// A statement with a part that differs by dialect (see `SQLDialect`).
    init(_ build: (SQLDialect) -> String) {
        postgresql = build(.postgresql)
        sqlite = Self.numberedQuestionMarks(build(.sqlite))
    }

    func text(for dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: sqlite
        case .postgresql: postgresql
        }
    }

    /// `$` followed by a digit becomes `?`. Store statements hold no string literal or
    /// dollar quote in which that could mean anything else.
    private static func numberedQuestionMarks(_ text: String) -> String {
        var bytes = Array(text.utf8)
        for index in bytes.indices.dropLast()
        where bytes[index] == UInt8(ascii: "$") && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index + 1]) {
            bytes[index] = UInt8(ascii: "?")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
