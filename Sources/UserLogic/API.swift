/// Every route of the contract (`shared/spec/api.md` §3), in the contract's order, with
/// its OpenAPI `operationId` and who may call it.
enum API {
    static func routes(_ environment: HandlerEnvironment) -> [Route] {
        let accounts = AccountHandlers(environment: environment)
        let sessions = SessionHandlers(environment: environment)
        let resets = PasswordResetHandlers(environment: environment)
        let verifications = EmailVerificationHandlers(environment: environment)
        let users = UserHandlers(environment: environment)
        let twoFactor = TwoFactorHandlers(environment: environment)
        let health = HealthHandler()
        let openAPI = OpenAPIHandler()
        let jwks = JWKSHandler(tokens: environment.configuration.tokens)
        return [
            Route("POST", "/api/auth/register", "register", accounts.register),
            Route("POST", "/api/auth/login", "login", accounts.login),
            Route("POST", "/api/auth/refresh", "refreshTokens", .refreshToken, sessions.refresh),
            Route("POST", "/api/auth/logout", "logout", .user, sessions.logout),
            Route("POST", "/api/auth/logout-all", "logoutAll", .user, sessions.logoutAll),
            Route("GET", "/api/auth/whoami", "whoami", .user, accounts.whoami),
            Route("GET", "/api/users/me", "getMe", .user, accounts.whoami),
            Route("POST", "/api/auth/password/change", "changePassword", .user, accounts.changePassword),
            Route("POST", "/api/auth/password/forgot", "forgotPassword", resets.forgot),
            Route("POST", "/api/auth/password/reset", "resetPassword", resets.reset),
            Route("POST", "/api/auth/email/verify", "verifyEmail", verifications.verify),
            Route("POST", "/api/auth/email/resend", "resendVerification", verifications.resend),
            Route("GET", "/api/auth/sessions", "listSessions", .user, sessions.list),
            Route("DELETE", "/api/auth/sessions/{id}", "deleteSession", .user, sessions.delete),
            Route("POST", "/api/auth/login/mfa", "loginSecondFactor", twoFactor.completeLogin),
            Route("POST", "/api/auth/mfa/totp", "startTotpEnrollment", .user, twoFactor.start),
            Route("POST", "/api/auth/mfa/totp/confirm", "confirmTotpEnrollment", .user, twoFactor.confirm),
            Route("POST", "/api/auth/mfa/totp/disable", "disableTotp", .user, twoFactor.disable),
            Route("POST", "/api/auth/mfa/recovery-codes", "renewRecoveryCodes", .user, twoFactor.renewRecoveryCodes),
            Route("GET", "/api/auth/verify", "verifyToken", .user, VerifyHandler().verify),
            Route("GET", "/api/users", "listUsers", .admin, users.list),
            Route("POST", "/api/users", "createUser", .admin, users.create),
            Route("GET", "/api/users/{id:int}", "getUser", .user, users.get),
            Route("PATCH", "/api/users/{id:int}", "updateUser", .user, users.update),
            Route("PUT", "/api/users/{id:int}", "replaceUser", .user, users.update),
            Route("DELETE", "/api/users/{id:int}", "deleteUser", .user, users.delete),
            Route("POST", "/api/users/{id:int}/unlock", "unlockUser", .admin, users.unlock),
            Route("DELETE", "/api/users/{id:int}/sessions", "revokeUserSessions", .user, users.revokeSessions),
            Route("DELETE", "/api/users/{id:int}/mfa", "removeUserTotp", .admin, users.removeTwoFactor),
            Route("GET", "/api/health", "health", health.check),
            Route("GET", "/api/openapi.json", "openapi", openAPI.document),
            Route("GET", "/.well-known/jwks.json", "getJwks", jwks.keys),
        ]
    }
}
