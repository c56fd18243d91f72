import UserCore

/// `GET /api/health`: 200 while the database answers, 503 `database_unavailable` otherwise.
struct HealthHandler: Sendable {
    let logger: Logger
    let metrics: Metrics

    func check(_ context: RequestContext) throws -> Response {
        do {
            try context.thread.store().checkHealth()
        } catch {
            metrics.countDatabaseError()
            logger.log(
                .error, "database_unavailable", requestID: context.request.requestID, ["error": .string("\(error)")])
            throw APIError.databaseUnavailable
        }
        return .json(.object(["status": "ok", "database": "ok"]))
    }
}

extension APIError {
    public static let databaseUnavailable = APIError(
        .serviceUnavailable, .databaseUnavailable, "The database can't be reached right now. Try again shortly.")
}
