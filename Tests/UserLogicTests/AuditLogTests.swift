import Testing
import UserCore

@testable import UserLogic

/// The audit events of contract issue 6: each auth event and admin action, with the request
/// id, and no secret anywhere in the log.
@Suite struct AuditLogTests {
    @Test(arguments: StoreKind.allCases) func authEventsAreLoggedWithoutSecrets(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind) { $0.adminRegistrationKey = "admin-key-value" }
        fixture.register("root", password: "root password 1", extra: #","admin_key":"admin-key-value""#)
        fixture.register("alice")
        let (access, refresh) = try fixture.tokens("alice")
        _ = fixture.login("alice", password: "wrong password")
        _ = fixture.call("POST", "/api/auth/refresh", token: refresh)
        _ = fixture.call("POST", "/api/auth/refresh", token: refresh)
        let rootAccess = try fixture.tokens("root", password: "root password 1").access
        _ = fixture.call("PATCH", "/api/users/2", json: #"{"role":"ADMIN"}"#, token: rootAccess)
        _ = fixture.call("POST", "/api/auth/password/forgot", json: #"{"email":"alice@example.com"}"#)
        // The reuse above revoked alice's first session: log out of a new one.
        #expect(
            fixture.call("POST", "/api/auth/logout", token: try fixture.tokens("alice").access).status == .noContent)
        let log = fixture.log.text
        for event in [
            "user_registered", "login_succeeded", "login_failed", "token_refreshed", "refresh_reuse_detected",
            "user_updated", "password_reset_requested", "logged_out",
        ] {
            #expect(log.contains(#""event":"\#(event)""#), "\(event)")
        }
        #expect(log.contains(#""event":"user_updated","request_id":"#))
        #expect(log.contains(#""target_id":2,"changes":{"role":"ADMIN"}"#))
        for secret in ["correct horse", "wrong password", "root password 1", "admin-key-value", access, refresh] {
            #expect(!log.contains(secret), "a secret reached the log")
        }
        fixture.service.mailer.drain(seconds: 5)
        let mailed = try #require(fixture.mail.messages.last?.body)
        let token = try #require(mailed.split(separator: "\n").first { $0.hasPrefix("Reset token: ") }?.dropFirst(13))
        #expect(!fixture.log.text.contains(token))
    }

    /// Contract §5 Security (v2): the wrong `current_password` that reaches the threshold
    /// writes the `account_locked` line a login does, once, on both routes that check it.
    @Test(arguments: StoreKind.allCases) func wrongCurrentPasswordsLogTheLock(kind: StoreKind) throws {
        let routes = [
            ("POST", "/api/auth/password/change", #"{"current_password":"nope nope","new_password":"new secret 1"}"#),
            ("PATCH", "/api/users/1", #"{"email":"new@example.com","current_password":"nope nope"}"#),
        ]
        for (method, path, json) in routes {
            let fixture = try ServiceFixture(kind) {
                $0.lockoutThreshold = 3
                $0.lockoutSeconds = 60
            }
            fixture.register("alice")
            let access = try fixture.tokens("alice").access
            let answers = (1...4).map { _ in fixture.call(method, path, json: json, token: access).status }
            #expect(answers == [.forbidden, .forbidden, .forbidden, .locked], "\(path)")
            let locks = fixture.log.text.split(separator: "\n").filter { $0.contains(#""event":"account_locked""#) }
            #expect(locks.count == 1, "\(path)")
            #expect(locks.first?.contains(#""user_id":1,"#) == true, "\(path)")
            let until = Timestamp.rfc3339(fixture.clock.now + 60)
            #expect(locks.first?.contains(#""locked_until":"\#(until)""#) == true, "\(path)")
            #expect(!fixture.log.text.contains("nope nope"), "a password reached the log")
        }
    }

    @Test(arguments: StoreKind.allCases) func forgedLinesAreEscaped(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        _ = fixture.call(
            "POST", "/api/auth/login",
            json: #"{"username":"x\n{\"event\":\"forged\"}\u2028","password":"whatever pass"}"#)
        let lines = fixture.log.text.split(separator: "\n")
        #expect(lines.allSatisfy { $0.hasPrefix(#"{"time":"#) })
    }
}
