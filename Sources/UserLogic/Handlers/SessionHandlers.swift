import UserCore

/// Refresh, logout, logout-all and the caller's sessions (contract §3, Auth).
struct SessionHandlers: Sendable {
    let environment: HandlerEnvironment

    /// `POST /api/auth/refresh`: single-use refresh tokens; a second use revokes the session.
    func refresh(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        let now = environment.clock()
        let store = try context.thread.store()
        let sessionID = caller.claims.sessionID
        let next = Session.newIdentifier()
        let rotated = try store.rotateRefreshToken(
            sessionID: sessionID, expected: caller.claims.tokenID, next: next,
            expiresAt: now + environment.configuration.refreshTokenLifetime, now: now)
        guard rotated else {
            try store.revokeSession(id: sessionID, userID: caller.user.id, now: now)
            environment.audit(
                context, "refresh_reuse_detected", userID: caller.user.id, level: .warning,
                ["session_id": .string(sessionID)])
            environment.metrics.count(RefreshOutcome.reuseDetected)
            environment.metrics.count(RevocationReason.refreshReuse)
            throw APIError.tokenRevoked
        }
        environment.audit(context, "token_refreshed", userID: caller.user.id, ["session_id": .string(sessionID)])
        environment.metrics.count(RefreshOutcome.success)
        return environment.issuer(context, now: now).pairResponse(
            for: caller.user, sessionID: sessionID, refreshTokenID: next, methods: caller.authenticationMethods)
    }

    /// `POST /api/auth/logout`: the presented access token and its session.
    func logout(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        let store = try context.thread.store()
        let now = environment.clock()
        try store.transaction {
            try store.revokeAccessToken(tokenID: caller.claims.tokenID, expiresAt: caller.claims.expiresAt)
            try store.revokeSession(id: caller.claims.sessionID, userID: caller.user.id, now: now)
        }
        environment.audit(
            context, "logged_out", userID: caller.user.id, ["session_id": .string(caller.claims.sessionID)])
        environment.metrics.count(RevocationReason.logout)
        return .noContent()
    }

    /// `POST /api/auth/logout-all`: every session and access token of the caller.
    func logoutAll(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        let store = try context.thread.store()
        let now = environment.clock()
        try store.transaction {
            try store.revokeAccessToken(tokenID: caller.claims.tokenID, expiresAt: caller.claims.expiresAt)
            try store.revokeSessions(userID: caller.user.id, keeping: nil, now: now)
        }
        environment.audit(context, "logged_out_everywhere", userID: caller.user.id)
        environment.metrics.count(RevocationReason.logoutAll)
        return .noContent()
    }

    /// `GET /api/auth/sessions`: the caller's live sessions, newest first.
    func list(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        let sessions = try context.thread.store().liveSessions(userID: caller.user.id, now: environment.clock())
        return .json(.object(["items": .array(sessions.map { $0.json(current: $0.id == caller.claims.sessionID) })]))
    }

    /// `DELETE /api/auth/sessions/{id}`: another user's, unknown, revoked or expired → 404.
    func delete(_ context: AuthenticatedContext) throws -> Response {
        let caller = context.caller
        let sessionID = context.parameters["id"] ?? ""
        guard try context.thread.store().revokeSession(id: sessionID, userID: caller.user.id, now: environment.clock())
        else {
            throw APIError(.notFound, .sessionNotFound, "No live session of yours has this id.")
        }
        environment.audit(context, "session_revoked", userID: caller.user.id, ["session_id": .string(sessionID)])
        environment.metrics.count(RevocationReason.session)
        return .noContent()
    }
}
