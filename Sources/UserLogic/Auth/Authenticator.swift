/// The caller behind a verified token, with the user's current row (contract §2: decisions
/// use the database, not the token's `role` claim).
public struct AuthenticatedCaller {
    public let user: User
    public let claims: TokenClaims

    public var isAdmin: Bool { user.role == .admin }
}

/// Checks the bearer token of a request, in the contract's order: presence (token_missing),
/// signature and claims (token_invalid, token_expired), type (token_wrong_type), the user
/// and the revocation state (token_invalid, token_revoked), then `account_disabled`.
struct Authenticator {
    let thread: ThreadContext
    let now: Int64

    func authenticate(_ request: Request, as expected: TokenType) throws -> AuthenticatedCaller {
        let token = try Self.bearerToken(request.authorization)
        let claims: TokenClaims
        do {
            claims = try thread.tokens.verify(token, now: now)
        } catch .expired {
            throw APIError.tokenExpired
        } catch {
            throw APIError.tokenInvalid
        }
        guard claims.type == expected else { throw APIError.tokenWrongType }
        guard let userID = Int64(claims.subject) else { throw APIError.tokenInvalid }
        let state = try thread.store().authenticationState(
            userID: userID, sessionID: claims.sessionID, tokenID: claims.tokenID, now: now)
        guard let user = state.user else { throw APIError.tokenInvalid }
        // A refresh token's freshness is its session's refresh jti, checked by the refresh
        // handler itself (reuse detection); here only the session's life counts.
        guard state.sessionLive, !state.tokenRevoked else { throw APIError.tokenRevoked }
        guard user.active else { throw APIError.accountDisabled }
        return AuthenticatedCaller(user: user, claims: claims)
    }

    /// The token of `Authorization: Bearer <token>`; any other form is token_missing.
    /// Works on the UTF-8 bytes: this runs on every authenticated request.
    static func bearerToken(_ header: String?) throws(APIError) -> String {
        guard let header else { throw APIError.tokenMissing }
        let bytes = header.utf8
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let schemeEnd = bytes.firstIndex(where: isSpace),
            bytes[..<schemeEnd].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }),
            let tokenStart = bytes[schemeEnd...].firstIndex(where: { !isSpace($0) })
        else { throw APIError.tokenMissing }
        let tokenEnd = bytes[tokenStart...].firstIndex(where: isSpace) ?? bytes.endIndex
        guard bytes[tokenEnd...].allSatisfy(isSpace) else { throw APIError.tokenMissing }
        return String(header[tokenStart..<tokenEnd])
    }
}
