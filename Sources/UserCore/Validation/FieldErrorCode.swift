/// The `code` of one entry of `errors[]` in a `validation_failed` problem (contract §1): the one
/// catalog of them, held to the OpenAPI document's `FieldError.code` enum by a test.
public enum FieldErrorCode: String, CaseIterable, Sendable, CustomStringConvertible {
    /// A required member is missing.
    case required
    /// The wrong JSON type, or null for a field that isn't nullable.
    case invalidType = "invalid_type"
    /// A member the endpoint doesn't define.
    case unknownField = "unknown_field"
    /// The field rules (`FieldRules`): the shape of a username, an email address or a name.
    case invalidFormat = "invalid_format"
    case tooShort = "too_short"
    case tooLong = "too_long"
    /// A password equal to the username or the email address.
    case tooSimilar = "too_similar"
    /// A value outside an enum or a range (`role`, query values, both `username` and `email`
    /// at login).
    case invalidValue = "invalid_value"

    public var description: String { rawValue }
}
