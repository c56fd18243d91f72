/// The stable, machine-readable `code` of a problem response (contract §1, Errors).
///
/// A struct rather than an enum so later features add codes next to their handlers.
public struct ErrorCode: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static let notFound = ErrorCode("not_found")
    public static let methodNotAllowed = ErrorCode("method_not_allowed")
    public static let payloadTooLarge = ErrorCode("payload_too_large")
    public static let unsupportedMediaType = ErrorCode("unsupported_media_type")
    public static let malformedJSON = ErrorCode("malformed_json")
    public static let validationFailed = ErrorCode("validation_failed")
    public static let internalError = ErrorCode("internal_error")
    public static let databaseUnavailable = ErrorCode("database_unavailable")
}
