/// A value bound to a statement parameter, sent to the server as text.
public enum PostgresValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
    case bool(Bool)

    public static func text(_ value: String?) -> PostgresValue { value.map(PostgresValue.text) ?? .null }
    public static func integer(_ value: Int64?) -> PostgresValue { value.map(PostgresValue.integer) ?? .null }

    /// The parameter's type for PQprepare: int8, text, bool, or 0 (the server infers it)
    /// for NULL.
    var typeOID: UInt32 {
        switch self {
        case .null: 0
        case .integer: 20
        case .text: 25
        case .bool: 16
        }
    }

    /// The text form libpq sends; nil for NULL.
    var textForm: String? {
        switch self {
        case .null: nil
        case .integer(let number): String(number)
        case .text(let text): text
        case .bool(let flag): flag ? "t" : "f"
        }
    }
}
