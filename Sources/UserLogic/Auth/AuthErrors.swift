/// The errors of contract §2: every 401 carries `WWW-Authenticate: Bearer`, with
/// `error="invalid_token"` once a token was presented.
extension APIError {
    public static let tokenMissing = APIError(
        .unauthorized, .tokenMissing, "Send an access token as 'Authorization: Bearer <token>'.",
        headers: [("WWW-Authenticate", "Bearer")])

    static func presentedToken(_ code: ErrorCode, _ detail: String) -> APIError {
        APIError(
            .unauthorized, code, detail, headers: [("WWW-Authenticate", #"Bearer error="invalid_token""#)])
    }

    public static let tokenInvalid = presentedToken(.tokenInvalid, "The token is not valid.")
    public static let tokenExpired = presentedToken(.tokenExpired, "The token has expired.")
    public static let tokenRevoked = presentedToken(.tokenRevoked, "The token has been revoked.")
    public static let tokenWrongType = presentedToken(
        .tokenWrongType, "This endpoint needs a token of the other type.")

    public static let accountDisabled = APIError(.forbidden, .accountDisabled, "This account is disabled.")
    public static let forbidden = APIError(.forbidden, .forbidden, "You are not allowed to do this.")
    /// A non-admin on a route whose access is `.admin`.
    static let adminOnly = forbidden.with(detail: "This needs an admin account.")
}
