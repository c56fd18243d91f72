import Testing

@testable import UserCore
@testable import UserLogic

/// Forgot and reset (contract §3) through `Service.respond`, with mail captured in memory.
/// Where a test counts mails, verification is off: registration mails no token then.
@Suite struct PasswordResetTests {
    func forgot(_ fixture: ServiceFixture, _ email: String) -> Response {
        fixture.call("POST", "/api/auth/password/forgot", json: #"{"email":"\#(email)"}"#)
    }

    func reset(_ fixture: ServiceFixture, token: String, password: String = "brand new pass") -> Response {
        fixture.call("POST", "/api/auth/password/reset", json: #"{"token":"\#(token)","new_password":"\#(password)"}"#)
    }

    /// The token of the newest reset mail, read from its `Reset token:` line.
    func token(in fixture: ServiceFixture) throws -> String {
        fixture.service.mailer.drain(seconds: 5)
        let body = try #require(fixture.mail.messages.last?.body)
        let line = try #require(body.split(separator: "\n").first { $0.hasPrefix("Reset token: ") })
        return String(line.dropFirst("Reset token: ".count))
    }

    @Test(arguments: StoreKind.allCases) func forgotAnswersTheSameForEveryAddress(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind) { $0.emailVerification = .off }
        fixture.register("alice")
        let known = forgot(fixture, "ALICE@example.com")
        let unknown = forgot(fixture, "nobody@example.com")
        #expect(known.status == .accepted)
        #expect(known.body == unknown.body)
        #expect(forgot(fixture, "not-an-email").problemCode == "validation_failed")
        fixture.service.mailer.drain(seconds: 5)
        #expect(fixture.mail.messages.count == 1)
        let mail = try #require(fixture.mail.messages.first)
        #expect(mail.to == "alice@example.com")
        let token = try token(in: fixture)
        #expect(token.count >= 22)
        #expect(mail.body.contains("http://localhost:8080/reset-password?token=\(token)"))
        let text = String(decoding: mail.rfc5322(), as: UTF8.self)
        for header in ["From: ", "To: alice@example.com", "Subject: ", "Date: ", "Message-ID: <"] {
            #expect(text.contains("\r\n" + header) || text.hasPrefix(header), "\(header)")
        }
        let connection = try fixture.connection()
        var stored: [String] = []
        try connection.query("SELECT token_hash FROM reset_tokens", []) { stored.append($0.text(0)) }
        #expect(stored == [PasswordResetHandlers.hash(token)])
    }

    /// Contract §5 (v2): the answer goes out before the address is looked up, so it takes
    /// the same time for every address; the token is written after it.
    @Test(arguments: StoreKind.allCases) func forgotAnswersBeforeItLooksTheAddressUp(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind) { $0.emailVerification = .off }
        fixture.register("alice")
        let tokens = try fixture.rowsAroundAnswer(
            "/api/auth/password/forgot", json: #"{"email":"alice@example.com"}"#, table: "reset_tokens")
        #expect(tokens.status == .accepted)
        #expect(tokens.whenSent == 0)
        #expect(tokens.after == 1)
        fixture.service.mailer.drain(seconds: 5)
        #expect(fixture.mail.messages.map(\.to) == ["alice@example.com"])
    }

    @Test(arguments: StoreKind.allCases) func disabledAccountsGetNoMail(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind) { $0.emailVerification = .off }
        fixture.register("alice")
        let connection = try fixture.connection()
        _ = try connection.run("UPDATE users SET active = FALSE", [])
        #expect(forgot(fixture, "alice@example.com").status == .accepted)
        fixture.service.mailer.drain(seconds: 5)
        #expect(fixture.mail.messages.isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func resetRevokesSessionsClearsTheLockAndIsSingleUse(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind) { $0.lockoutThreshold = 2 }
        fixture.register("alice")
        let (access, _) = try fixture.tokens("alice")
        for _ in 1...2 { _ = fixture.login("alice", password: "wrong password") }
        #expect(fixture.login("alice").status == .locked)
        _ = forgot(fixture, "alice@example.com")
        let token = try token(in: fixture)
        #expect(reset(fixture, token: token, password: "short").problemCode == "validation_failed")
        #expect(reset(fixture, token: token, password: "alice@example.com").bodyText.contains("too_similar"))
        #expect(reset(fixture, token: token).status == .ok)
        #expect(fixture.call("GET", "/api/auth/whoami", token: access).problemCode == "token_revoked")
        #expect(fixture.login("alice", password: "brand new pass").status == .ok)
        #expect(reset(fixture, token: token, password: "another pass 1").problemCode == "reset_token_invalid")
        fixture.service.mailer.drain(seconds: 5)
        #expect(fixture.mail.messages.last?.subject == "Your password was changed")
    }

