/// The stable, machine-readable `code` of a problem response (contract §1, Errors): the one
/// catalog of every code a client can receive, from the backend or from the nginx in front of it.
///
/// An enum so the catalog is complete by construction (`allCases`) and no code is made
/// where it is thrown: a new code is a new case here, and the OpenAPI tests then require it
/// in the document (and the document to name no code missing here).
public enum ErrorCode: String, CaseIterable, Sendable, CustomStringConvertible {
    // Routing and request bodies (contract §1).
    case notFound = "not_found"
    case methodNotAllowed = "method_not_allowed"
    /// Also answered by nginx, with the same body, for a body over its own limit.
    case payloadTooLarge = "payload_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case malformedJSON = "malformed_json"
    case validationFailed = "validation_failed"

    // Tokens and permissions (contract §2).
    case tokenMissing = "token_missing"
    case tokenInvalid = "token_invalid"
    case tokenExpired = "token_expired"
    case tokenRevoked = "token_revoked"
    case tokenWrongType = "token_wrong_type"
    case accountDisabled = "account_disabled"
    case forbidden = "forbidden"

    // Registration, login and passwords.
    case registrationClosed = "registration_closed"
    case adminKeyInvalid = "admin_key_invalid"
    case invalidCredentials = "invalid_credentials"
    case accountLocked = "account_locked"
    case currentPasswordIncorrect = "current_password_incorrect"
    case resetTokenInvalid = "reset_token_invalid"
    case emailNotVerified = "email_not_verified"
    case verificationTokenInvalid = "verification_token_invalid"

    // Two-factor sign-in (contract §3, v2).
    case mfaRequired = "mfa_required"
    case mfaCodeInvalid = "mfa_code_invalid"
    case mfaAlreadyEnabled = "mfa_already_enabled"
    case mfaNotPending = "mfa_not_pending"
    case mfaNotEnabled = "mfa_not_enabled"

    // Sessions and users.
    case sessionNotFound = "session_not_found"
    case userNotFound = "user_not_found"
    case usernameTaken = "username_taken"
    case emailTaken = "email_taken"
    case lastAdmin = "last_admin"

    // The server.
    case internalError = "internal_error"
    case databaseUnavailable = "database_unavailable"

    // Answered only by nginx (conf/nginx/auth-fcgi/api-locations.conf); the backend never
    // sends these, but clients see them and the OpenAPI document names them.
    case rateLimited = "rate_limited"
    case backendUnavailable = "backend_unavailable"

    /// The codes only nginx answers with.
    public static let answeredByNginxOnly: Set<ErrorCode> = [.rateLimited, .backendUnavailable]

    public var description: String { rawValue }
}
