/// Every route of the contract (`shared/spec/api.md` §3), in the contract's order.
enum API {
    static func routes(_ environment: HandlerEnvironment) -> [Route] {
        let accounts = AccountHandlers(environment: environment)
        let sessions = SessionHandlers(environment: environment)
        let resets = PasswordResetHandlers(environment: environment)
        let users = UserHandlers(environment: environment)
        let health = HealthHandler(logger: environment.logger)
        let openAPI = OpenAPIHandler()
        return [
            Route("POST", "/api/auth/register", accounts.register),
            Route("POST", "/api/auth/login", accounts.login),
            Route("POST", "/api/auth/refresh", sessions.refresh),
            Route("POST", "/api/auth/logout", sessions.logout),
            Route("POST", "/api/auth/logout-all", sessions.logoutAll),
            Route("GET", "/api/auth/whoami", accounts.whoami),
            Route("GET", "/api/users/me", accounts.whoami),
            Route("POST", "/api/auth/password/change", accounts.changePassword),
            Route("POST", "/api/auth/password/forgot", resets.forgot),
            Route("POST", "/api/auth/password/reset", resets.reset),
            Route("GET", "/api/auth/sessions", sessions.list),
            Route("DELETE", "/api/auth/sessions/{id}", sessions.delete),
            Route("GET", "/api/users", users.list),
            Route("POST", "/api/users", users.create),
            Route("GET", "/api/users/{id:int}", users.get),
            Route("PATCH", "/api/users/{id:int}", users.update),
            Route("PUT", "/api/users/{id:int}", users.update),
            Route("DELETE", "/api/users/{id:int}", users.delete),
            Route("POST", "/api/users/{id:int}/unlock", users.unlock),
            Route("DELETE", "/api/users/{id:int}/sessions", users.revokeSessions),
            Route("GET", "/api/health", health.check),
            Route("GET", "/api/openapi.json", openAPI.document),
        ]
    }
}
