/// One field's failure of the field rules: an entry of `errors[]` in a `validation_failed`
/// problem once the HTTP layer renders it.
public struct FieldError: Sendable, Equatable {
    public var field: String
    public var code: FieldErrorCode
    public var message: String

    public init(field: String, code: FieldErrorCode, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}
