/// Opens sessions and signs token pairs (contract §2 claims, §3 token pair).
struct TokenIssuer {
    let configuration: ServiceConfiguration
    let thread: ThreadContext
    let now: Int64

    /// 128 random bits, URL-safe: session ids and token ids.
    static func newIdentifier() -> String {
        SecureRandom.token(byteCount: 16)
    }

    /// Opens a session for `user` from the request that logged in, and returns its first pair.
    func openSession(for user: User, from request: Request) throws -> Response {
        let session = Session(
            id: Self.newIdentifier(), userID: user.id, createdAt: now, lastUsedAt: now,
            expiresAt: now + configuration.refreshTokenLifetime, userAgent: request.userAgent,
            ip: request.remoteAddress,
            refreshTokenID: Self.newIdentifier(), revokedAt: nil)
        try thread.store().createSession(session)
        return pairResponse(for: user, sessionID: session.id, refreshTokenID: session.refreshTokenID)
    }

    /// `{"access_token", "refresh_token", "token_type", "expires_in", "user"}` for a session
    /// whose current refresh token id is `refreshTokenID`.
    func pairResponse(for user: User, sessionID: String, refreshTokenID: String) -> Response {
        let access = claims(
            for: user, sessionID: sessionID, tokenID: Self.newIdentifier(), type: .access,
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
