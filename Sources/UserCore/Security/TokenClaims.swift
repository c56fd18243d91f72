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

    public init(
        issuer: String, audience: String, subject: String, issuedAt: Int64, notBefore: Int64, expiresAt: Int64,
        tokenID: String, type: TokenType, sessionID: String, role: String
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
    }
}
