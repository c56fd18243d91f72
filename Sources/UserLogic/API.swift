/// Every route of the contract (`shared/spec/api.md` §3), in the contract's order.
enum API {
    static func routes(logger: Logger) -> [Route] {
        let health = HealthHandler(logger: logger)
        return [
            Route("GET", "/api/health", health.check)
        ]
    }
}
