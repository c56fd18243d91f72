import UserCore

/// Signs token pairs for sessions the accounts core opened or rotated (contract §2 claims,
/// §3 token pair), and renders them.
struct TokenIssuer {
    let configuration: ServiceConfiguration
    let thread: ThreadContext
    let now: Int64

    /// `{"access_token", "refresh_token", "token_type", "expires_in", "user"}` for a session
    /// whose current refresh token id is `refreshTokenID`, logged in by `methods` (the `amr`
    /// of both tokens: the refresh token carries it to the session's next pair).
    func pairResponse(
        for user: User, sessionID: String, refreshTokenID: String, methods: [String]
    ) -> Response {
        let access = claims(
            for: user, sessionID: sessionID, tokenID: Session.newIdentifier(), type: .access,
            lifetime: configuration.accessTokenLifetime, methods: methods)
        let refresh = claims(
            for: user, sessionID: sessionID, tokenID: refreshTokenID, type: .refresh,
            lifetime: configuration.refreshTokenLifetime, methods: methods)
        return .json(
            .object([
                "access_token": .string(thread.tokens.sign(access)),
                "refresh_token": .string(thread.tokens.sign(refresh)),
                "token_type": "Bearer",
                "expires_in": .number(Double(configuration.accessTokenLifetime)),
                "user": user.json(forAdmin: user.role == .admin),
            ]))
    }

    /// `{"code": "mfa_required", …, "mfa_token", "methods"}`: the answer to a right password of
    /// an account with two-factor sign-in on (contract §3 Two-factor sign-in).
    func challengeError(for userID: Int64) -> APIError {
        let challenge = ChallengeClaims(
            subject: String(userID), tokenID: Session.newIdentifier(), expiresAt: now + Self.challengeLifetime)
        return APIError.mfaRequired.with(members: [
            "mfa_token": .string(thread.tokens.signChallenge(challenge, issuedAt: now)),
            "methods": .array(SecondFactorProof.methods.map { .string($0) }),
        ])
    }

    /// How long a second-step token lives: five minutes to open the authenticator app.
    static let challengeLifetime: Int64 = 300

    private func claims(
        for user: User, sessionID: String, tokenID: String, type: TokenType, lifetime: Int64, methods: [String]
    ) -> TokenClaims {
        TokenClaims(
            issuer: configuration.tokens.issuer, audience: configuration.tokens.audience, subject: String(user.id),
            issuedAt: now, notBefore: now, expiresAt: now + lifetime, tokenID: tokenID, type: type,
            sessionID: sessionID, role: user.role.rawValue, authenticationMethods: methods)
    }
}