    @Test(arguments: StoreKind.allCases) func newerRequestsVoidOlderTokensAndTokensExpire(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind) { $0.resetTokenLifetime = 60 }
        fixture.register("alice")
        _ = forgot(fixture, "alice@example.com")
        let first = try token(in: fixture)
        _ = forgot(fixture, "alice@example.com")
        let second = try token(in: fixture)
        #expect(reset(fixture, token: first).problemCode == "reset_token_invalid")
        fixture.clock.advance(60)
        #expect(reset(fixture, token: second).problemCode == "reset_token_invalid")
        #expect(reset(fixture, token: "made-up").problemCode == "reset_token_invalid")
        #expect(
            fixture.call("POST", "/api/auth/password/reset", json: #"{"token":5,"new_password":"x"}"#)
                .bodyText.contains(#""field":"token","code":"invalid_type""#))
    }

    /// Security (v2): a password change, an email change and disabling void reset tokens.
    @Test(arguments: StoreKind.allCases) func accountChangesVoidResetTokens(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind) { $0.adminRegistrationKey = "key" }
        fixture.register("root", extra: #","admin_key":"key""#)
        fixture.register("alice")
        let admin = try fixture.tokens("root").access
        let alice = try fixture.tokens("alice").access
        _ = forgot(fixture, "alice@example.com")
        let beforeChange = try token(in: fixture)
        let changed = fixture.call(
            "POST", "/api/auth/password/change",
            json: #"{"current_password":"correct horse","new_password":"new secret 1"}"#, token: alice)
        #expect(changed.status == .ok)
        #expect(reset(fixture, token: beforeChange).problemCode == "reset_token_invalid")

        _ = forgot(fixture, "alice@example.com")
        let beforeEmail = try token(in: fixture)
        let patch = #"{"email":"alice2@example.com"}"#
        #expect(fixture.call("PATCH", "/api/users/2", json: patch, token: admin).status == .ok)
        #expect(reset(fixture, token: beforeEmail).problemCode == "reset_token_invalid")

        _ = forgot(fixture, "alice2@example.com")
        let beforeDisable = try token(in: fixture)
        #expect(fixture.call("PATCH", "/api/users/2", json: #"{"active":false}"#, token: admin).status == .ok)
        #expect(fixture.call("PATCH", "/api/users/2", json: #"{"active":true}"#, token: admin).status == .ok)
        #expect(reset(fixture, token: beforeDisable).problemCode == "reset_token_invalid")
        #expect(fixture.login("alice", password: "new secret 1").status == .ok)
    }

    /// Security (v2): a reset of a disabled account is refused and changes nothing.
    @Test(arguments: StoreKind.allCases) func disabledAccountsCantBeReset(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind) { $0.emailVerification = .off }
        fixture.register("alice")
        _ = forgot(fixture, "alice@example.com")
        let token = try token(in: fixture)
        let connection = try fixture.connection()
        _ = try connection.run("UPDATE users SET active = FALSE", [])
        #expect(reset(fixture, token: token).problemCode == "reset_token_invalid")
        _ = try connection.run("UPDATE users SET active = TRUE", [])
        #expect(fixture.login("alice", password: "brand new pass").problemCode == "invalid_credentials")
        #expect(fixture.login("alice").status == .ok)
    }

    @Test(arguments: StoreKind.allCases) func failedDeliveriesAreRetriedAndLogged(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind) { $0.emailVerification = .off }
        fixture.register("alice")
        let mailer = Mailer(transport: fixture.mail, logger: fixture.log.logger, retryDelays: [0.01, 0.01])
        fixture.mail.failNext(2)
        mailer.send(
            MailMessage(from: "a@example.com", to: "b@example.com", subject: "s", body: "b", date: 0),
            requestID: "rid-mail")
        #expect(mailer.drain(seconds: 5))
        #expect(fixture.mail.messages.count == 1)
        #expect(fixture.log.text.contains(#""event":"mail_failed","request_id":"rid-mail""#))
        fixture.mail.failNext(3)
        mailer.send(
            MailMessage(from: "a@example.com", to: "b@example.com", subject: "s", body: "b", date: 0),
            requestID: "rid-lost")
        #expect(mailer.drain(seconds: 5))
        #expect(fixture.mail.messages.count == 1)
        #expect(fixture.log.text.contains(#""will_retry":false"#))
    }

