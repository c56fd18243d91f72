import Testing

@testable import UserCore
@testable import UserLogic

/// Each login outcome and revocation reason counted once where it happens, through the
/// API, and the mail and database counts.
@Suite struct MetricsOutcomeTests {
    /// Every counted event as the page would show it, read from the service's metrics.
    func counts(_ fixture: ServiceFixture) -> [String: UInt64] {
        let metrics = fixture.service.metrics
        var counts: [String: UInt64] = [:]
        for outcome in LoginOutcome.allCases { counts["login " + outcome.label] = metrics.value(outcome) }
        for reason in RevocationReason.allCases { counts["revocation " + reason.label] = metrics.value(reason) }
        return counts
    }

    /// Runs `body` and expects exactly `changed` to have grown by one each, nothing else.
    func expectOnly(_ changed: Set<String>, _ fixture: ServiceFixture, during body: () throws -> Void) throws {
        let before = counts(fixture)
        try body()
        let after = counts(fixture)
        for (name, value) in after {
            #expect(value == before[name, default: 0] + (changed.contains(name) ? 1 : 0), "\(name)")
        }
    }

    func json(_ response: Response, _ member: String) throws -> String {
        guard case .string(let value)? = response.member(member) else {
            throw ServiceFixture.FixtureError(description: "no \(member) in \(response.bodyText)")
        }
        return value
    }

    @Test(arguments: StoreKind.allCases) func theSecondStepsOutcomes(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind, keepsMetrics: true)
        fixture.register("carol")
        let access = try fixture.tokens("carol").access
        let started = fixture.call("POST", "/api/auth/mfa/totp", json: "{}", token: access)
        let totp = TOTP(secret: try #require(Base32.decode(try json(started, "secret"))))
        func code() -> String { totp.code(atStep: TOTP.step(at: fixture.clock.now)) }
        let confirmed = fixture.call(
            "POST", "/api/auth/mfa/totp/confirm", json: #"{"code":"\#(code())"}"#, token: access)
        try #require(confirmed.status == .ok, "\(confirmed.bodyText)")
        fixture.clock.advance(30)  // the confirmation used this step's code

        var challenge = ""
        try expectOnly(["login mfa_required"], fixture) {
            challenge = try json(fixture.login("carol"), "mfa_token")
        }
        func secondStep(_ token: String, _ code: String) -> Response {
            fixture.call("POST", "/api/auth/login/mfa", json: #"{"mfa_token":"\#(token)","code":"\#(code)"}"#)
        }
        try expectOnly(["login mfa_challenge_invalid"], fixture) {
            #expect(secondStep("not-a-token", code()).status == .unauthorized)
        }
        let wrong = String(code().map { $0 == "9" ? "0" : "9" })
        try expectOnly(["login mfa_wrong_code"], fixture) {
            #expect(secondStep(challenge, wrong).problemCode == "mfa_code_invalid")
        }
        try expectOnly(["login success"], fixture) {
            #expect(secondStep(challenge, code()).status == .ok)
        }
        // A used challenge is refused by the core, after its signature checked out.
        try expectOnly(["login mfa_challenge_invalid"], fixture) {
            #expect(secondStep(challenge, code()).status == .unauthorized)
        }
    }

    @Test(arguments: StoreKind.allCases) func refusedLoginsAndRevocations(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind, keepsMetrics: true) {
            $0.lockoutThreshold = 2
            $0.lockoutSeconds = 60
            $0.emailVerification = .off
        }
        var ids: [String: Int] = [:]
        for name in ["root", "dave", "erin", "fred", "gina"] {
            guard case .number(let id)? = fixture.register(name).member("user", "id") else {
                throw FixtureError.noID(name)
            }
            ids[name] = Int(id)
        }
        _ = try fixture.connection().run("UPDATE users SET role = 'ADMIN' WHERE username = 'root'", [])
        let admin = try fixture.tokens("root").access

        // The second wrong password locks dave (threshold 2): the right one is refused then.
        for _ in 0..<2 {
            try expectOnly(["login wrong_password"], fixture) { _ = fixture.login("dave", password: "wrong horse") }
        }
        try expectOnly(["login locked"], fixture) { #expect(fixture.login("dave").problemCode == "account_locked") }

        try expectOnly(["revocation account_disabled"], fixture) {
            let update = fixture.call("PATCH", "/api/users/\(ids["erin"]!)", json: #"{"active":false}"#, token: admin)
            #expect(update.status == .ok)
        }
        try expectOnly(["login disabled"], fixture) { #expect(fixture.login("erin").problemCode == "account_disabled") }

        let fred = try fixture.tokens("fred").access
        try expectOnly(["revocation session"], fixture) {
            guard case .array(let sessions)? = fixture.call("GET", "/api/auth/sessions", token: fred).member("items"),
                case .object(let session)? = sessions.first, case .string(let id)? = session["id"]
            else { throw FixtureError.noID("session") }
            #expect(fixture.call("DELETE", "/api/auth/sessions/\(id)", token: fred).status == .noContent)
        }
        let freshFred = try fixture.tokens("fred").access
        try expectOnly(["revocation password_change"], fixture) {
            let change = fixture.call(
                "POST", "/api/auth/password/change",
                json: #"{"current_password":"correct horse","new_password":"new secret 1"}"#, token: freshFred)
            #expect(change.status == .ok)
        }
        try expectOnly(["revocation user_sessions"], fixture) {
            #expect(fixture.call("DELETE", "/api/users/\(ids["fred"]!)/sessions", token: admin).status == .noContent)
        }

        _ = fixture.call("POST", "/api/auth/password/forgot", json: #"{"email":"gina@example.com"}"#)
        fixture.service.mailer.drain(seconds: 5)
        let mail = try #require(fixture.mail.messages.last?.body)
        let line = try #require(mail.split(separator: "\n").first { $0.hasPrefix("Reset token: ") })
        try expectOnly(["revocation password_reset"], fixture) {
            let reset = fixture.call(
                "POST", "/api/auth/password/reset",
                json: #"{"token":"\#(line.dropFirst("Reset token: ".count))","new_password":"brand new pass"}"#)
            #expect(reset.status == .ok)
        }
        try expectOnly(["revocation user_deleted"], fixture) {
            #expect(fixture.call("DELETE", "/api/users/\(ids["gina"]!)", token: admin).status == .noContent)
        }
    }

    @Test(arguments: StoreKind.allCases) func anUnverifiedAddressIsItsOwnOutcome(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind, keepsMetrics: true) { $0.emailVerification = .required }
        fixture.register("hank")
        try expectOnly(["login email_not_verified"], fixture) {
            #expect(fixture.login("hank").problemCode == "email_not_verified")
        }
    }

    @Test(arguments: StoreKind.allCases) func mailsSentAndGivenUpOn(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        let metrics = Metrics(startTime: 0)
        let mailer = Mailer(transport: fixture.mail, logger: fixture.log.logger, metrics: metrics, retryDelays: [0.01])
        let message = MailMessage(from: "a@example.com", to: "b@example.com", subject: "s", body: "b", date: 0)
        fixture.mail.failNext(1)
        mailer.send(message, requestID: "retried")
        #expect(mailer.drain(seconds: 5))
        fixture.mail.failNext(2)
        mailer.send(message, requestID: "lost")
        #expect(mailer.drain(seconds: 5))
        #expect(metrics.value(MailOutcome.sent) == 1)
        #expect(metrics.value(MailOutcome.failed) == 1)
    }

    enum FixtureError: Error {
        case noID(String)
    }
}
