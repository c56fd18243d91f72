extension SQLValue {
    /// The parameter's type for PQprepare: int8, text, bool, or 0 (the server infers it)
    /// for NULL.
    var postgresTypeOID: UInt32 {
        switch self {
        case .null: 0
        case .integer: 20
        case .text: 25
        case .bool: 16
        }
    }

    /// The text form libpq sends; nil for NULL.
    var postgresText: String? {
        switch self {
        case .null: nil
        case .integer(let number): String(number)
        case .text(let text): text
        case .bool(let flag): flag ? "t" : "f"
        }
    }
}
