import UserCore

/// `GET /api/health`: 200 while the database answers, 503 `database_unavailable` otherwise.
struct HealthHandler: Sendable {
    func check(_ context: RequestContext) throws -> Response {
        do {
            try context.thread.store().checkHealth()
        } catch {
            // Whatever the check hit, the database doesn't answer: the service logs, counts
            // and answers it as it does every unavailable store.
            throw error as? StoreError ?? StoreError.unavailable("\(error)")
        }
        return .json(.object(["status": "ok", "database": "ok"]))
    }
}

extension APIError {
    public static let databaseUnavailable = APIError(
        .serviceUnavailable, .databaseUnavailable, "The database can't be reached right now. Try again shortly.")
}
