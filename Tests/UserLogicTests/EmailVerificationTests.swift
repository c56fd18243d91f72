import Testing

@testable import UserCore
@testable import UserLogic

/// Email verification (contract §3, v2) through `Service.respond`, with mail captured in
/// memory: the mail at sign-up, verify, resend, the `required` login rule, address changes,
/// the admin-only field and the list filter.
@Suite struct EmailVerificationTests {
    /// A fixture under `mode` with an admin "root" (id 1, verified by the admin route) and
    /// users "alice" (2) and "bob" (3), and no mail captured yet.
    func fixture(
        _ kind: StoreKind, _ mode: EmailVerificationMode = .optional,
        adjust: (inout ServiceConfiguration) -> Void = { _ in }
    ) throws
        -> ServiceFixture
    {
        let fixture = try ServiceFixture(kind) {
            $0.adminRegistrationKey = "key"
            $0.emailVerification = mode
            adjust(&$0)
        }
        fixture.register("root", extra: #","admin_key":"key""#)
        _ = try fixture.connection().run("UPDATE users SET email_verified = TRUE WHERE id = 1", [])
        fixture.register("alice")
        fixture.register("bob")
        return fixture
    }

    func verify(_ fixture: ServiceFixture, _ token: String) -> Response {
        fixture.call("POST", "/api/auth/email/verify", json: #"{"token":"\#(token)"}"#)
    }

    func resend(_ fixture: ServiceFixture, _ email: String) -> Response {
        fixture.call("POST", "/api/auth/email/resend", json: #"{"email":"\#(email)"}"#)
    }

    /// The mails delivered so far.
    func mails(_ fixture: ServiceFixture) -> [MailMessage] {
        fixture.service.mailer.drain(seconds: 5)
        return fixture.mail.messages
    }

    /// The token of the newest verification mail to `address`, read from its line.
    func token(to address: String, in fixture: ServiceFixture) throws -> String {
        let mail = try #require(mails(fixture).last { $0.to == address && $0.subject == "Verify your email address" })
        let line = try #require(mail.body.split(separator: "\n").first { $0.hasPrefix("Verification token: ") })
        return String(line.dropFirst("Verification token: ".count))
    }

    @Test(arguments: StoreKind.allCases) func registrationMailsATokenThatVerifiesOnce(kind: StoreKind) throws {
        let fixture = try fixture(kind)
        #expect(fixture.register("carl").member("user", "email_verified") == false)
        let token = try token(to: "carl@example.com", in: fixture)
        #expect(token.count == 43)
        let mail = try #require(mails(fixture).last)
        #expect(mail.body.contains("http://localhost:8080/verify-email?token=\(token)"))
        #expect(mail.body.contains("within 24 hours"))
        var stored: [String] = []
        try fixture.connection().query("SELECT token_hash FROM verification_tokens WHERE user_id = 4", []) {
            stored.append($0.text(0))
        }
        #expect(stored == [PasswordResetHandlers.hash(token)])
        let verified = verify(fixture, token)
        #expect(verified.status == .ok)
        #expect(verified.member("user", "email_verified") == true)
        #expect(verified.member("user", "username") == "carl")
        #expect(fixture.log.text.contains(#""event":"email_verified""#))
        #expect(!fixture.log.text.contains(token))
        #expect(verify(fixture, token).problemCode == "verification_token_invalid")
        #expect(verify(fixture, "made-up").status == .badRequest)
        #expect(
            fixture.call("POST", "/api/auth/email/verify", json: #"{"token":5}"#)
                .bodyText.contains(#""field":"token","code":"invalid_type""#))
    }

    @Test(arguments: StoreKind.allCases) func tokensExpireAndNewerOnesVoidOlder(kind: StoreKind) throws {
        let fixture = try fixture(kind) { $0.emailTokenLifetime = 60 }
        let first = try token(to: "alice@example.com", in: fixture)
        #expect(resend(fixture, "alice@example.com").status == .accepted)
        let second = try token(to: "alice@example.com", in: fixture)
        #expect(first != second)
        #expect(verify(fixture, first).problemCode == "verification_token_invalid")
        fixture.clock.advance(60)
        #expect(verify(fixture, second).problemCode == "verification_token_invalid")
    }

    @Test(arguments: StoreKind.allCases) func offMailsNothing(kind: StoreKind) throws {
        let fixture = try fixture(kind, .off)
        #expect(resend(fixture, "alice@example.com").status == .accepted)
        #expect(mails(fixture).isEmpty)
        #expect(fixture.login("alice").status == .ok)
    }

    @Test(arguments: StoreKind.allCases) func resendAnswersTheSameAndMailsOnlyWhereDue(kind: StoreKind) throws {
        let fixture = try fixture(kind)
        let admin = try fixture.tokens("root").access
        #expect(fixture.call("PATCH", "/api/users/3", json: #"{"active":false}"#, token: admin).status == .ok)
        let before = mails(fixture).count
        let answers = ["ALICE@example.com", "root@example.com", "nobody@example.com", "bob@example.com"].map {
            resend(fixture, $0)
        }
        #expect(answers.allSatisfy { $0.status == .accepted && $0.body == answers[0].body })
        #expect(mails(fixture).dropFirst(before).map(\.to) == ["alice@example.com"])
        #expect(resend(fixture, "not-an-email").problemCode == "validation_failed")
        let requested = fixture.log.text.split(separator: "\n").filter {
            $0.contains(#""event":"email_verification_requested""#)
        }
        #expect(requested.count == 4)
        #expect(requested.filter { $0.contains(#""mail_sent":true"#) }.count == 1)
    }

    /// Contract §5 (v2): the answer goes out before the address is looked up, so it takes the
    /// same time for every address; the token is written after it.
    @Test(arguments: StoreKind.allCases) func resendAnswersBeforeItLooksTheAddressUp(kind: StoreKind) throws {
        let fixture = try fixture(kind)
        _ = try fixture.connection().run("DELETE FROM verification_tokens", [])
        let tokens = try fixture.rowsAroundAnswer(
            "/api/auth/email/resend", json: #"{"email":"alice@example.com"}"#, table: "verification_tokens")
        #expect(tokens.status == .accepted)
        #expect(tokens.whenSent == 0)
        #expect(tokens.after == 1)
    }

    /// The answer is gone when the follow-up fails: the failure is logged with the request's
    /// id, never shown, and nothing is mailed.
    @Test(arguments: StoreKind.allCases) func aFailedFollowUpIsLogged(kind: StoreKind) throws {
        let fixture = try fixture(kind)
        let before = mails(fixture).count
        _ = try fixture.connection().run("ALTER TABLE verification_tokens RENAME TO verification_tokens_gone", [])
        let answer = resend(fixture, "alice@example.com")
        #expect(answer.status == .accepted)
        let requestID = try #require(answer.header("X-Request-ID"))
        let failures = fixture.log.text.split(separator: "\n").filter { $0.contains(#""event":"follow_up_failed""#) }
        #expect(failures.count == 1)
        #expect(failures.first?.contains(#""request_id":"\#(requestID)""#) == true)
        #expect(mails(fixture).count == before)
    }

    @Test(arguments: StoreKind.allCases) func requiredRefusesUnverifiedLoginsAfterTheOtherChecks(kind: StoreKind) throws
    {
        let fixture = try fixture(kind, .required) { $0.lockoutThreshold = 3 }
        let admin = try fixture.tokens("root").access
        // A session opened before verification became required keeps working: the service
        // only refuses new logins.
        _ = try fixture.connection().run("UPDATE users SET email_verified = TRUE WHERE id = 3", [])
        let bob = try fixture.tokens("bob")
        _ = try fixture.connection().run("UPDATE users SET email_verified = FALSE WHERE id = 3", [])
        #expect(fixture.call("GET", "/api/auth/whoami", token: bob.access).status == .ok)
        #expect(
            fixture.call("POST", "/api/auth/refresh", token: bob.refresh).status == .ok)

        #expect(fixture.login("alice", password: "wrong password").problemCode == "invalid_credentials")
        let refused = fixture.login("alice")
        #expect(refused.status == .forbidden)
        #expect(refused.problemCode == "email_not_verified")
        // The right password is no failure: two more wrong ones don't reach the threshold of 3.
        for _ in 1...2 { #expect(fixture.login("alice", password: "wrong password").status == .unauthorized) }
        #expect(fixture.login("alice").problemCode == "email_not_verified")
        #expect(fixture.log.text.contains(#""reason":"email_not_verified""#))
        // Disabled comes first.
        #expect(fixture.call("PATCH", "/api/users/2", json: #"{"active":false}"#, token: admin).status == .ok)
        #expect(fixture.login("alice").problemCode == "account_disabled")
        #expect(fixture.call("PATCH", "/api/users/2", json: #"{"active":true}"#, token: admin).status == .ok)
        _ = resend(fixture, "alice@example.com")
        #expect(verify(fixture, try token(to: "alice@example.com", in: fixture)).status == .ok)
        #expect(fixture.login("alice").status == .ok)
    }

    @Test(arguments: StoreKind.allCases) func optionalRefusesNothing(kind: StoreKind) throws {
        let fixture = try fixture(kind, .optional)
        #expect(fixture.login("alice").status == .ok)
    }

    @Test(arguments: StoreKind.allCases) func disablingAndAddressChangesVoidTokens(kind: StoreKind) throws {
        let fixture = try fixture(kind)
        let admin = try fixture.tokens("root").access
        let alices = try token(to: "alice@example.com", in: fixture)
        #expect(fixture.call("PATCH", "/api/users/2", json: #"{"active":false}"#, token: admin).status == .ok)
        #expect(fixture.call("PATCH", "/api/users/2", json: #"{"active":true}"#, token: admin).status == .ok)
        #expect(verify(fixture, alices).problemCode == "verification_token_invalid")

        // A disabled account's token is invalid even when it was written past the store.
        let bobs = try token(to: "bob@example.com", in: fixture)
        _ = try fixture.connection().run("UPDATE users SET active = FALSE WHERE id = 3", [])
        #expect(verify(fixture, bobs).problemCode == "verification_token_invalid")
        _ = try fixture.connection().run("UPDATE users SET active = TRUE WHERE id = 3", [])

        // A verified user changes its address: unverified, the old token void, a new one mailed
        // to the new address, the notice to the old one names the new one partly.
        #expect(verify(fixture, bobs).status == .ok)
        _ = resend(fixture, "alice@example.com")
        let old = try token(to: "alice@example.com", in: fixture)
        let alice = try fixture.tokens("alice").access
        let changed = fixture.call(
            "PATCH", "/api/users/2", json: #"{"email":"zed@example.org","current_password":"correct horse"}"#,
            token: alice)
        #expect(changed.status == .ok)
        #expect(changed.member("user", "email_verified") == false)
        #expect(verify(fixture, old).problemCode == "verification_token_invalid")
        let notice = try #require(mails(fixture).last { $0.subject == "Your email address was changed" })
        #expect(notice.to == "alice@example.com")
        #expect(notice.body.contains("z***@example.org"))
        #expect(!notice.body.contains("zed@"))
        #expect(verify(fixture, try token(to: "zed@example.org", in: fixture)).status == .ok)
        #expect(fixture.call("GET", "/api/users/2", token: alice).member("user", "email_verified") == true)
    }

    @Test(arguments: StoreKind.allCases) func onlyAnAdminSendsEmailVerified(kind: StoreKind) throws {
        let fixture = try fixture(kind)
        let admin = try fixture.tokens("root").access
        let alice = try fixture.tokens("alice").access
        for value in ["true", "false"] {
            let refused = fixture.call("PATCH", "/api/users/2", json: #"{"email_verified":\#(value)}"#, token: alice)
            #expect(refused.problemCode == "forbidden")
        }
        #expect(
            fixture.call("PATCH", "/api/users/2", json: #"{"email_verified":"yes"}"#, token: admin)
                .problemCode == "validation_failed")
        let marked = fixture.call("PUT", "/api/users/2", json: #"{"email_verified":true}"#, token: admin)
        #expect(marked.member("user", "email_verified") == true)
        #expect(fixture.log.text.contains(#""changes":{"email_verified":true}"#))

        // An admin's new address marked verified: no verification mail, the notice still goes.
        let before = mails(fixture).count
        let moved = fixture.call(
            "PATCH", "/api/users/3", json: #"{"email":"bob@example.net","email_verified":true}"#, token: admin)
        #expect(moved.member("user", "email_verified") == true)
        #expect(mails(fixture).dropFirst(before).map(\.subject) == ["Your email address was changed"])
        // Without it the new address is unverified and gets a token.
        let again = fixture.call("PATCH", "/api/users/3", json: #"{"email":"bob@example.com"}"#, token: admin)
        #expect(again.member("user", "email_verified") == false)
        #expect(
            mails(fixture).dropFirst(before + 1).map(\.subject) == [
                "Your email address was changed", "Verify your email address",
            ])
    }

    @Test(arguments: StoreKind.allCases) func adminCreateMailsUnlessMarkedVerified(kind: StoreKind) throws {
        let fixture = try fixture(kind)
        let admin = try fixture.tokens("root").access
        let alice = try fixture.tokens("alice").access
        let before = mails(fixture).count
        let marked = fixture.call(
            "POST", "/api/users",
            json: #"{"username":"dan","email":"dan@example.com","password":"correct horse","email_verified":true}"#,
            token: admin)
        #expect(marked.status == .created)
        #expect(marked.member("user", "email_verified") == true)
        let plain = fixture.call(
            "POST", "/api/users", json: #"{"username":"eve","email":"eve@example.com","password":"correct horse"}"#,
            token: admin)
        #expect(plain.member("user", "email_verified") == false)
        #expect(mails(fixture).dropFirst(before).map(\.to) == ["eve@example.com"])
        #expect(
            fixture.call(
                "POST", "/api/users",
                json: #"{"username":"fay","email":"fay@example.com","password":"correct horse","email_verified":true}"#,
                token: alice
            ).problemCode == "forbidden")
    }

    @Test(arguments: StoreKind.allCases) func theListFiltersOnEmailVerified(kind: StoreKind) throws {
        let fixture = try fixture(kind)
        let admin = try fixture.tokens("root").access
        func list(_ query: String) -> Response { fixture.listUsers(query, token: admin) }
        func ids(_ response: Response) -> [JSONValue] {
            guard case .array(let items)? = response.member("items") else { return [] }
            return items.compactMap { item in
                guard case .object(let object) = item else { return nil }
                return object["id"]
            }
        }
        #expect(ids(list("email_verified=true")) == [1])
        #expect(ids(list("email_verified=false")) == [2, 3])
        #expect(list("email_verified=false").member("total") == 2)
        let bad = list("email_verified=yes")
        #expect(bad.status == .unprocessableContent)
        #expect(bad.bodyText.contains(#""field":"email_verified","code":"invalid_value""#))
    }
}
