import UserCore

/// Signs token pairs for sessions the accounts core opened or rotated (contract §2 claims,
/// §3 token pair), and renders them.
struct TokenIssuer {
    let configuration: ServiceConfiguration
    let thread: ThreadContext
    let now: Int64

    /// `{"access_token", "refresh_token", "token_type", "expires_in", "user"}` for a session
    /// whose current refresh token id is `refreshTokenID`.
    func pairResponse(for user: User, sessionID: String, refreshTokenID: String) -> Response {
        let access = claims(
            for: user, sessionID: sessionID, tokenID: Session.newIdentifier(), type: .access,
            lifetime: configuration.accessTokenLifetime)
        let refresh = claims(
            for: user, sessionID: sessionID, tokenID: refreshTokenID, type: .refresh,
            lifetime: configuration.refreshTokenLifetime)
        return .json(
            .object([
                "access_token": .string(thread.tokens.sign(access)),
                "refresh_token": .string(thread.tokens.sign(refresh)),
                "token_type": "Bearer",
                "expires_in": .number(Double(configuration.accessTokenLifetime)),
                "user": user.json(forAdmin: user.role == .admin),
            ]))
    }

    private func claims(for user: User, sessionID: String, tokenID: String, type: TokenType, lifetime: Int64)
        -> TokenClaims
    {
        TokenClaims(
            issuer: configuration.tokens.issuer, audience: configuration.tokens.audience, subject: String(user.id),
            issuedAt: now, notBefore: now, expiresAt: now + lifetime, tokenID: tokenID, type: type,
            sessionID: sessionID, role: user.role.rawValue)
    }
}
