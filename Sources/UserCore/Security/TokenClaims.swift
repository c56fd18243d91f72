/// The `typ` claim: which of the pair a token is. Callers decide what a wrong type means.
public enum TokenType: String, Sendable {
    case access, refresh
}

/// The claims of an access or refresh token (contract §2). Dates are Unix seconds.
public struct TokenClaims: Sendable, Equatable {
    public var issuer: String
    public var audience: String
    /// The user id, as a string.
    public var subject: String
    public var issuedAt: Int64
    public var notBefore: Int64
    public var expiresAt: Int64
    /// `jti`: unique per token, checked against revocations.
    public var tokenID: String
    /// `typ`.
    public var type: TokenType
    /// `sid`: the session the token belongs to.
    public var sessionID: String
    /// Informational only: authorisation reads the user's current row.
    public var role: String
    /// `amr` (RFC 8176): how the session's login was authenticated, `["pwd"]` or
    /// `["pwd", "otp"]`; refreshes carry it on. Tokens signed before it existed have none.
    public var authenticationMethods: [String]

    public init(
        issuer: String, audience: String, subject: String, issuedAt: Int64, notBefore: Int64, expiresAt: Int64,
        tokenID: String, type: TokenType, sessionID: String, role: String, authenticationMethods: [String] = []
    ) {
        self.issuer = issuer
        self.audience = audience
        self.subject = subject
        self.issuedAt = issuedAt
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.tokenID = tokenID
        self.type = type
        self.sessionID = sessionID
        self.role = role
        self.authenticationMethods = authenticationMethods
    }
}

/// The claims of a login's second-step token (typ `mfa`, contract §3 Two-factor sign-in): it
/// names the user whose password was right and is good for `POST /api/auth/login/mfa` only.
public struct ChallengeClaims: Sendable, Equatable {
    /// The user id, as a string.
    public var subject: String
    /// `jti`: recorded when the token completes a login, so it completes one.
    public var tokenID: String
    public var expiresAt: Int64

    public init(subject: String, tokenID: String, expiresAt: Int64) {
        self.subject = subject
        self.tokenID = tokenID
        self.expiresAt = expiresAt
    }
}
