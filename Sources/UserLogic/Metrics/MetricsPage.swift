import UserCore

/// `GET /api/metrics`: every metric of the server in Prometheus's text format (README
/// "Metrics"), for the clients nginx's allowlist marks (`Request.mayReadMetrics`); 404
/// `not_found` for any other, and in CGI, where each request is a process of its own and
/// nothing is counted.
struct MetricsPage: Sendable {
    static let method = "GET"
    static let path = "/api/metrics"
    static let label = RequestMetrics.RouteLabel(method: method, template: path)

    let metrics: Metrics
    let requests: RequestMetrics
    let clock: @Sendable () -> Int64

    func render(_ context: RequestContext) throws -> Response {
        guard context.request.mayReadMetrics else { throw APIError.notFound() }
        guard metrics.isKept else {
            throw APIError.notFound("Metrics are kept by the FastCGI server; a CGI process serves a single request.")
        }
        return Response(
            status: .ok, headers: [("Content-Type", PrometheusText.contentType)], body: Array(text().utf8))
    }

    private func text() -> String {
        var page = PrometheusText()
        page.family("auth_fcgi_build_info", .gauge, help: "The running build: its version and git commit (value 1).")
        page.sample("auth_fcgi_build_info", [("version", BuildInfo.version), ("commit", BuildInfo.commit ?? "")], 1)
        page.family("auth_fcgi_start_time_seconds", .gauge, help: "When the server started, in Unix seconds.")
        page.sample("auth_fcgi_start_time_seconds", UInt64(max(metrics.startTime, 0)))
        page.family("auth_fcgi_uptime_seconds", .gauge, help: "Seconds since the server started.")
        page.sample("auth_fcgi_uptime_seconds", UInt64(max(clock() - metrics.startTime, 0)))
        requestFamilies(&page)
        eventFamilies(&page)
        page.family("auth_fcgi_workers_alive", .gauge, help: "Worker processes running now.")
        page.sample("auth_fcgi_workers_alive", metrics.workersAlive)
        page.family(
            "auth_fcgi_worker_restarts_total", .counter,
            help: "Workers the supervisor started in place of one that exited.")
        page.sample("auth_fcgi_worker_restarts_total", metrics.workerRestarts)
        return page.text
    }

    /// Requests by route and status (only those that happened), and their durations.
    private func requestFamilies(_ page: inout PrometheusText) {
        page.family("auth_fcgi_http_requests_total", .counter, help: "Requests answered, by route, method and status.")
        for (index, route) in requests.routes.enumerated() {
            for (slot, count) in requests.counts(route: index).enumerated() where count > 0 {
                let status =
                    slot < RequestMetrics.statusCodes.count ? String(RequestMetrics.statusCodes[slot]) : "other"
                page.sample(
                    "auth_fcgi_http_requests_total",
                    [("route", route.template), ("method", route.method), ("status", status)], count)
            }
        }
        page.family(
            "auth_fcgi_http_request_duration_seconds", .histogram,
            help: "Time from the request's arrival in the backend to its answer, by route.")
        for (index, route) in requests.routes.enumerated() {
            let durations = requests.durations(route: index)
            guard durations.buckets.contains(where: { $0 > 0 }) else { continue }
            page.histogram(
                "auth_fcgi_http_request_duration_seconds", [("route", route.template), ("method", route.method)],
                bounds: HistogramBuckets.requests.bounds, buckets: durations.buckets,
                sumNanoseconds: durations.sumNanoseconds)
        }
    }

    /// A counter family with one sample per value of its label, at 0 too.
    private func counters<Label: MetricLabel>(
        _ page: inout PrometheusText, _ name: String, _ labelName: String, _ help: String, value: (Label) -> UInt64
    ) {
        page.family(name, .counter, help: help)
        for label in Label.allCases { page.sample(name, [(labelName, label.label)], value(label)) }
    }

    /// The accounts' events: every label value listed, at 0 too.
    private func eventFamilies(_ page: inout PrometheusText) {
        counters(&page, "auth_fcgi_logins_total", "outcome", "Login attempts by outcome, at either step.") {
            (outcome: LoginOutcome) in metrics.value(outcome)
        }
        counters(&page, "auth_fcgi_token_refreshes_total", "outcome", "Refresh token presentations by outcome.") {
            (outcome: RefreshOutcome) in metrics.value(outcome)
        }
        counters(&page, "auth_fcgi_revocations_total", "reason", "Events that ended sessions, by reason.") {
            (reason: RevocationReason) in metrics.value(reason)
        }
        counters(&page, "auth_fcgi_mails_total", "outcome", "Mails sent, and mails given up on after the last retry.") {
            (outcome: MailOutcome) in metrics.value(outcome)
        }
        page.family(
            "auth_fcgi_password_hash_duration_seconds", .histogram, help: "Time of one password hash, made or checked.")
        let hashes = metrics.passwordHashes
        page.histogram(
            "auth_fcgi_password_hash_duration_seconds", [], bounds: HistogramBuckets.passwordHashes.bounds,
            buckets: hashes.buckets, sumNanoseconds: hashes.sumNanoseconds)
        page.family("auth_fcgi_database_errors_total", .counter, help: "Requests that failed on the database.")
        page.sample("auth_fcgi_database_errors_total", metrics.databaseErrors)
    }
}
