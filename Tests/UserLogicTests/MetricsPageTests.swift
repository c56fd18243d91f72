import Testing

@testable import UserCore
@testable import UserLogic

/// `GET /api/metrics` over the service, its counts read back from the page's text.
@Suite struct MetricsPageTests {
    /// `GET /api/metrics` as nginx's allowlist passes it.
    func scrape(_ fixture: ServiceFixture) -> Response {
        var request = Request(method: "GET", path: "/api/metrics")
        request.mayReadMetrics = true
        return fixture.service.respond(to: request, on: fixture.thread)
    }

    /// The page's samples by their full text before the value (`name{labels}`).
    func samples(_ fixture: ServiceFixture) throws -> [String: String] {
        let response = scrape(fixture)
        try #require(response.status == .ok)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        var samples: [String: String] = [:]
        for line in response.bodyText.split(separator: "\n") where !line.hasPrefix("#") {
            let space = try #require(line.lastIndex(of: " "))
            samples[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return samples
    }

    @Test(arguments: StoreKind.allCases) func requestsAreCountedByRouteTemplateMethodAndStatus(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind, keepsMetrics: true)
        _ = fixture.register("alice")
        let tokens = try fixture.tokens("alice")
        for _ in 0..<3 { _ = fixture.call("GET", "/api/auth/whoami", token: tokens.access) }
        _ = fixture.call("GET", "/api/auth/whoami")
        #expect(fixture.call("GET", "/api/users/1", token: tokens.access).status == .ok)
        _ = fixture.call("GET", "/api/nothing-here")
        _ = fixture.call("DELETE", "/api/health")
        let page = try samples(fixture)
        #expect(page[#"auth_fcgi_http_requests_total{route="/api/auth/whoami",method="GET",status="200"}"#] == "3")
        #expect(page[#"auth_fcgi_http_requests_total{route="/api/auth/whoami",method="GET",status="401"}"#] == "1")
        #expect(page[#"auth_fcgi_http_requests_total{route="/api/users/{id}",method="GET",status="200"}"#] == "1")
        #expect(page[#"auth_fcgi_http_requests_total{route="other",method="other",status="404"}"#] == "1")
        #expect(page[#"auth_fcgi_http_requests_total{route="other",method="other",status="405"}"#] == "1")
        #expect(page[#"auth_fcgi_http_requests_total{route="/api/auth/register",method="POST",status="201"}"#] == "1")
        // Only what happened is listed.
        #expect(page[#"auth_fcgi_http_requests_total{route="/api/users",method="GET",status="200"}"#] == nil)
        // The histogram: cumulative buckets ending in +Inf, which is the count.
        let whoami = #"route="/api/auth/whoami",method="GET""#
        let buckets = HistogramBuckets.requests.bounds.map { "\($0)" } + ["+Inf"]
        let cumulative = try buckets.map {
            try #require(UInt64(page["auth_fcgi_http_request_duration_seconds_bucket{\(whoami),le=\"\($0)\"}"] ?? ""))
        }
        #expect(cumulative == cumulative.sorted())
        #expect(cumulative.last == 4)
        #expect(page["auth_fcgi_http_request_duration_seconds_count{\(whoami)}"] == "4")
        #expect(try #require(Double(page["auth_fcgi_http_request_duration_seconds_sum{\(whoami)}"] ?? "")) > 0)
    }

    @Test(arguments: StoreKind.allCases) func loginsRefreshesAndRevocationsAreCountedByOutcome(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind, keepsMetrics: true)
        _ = fixture.register("alice")
        _ = fixture.login("alice", password: "wrong horse")
        _ = fixture.login("nobody")
        let first = try fixture.tokens("alice")
        let second = try fixture.tokens("alice")
        #expect(fixture.call("POST", "/api/auth/refresh", token: first.refresh).status == .ok)
        #expect(fixture.call("POST", "/api/auth/refresh", token: first.refresh).status == .unauthorized)
        #expect(fixture.call("POST", "/api/auth/refresh", token: "not-a-token").status == .unauthorized)
        #expect(fixture.call("POST", "/api/auth/logout", token: second.access).status == .noContent)
        let page = try samples(fixture)
        #expect(page[#"auth_fcgi_logins_total{outcome="success"}"#] == "2")
        #expect(page[#"auth_fcgi_logins_total{outcome="wrong_password"}"#] == "1")
        #expect(page[#"auth_fcgi_logins_total{outcome="unknown_user"}"#] == "1")
        #expect(page[#"auth_fcgi_logins_total{outcome="locked"}"#] == "0")
        #expect(page[#"auth_fcgi_token_refreshes_total{outcome="success"}"#] == "1")
        #expect(page[#"auth_fcgi_token_refreshes_total{outcome="reuse_detected"}"#] == "1")
        // Refused before any rotation: the malformed token.
        #expect(page[#"auth_fcgi_token_refreshes_total{outcome="rejected"}"#] == "1")
        #expect(page[#"auth_fcgi_revocations_total{reason="refresh_reuse"}"#] == "1")
        #expect(page[#"auth_fcgi_revocations_total{reason="logout"}"#] == "1")
        #expect(page[#"auth_fcgi_revocations_total{reason="logout_all"}"#] == "0")
        // register, 2 logins that checked a password, the unknown user's dummy check.
        #expect(page["auth_fcgi_password_hash_duration_seconds_count"] == "5")
        #expect(
            page[#"auth_fcgi_build_info{version="\#(BuildInfo.version)",commit="\#(BuildInfo.commit ?? "")"}"#] == "1")
        #expect(page["auth_fcgi_workers_alive"] == "0")
    }

    @Test func withoutMetricsThePageIsNotFound() throws {
        let fixture = try ServiceFixture(.sqlite)
        let response = scrape(fixture)
        #expect(response.status == .notFound)
        #expect(response.bodyText.contains(#""code":"not_found""#))
    }

    /// A web server without the shipped location (older snippets, a hand-written config)
    /// doesn't mark the request: the page stays unpublished.
    @Test func aRequestNginxDidntAllowIsNotFound() throws {
        let fixture = try ServiceFixture(.sqlite, keepsMetrics: true)
        let response = fixture.call("GET", "/api/metrics")
        #expect(response.status == .notFound)
        #expect(!response.bodyText.contains("auth_fcgi_"))
        let marked = Request(
            cgi: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/api/metrics", "AUTH_FCGI_METRICS_ALLOWED": "1"],
            body: .empty)
        #expect(fixture.service.respond(to: marked, on: fixture.thread).status == .ok)
        let elsewhere = Request(
            cgi: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/api/health", "AUTH_FCGI_METRICS_ALLOWED": "1"], body: .empty
        )
        #expect(!elsewhere.mayReadMetrics)
    }

    @Test func labelValuesAndHelpAreEscaped() {
        var text = PrometheusText()
        text.family("x_total", .counter, help: "a \\ b\nc")
        text.sample("x_total", [("path", "a\"b\\c\nd")], 7)
        #expect(
            text.text == "# HELP x_total a \\\\ b\\nc\n# TYPE x_total counter\nx_total{path=\"a\\\"b\\\\c\\nd\"} 7\n")
    }
}
