/// The errors of contract §2: every 401 carries `WWW-Authenticate: Bearer`, with
/// `error="invalid_token"` once a token was presented.
extension APIError {
    public static let tokenMissing = APIError(
        .unauthorized, ErrorCode("token_missing"), "Send an access token as 'Authorization: Bearer <token>'.",
        headers: [("WWW-Authenticate", "Bearer")])

    static func presentedToken(_ code: String, _ detail: String) -> APIError {
        APIError(
            .unauthorized, ErrorCode(code), detail, headers: [("WWW-Authenticate", #"Bearer error="invalid_token""#)])
    }

    public static let tokenInvalid = presentedToken("token_invalid", "The token is not valid.")
    public static let tokenExpired = presentedToken("token_expired", "The token has expired.")
    public static let tokenRevoked = presentedToken("token_revoked", "The token has been revoked.")
    public static let tokenWrongType = presentedToken(
        "token_wrong_type", "This endpoint needs a token of the other type.")

    public static let accountDisabled = APIError(.forbidden, ErrorCode("account_disabled"), "This account is disabled.")
    public static let forbidden = APIError(.forbidden, ErrorCode("forbidden"), "You are not allowed to do this.")
    /// A non-admin on a route whose access is `.admin`.
    static let adminOnly = forbidden.with(detail: "This needs an admin account.")
}
