import UserCore

/// The API's field rules for callers outside a request, such as the `create-admin` prompts,
/// so a value is refused there exactly as the API would refuse it.
public enum AccountFieldCheck {
    /// A sentence saying what is wrong with `value` for `field`, or nil when it is fine.
    /// `field` is one of username, email, password, first_name, last_name.
    public static func problem(field: String, value: String, username: String? = nil, email: String? = nil) -> String? {
        let error: FieldError? =
            switch field {
            case "username": FieldRules.username(value)
            case "email": FieldRules.email(value)
            case "password": FieldRules.password(value, field: field, username: username, email: email)
            default: FieldRules.name(value, field: field)
            }
        return error.map(\.message)
    }
}