    @Test(arguments: StoreKind.allCases) func passwordChangeSendsANotice(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind) { $0.emailVerification = .off }
        fixture.register("alice")
        let (access, _) = try fixture.tokens("alice")
        _ = fixture.call(
            "POST", "/api/auth/password/change",
            json: #"{"current_password":"correct horse","new_password":"new secret 1"}"#,
            token: access)
        fixture.service.mailer.drain(seconds: 5)
        #expect(fixture.mail.messages.map(\.subject) == ["Your password was changed"])
    }

    @Test func mailSettings() throws {
        #expect(try MailSettings.parse("file:///var/mail") == .directory("/var/mail"))
        #expect(
            try MailSettings.parse("smtp://user:p%40ss@mail.example.com:587")
                == .smtp(
                    SMTPServer(
                        implicitTLS: false, host: "mail.example.com", port: 587, username: "user", password: "p@ss")))
        #expect(
            try MailSettings.parse("smtps://mail.example.com")
                == .smtp(
                    SMTPServer(implicitTLS: true, host: "mail.example.com", port: 465, username: nil, password: nil)))
        for bad in ["file://relative", "http://x", "smtp://", "smtp://host:0", "smtp://host:abc"] {
            #expect(throws: ConfigError.self) { try MailSettings.parse(bad) }
        }
    }

    /// Contract §5 Security (v2): credentials over `smtp://` need STARTTLS unless the URL
    /// says `?starttls=optional`; no credentials, or `smtps://`, keep today's behaviour.
    @Test func startTLSIsRequiredWithCredentials() throws {
        func server(_ url: String) throws -> SMTPServer {
            guard case .smtp(let server) = try MailSettings.parse(url) else { throw ConfigError("MAIL_URL", url) }
            return server
        }
        #expect(try server("smtp://user:pass@mail.example.com:587").requiresSTARTTLS)
        #expect(try !server("smtp://user:pass@mail.example.com:587?starttls=optional").requiresSTARTTLS)
        #expect(try server("smtp://user:pass@mail.example.com/?starttls=optional").startTLSOptional)
        #expect(try !server("smtp://mail.example.com").requiresSTARTTLS)
        #expect(try !server("smtps://user:pass@mail.example.com").requiresSTARTTLS)
        for bad in ["smtp://u:p@host?starttls=no", "smtp://u:p@host?starttls=optional&x=1", "smtp://host?"] {
            #expect(throws: ConfigError("MAIL_URL", "takes no query but ?starttls=optional")) {
                try MailSettings.parse(bad)
            }
        }
    }

    @Test func rfc5322Rendering() {
        let message = MailMessage(
            from: "Auth <no-reply@example.com>", to: "a@example.com", subject: "Hi\r\nBcc: evil@example.com",
            body: "one\ntwo",
            date: 1_795_695_981)
        let text = String(decoding: message.rfc5322(), as: UTF8.self)
        #expect(text.contains("Subject: Hi Bcc: evil@example.com\r\n"))
        #expect(text.contains("Date: Thu, 26 Nov 2026 12:26:21 +0000\r\n"))
        #expect(text.hasSuffix("\r\n\r\none\r\ntwo\r\n"))
        #expect(message.envelopeFrom == "no-reply@example.com")
        #expect(message.messageID.hasSuffix("@example.com>"))
    }
}
