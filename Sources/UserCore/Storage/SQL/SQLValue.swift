/// A value bound to a statement parameter, on either database.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
    /// SQLite stores it as 1 or 0, PostgreSQL as a BOOLEAN.
    case bool(Bool)
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }

    public static func text(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
    public static func integer(_ value: Int64?) -> SQLValue { value.map(SQLValue.integer) ?? .null }
}
