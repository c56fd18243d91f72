import UserCore

/// The caller behind a verified token, with the user's current row (contract §2: decisions
/// use the database, not the token's `role` claim).
public struct AuthenticatedCaller {
    public let user: User
    public let claims: TokenClaims

    public var isAdmin: Bool { user.role == .admin }

    /// The `amr` of the caller's session; tokens signed before `amr` existed came from a
    /// password login.
    public var authenticationMethods: [String] {
        claims.authenticationMethods.isEmpty ? AuthenticationMethod.password : claims.authenticationMethods
    }
}

/// Checks the bearer token of a request, in the contract's order: presence (token_missing),
/// signature and claims (token_invalid, token_expired), type (token_wrong_type), the user
/// and the revocation state (token_invalid, token_revoked), then `account_disabled`.
struct Authenticator {
    let thread: ThreadContext
    let now: Int64

    func authenticate(_ request: Request, as expected: TokenType) throws -> AuthenticatedCaller {
        let claims = try Self.withBearerToken(request.authorization) { token throws(APIError) in
            do throws(TokenError) {
                return try thread.tokens.verify(token, now: now)
            } catch .expired {
                throw APIError.tokenExpired
            } catch {
                throw APIError.tokenInvalid
            }
        }
        guard claims.type == expected else { throw APIError.tokenWrongType }
        guard let userID = Int64(claims.subject) else { throw APIError.tokenInvalid }
        let state = try thread.store().authenticationState(
            userID: userID, sessionID: claims.sessionID, tokenID: claims.tokenID, now: now)
        guard let user = state.user else { throw APIError.tokenInvalid }
        // Disabling revokes the sessions (contract §3 Users rules (v2)), yet while the account
        // stays disabled its tokens answer account_disabled: checked before revocation.
        guard user.active else { throw APIError.accountDisabled }
        // A refresh token's freshness is its session's refresh jti, checked by the refresh
        // handler itself (reuse detection); here only the session's life counts.
        guard state.sessionLive, !state.tokenRevoked else { throw APIError.tokenRevoked }
        return AuthenticatedCaller(user: user, claims: claims)
    }

    /// Calls `body` with the token of `Authorization: Bearer <token>` as UTF-8 bytes; any
    /// other form is token_missing. Works in place on the header's bytes: this runs on every
    /// authenticated request, and the token needs no String of its own.
    static func withBearerToken<T>(
        _ header: String?, _ body: (UnsafeBufferPointer<UInt8>) throws(APIError) -> T
    ) throws(APIError) -> T {
        guard var header else { throw APIError.tokenMissing }
        header.makeContiguousUTF8()  // a no-op for the native strings requests carry
        let result = header.utf8.withContiguousStorageIfAvailable { bytes in
            Result { () throws(APIError) in try body(try bearerToken(in: bytes)) }
        }
        guard let result else { throw APIError.tokenMissing }
        return try result.get()
    }

    /// The token part of a bearer header: the scheme `Bearer` in any case, spaces or tabs,
    /// the token, optional trailing spaces or tabs.
    static func bearerToken(in header: UnsafeBufferPointer<UInt8>) throws(APIError) -> UnsafeBufferPointer<UInt8> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        let scheme = "bearer".utf8
        guard header.count > scheme.count, isSpace(header[scheme.count]),
            zip(header, scheme).allSatisfy({ $0 | 0x20 == $1 })
        else { throw APIError.tokenMissing }
        var start = scheme.count
        while start < header.count, isSpace(header[start]) { start += 1 }
        var end = start
        while end < header.count, !isSpace(header[end]) { end += 1 }
        guard start < end else { throw APIError.tokenMissing }
        for index in end..<header.count where !isSpace(header[index]) { throw APIError.tokenMissing }
        return UnsafeBufferPointer(rebasing: header[start..<end])
    }
}
