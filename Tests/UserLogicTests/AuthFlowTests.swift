import Testing

@testable import UserCore
@testable import UserLogic

/// The accounts and sessions rows of contract §3 through `Service.respond`, without sockets.
@Suite struct AuthFlowTests {
    @Test(arguments: StoreKind.allCases) func registerCreatesAUser(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        let response = fixture.register("alice", extra: #","first_name":"Alice","last_name":null"#)
        #expect(response.status == .created)
        #expect(response.header("Location") == "/api/users/1")
        #expect(response.member("user", "username") == "alice")
        #expect(response.member("user", "email") == "alice@example.com")
        #expect(response.member("user", "first_name") == "Alice")
        #expect(response.member("user", "last_name") == .null)
        #expect(response.member("user", "role") == "USER")
        #expect(response.member("user", "active") == true)
        #expect(response.member("user", "last_login_at") == .null)
        #expect(response.member("user", "locked_until") == nil)
        #expect(!response.bodyText.contains("password"))
    }

    @Test(arguments: StoreKind.allCases) func registerValidatesEveryFieldAtOnce(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        let response = fixture.call(
            "POST", "/api/auth/register",
            json: #"{"username":"x","email":"nope","password":"short","age":3,"first_name":7}"#)
        #expect(response.status == .unprocessableContent)
        guard case .array(let errors)? = response.member("errors") else {
            Issue.record("no errors")
            return
        }
        let pairs = errors.compactMap { error -> String? in
            guard case .object(let object) = error, case .string(let field)? = object["field"],
                case .string(let code)? = object["code"]
            else { return nil }
            return "\(field):\(code)"
        }
        #expect(
            pairs.sorted() == [
                "age:unknown_field", "email:invalid_format", "first_name:invalid_type", "password:too_short",
                "username:too_short",
            ])
    }

    @Test(arguments: StoreKind.allCases) func duplicatesConflict(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        fixture.register("alice")
        #expect(fixture.register("ALICE").problemCode == "username_taken")
        let sameEmail = fixture.call(
            "POST", "/api/auth/register",
            json: #"{"username":"bob","email":"Alice@Example.com","password":"correct horse"}"#)
        #expect(sameEmail.status == .conflict)
        #expect(sameEmail.problemCode == "email_taken")
    }

    @Test(arguments: StoreKind.allCases) func adminKeyAndClosedRegistration(kind: StoreKind) throws {
        let open = try ServiceFixture(kind) { $0.adminRegistrationKey = "let-me-in" }
        #expect(open.register("root", extra: #","admin_key":"let-me-in""#).member("user", "role") == "ADMIN")
        #expect(open.register("eve", extra: #","admin_key":"guess""#).problemCode == "admin_key_invalid")
        let keyless = try ServiceFixture(kind)
        #expect(keyless.register("eve", extra: #","admin_key":"anything""#).problemCode == "admin_key_invalid")
        let closed = try ServiceFixture(kind) { $0.registrationOpen = false }
        #expect(closed.register("eve", extra: #","admin_key":"x""#).problemCode == "registration_closed")
        // registration_closed comes before body checks (contract §5 step 4).
        #expect(closed.call("POST", "/api/auth/register", json: "{").problemCode == "registration_closed")
    }

    @Test(arguments: StoreKind.allCases) func loginWhoamiAndTheUserRow(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        fixture.register("alice")
        let login = fixture.login("Alice")
        #expect(login.status == .ok)
        #expect(login.member("token_type") == "Bearer")
        #expect(login.member("expires_in") == 900)
        #expect(login.member("user", "last_login_at") == .string(Timestamp.rfc3339(fixture.clock.now)))
        let (access, refresh) = try fixture.tokens("alice")
        let whoami = fixture.call("GET", "/api/auth/whoami", token: access)
        #expect(whoami.status == .ok)
        #expect(whoami.member("user", "username") == "alice")
        #expect(fixture.call("GET", "/api/users/me", token: access).status == .ok)
        #expect(fixture.call("GET", "/api/auth/whoami", token: refresh).problemCode == "token_wrong_type")
        #expect(fixture.call("POST", "/api/auth/refresh", token: access).problemCode == "token_wrong_type")
    }

    @Test(arguments: StoreKind.allCases) func loginNeedsExactlyOneIdentifier(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        let neither = fixture.call("POST", "/api/auth/login", json: #"{"password":"x"}"#)
        #expect(
            neither.member("errors") == [
                .object(["field": "username", "code": "required", "message": "Send username or email."])
            ])
        let both = fixture.call("POST", "/api/auth/login", json: #"{"username":"a","email":"a@b.c","password":"x"}"#)
        #expect(both.status == .unprocessableContent)
        #expect(both.bodyText.contains(#""field":"username","code":"invalid_value""#))
    }

    @Test(arguments: StoreKind.allCases) func wrongPasswordAndUnknownUserLookTheSame(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        fixture.register("alice")
        let wrong = fixture.login("alice", password: "wrong password")
        let unknown = fixture.login("nobody", password: "wrong password")
        #expect(wrong.status == .unauthorized)
        #expect(wrong.body == unknown.body)
        #expect(wrong.header("WWW-Authenticate") == "Bearer")
        let byEmail = fixture.call(
            "POST", "/api/auth/login", json: #"{"email":"ALICE@example.com","password":"correct horse"}"#)
        #expect(byEmail.status == .ok)
    }

    @Test(arguments: StoreKind.allCases) func lockoutAfterTheThresholdWithRetryAfter(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind) {
            $0.lockoutThreshold = 3
            $0.lockoutSeconds = 60
        }
        fixture.register("alice")
        for _ in 1...3 { #expect(fixture.login("alice", password: "wrong password").status == .unauthorized) }
        let locked = fixture.login("alice")
        #expect(locked.status == .locked)
        #expect(locked.problemCode == "account_locked")
        #expect(locked.header("Retry-After") == "60")
        fixture.clock.advance(45)
        #expect(fixture.login("alice", password: "wrong password").header("Retry-After") == "15")
        fixture.clock.advance(15)
        #expect(fixture.login("alice").status == .ok)
    }

    @Test(arguments: StoreKind.allCases) func disabledAccountsOnlyShowWithTheRightPassword(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        fixture.register("alice")
        let (access, refresh) = try fixture.tokens("alice")
        let connection = try fixture.connection()
        _ = try connection.run("UPDATE users SET active = FALSE", [])
        #expect(fixture.login("alice", password: "wrong password").problemCode == "invalid_credentials")
        #expect(fixture.login("alice").problemCode == "account_disabled")
        #expect(fixture.call("GET", "/api/auth/whoami", token: access).problemCode == "account_disabled")
        #expect(fixture.call("POST", "/api/auth/refresh", token: refresh).problemCode == "account_disabled")
    }

    @Test(arguments: StoreKind.allCases) func refreshRotatesAndReuseRevokesTheSession(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        fixture.register("alice")
        let (access, refresh) = try fixture.tokens("alice")
        fixture.clock.advance(5)
        let rotated = fixture.call("POST", "/api/auth/refresh", token: refresh)
        #expect(rotated.status == .ok)
        guard case .string(let newAccess)? = rotated.member("access_token") else {
            Issue.record("no access token")
            return
        }
        // The previous access token stays valid until it expires.
        #expect(fixture.call("GET", "/api/auth/whoami", token: access).status == .ok)
        let reuse = fixture.call("POST", "/api/auth/refresh", token: refresh)
        #expect(reuse.problemCode == "token_revoked")
        #expect(fixture.call("GET", "/api/auth/whoami", token: newAccess).problemCode == "token_revoked")
        #expect(fixture.log.text.contains("refresh_reuse_detected"))
    }

    @Test(arguments: StoreKind.allCases) func expiryUsesTheLeeway(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        fixture.register("alice")
        let (access, _) = try fixture.tokens("alice")
        fixture.clock.advance(900 + 10)
        #expect(fixture.call("GET", "/api/auth/whoami", token: access).status == .ok)
        fixture.clock.advance(1)
        #expect(fixture.call("GET", "/api/auth/whoami", token: access).problemCode == "token_expired")
    }

    @Test(arguments: StoreKind.allCases) func bearerParsing(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        for header in [nil, "Basic abc", "Bearer", "Bearer ", "token-without-scheme", "Bearer a b"] {
            let request = Request(method: "GET", path: "/api/auth/whoami", authorization: header)
            let response = fixture.service.respond(to: request, on: fixture.thread)
            #expect(response.problemCode == "token_missing", "\(header ?? "nil")")
            #expect(response.header("WWW-Authenticate") == "Bearer")
        }
        fixture.register("alice")
        let (access, _) = try fixture.tokens("alice")
        for header in ["bearer \(access)", "BEARER \t \(access) \t", "Bearer \(access)"] {
            let request = Request(method: "GET", path: "/api/auth/whoami", authorization: header)
            #expect(fixture.service.respond(to: request, on: fixture.thread).status == .ok, "\(header)")
        }
        for header in ["Bearer\(access)", "Bearerx \(access)", "Bearer \(access) x", "Bearer \(access)\n"] {
            let request = Request(method: "GET", path: "/api/auth/whoami", authorization: header)
            #expect(fixture.service.respond(to: request, on: fixture.thread).status != .ok, "\(header)")
        }
        let garbage = fixture.call("GET", "/api/auth/whoami", token: "not.a.jwt")
        #expect(garbage.problemCode == "token_invalid")
        #expect(garbage.header("WWW-Authenticate") == #"Bearer error="invalid_token""#)
    }

    @Test(arguments: StoreKind.allCases) func logoutRevokesTheTokenAndItsSession(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        fixture.register("alice")
        let (access, refresh) = try fixture.tokens("alice")
        let (otherAccess, _) = try fixture.tokens("alice")
        #expect(fixture.call("POST", "/api/auth/logout", token: access).status == .noContent)
        #expect(fixture.call("GET", "/api/auth/whoami", token: access).problemCode == "token_revoked")
        #expect(fixture.call("POST", "/api/auth/refresh", token: refresh).problemCode == "token_revoked")
        #expect(fixture.call("GET", "/api/auth/whoami", token: otherAccess).status == .ok)
        #expect(fixture.call("POST", "/api/auth/logout-all", token: otherAccess).status == .noContent)
        #expect(fixture.call("GET", "/api/auth/whoami", token: otherAccess).problemCode == "token_revoked")
    }

    @Test(arguments: StoreKind.allCases) func passwordChangeKeepsThePresentingSessionOnly(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        fixture.register("alice")
        let (access, refresh) = try fixture.tokens("alice")
        let (otherAccess, _) = try fixture.tokens("alice")
        let wrong = fixture.call(
            "POST", "/api/auth/password/change",
            json: #"{"current_password":"nope nope","new_password":"new secret 1"}"#, token: access)
        #expect(wrong.problemCode == "current_password_incorrect")
        let similar = fixture.call(
            "POST", "/api/auth/password/change",
            json: #"{"current_password":"correct horse","new_password":"ALICE@example.com"}"#,
            token: access)
        #expect(similar.bodyText.contains(#""field":"new_password","code":"too_similar""#))
        let changed = fixture.call(
            "POST", "/api/auth/password/change",
            json: #"{"current_password":"correct horse","new_password":"new secret 1"}"#,
            token: access)
        #expect(changed.status == .ok)
        #expect(fixture.call("GET", "/api/auth/whoami", token: access).status == .ok)
        #expect(fixture.call("GET", "/api/auth/whoami", token: otherAccess).problemCode == "token_revoked")
        #expect(fixture.call("POST", "/api/auth/refresh", token: refresh).problemCode == "token_revoked")
        #expect(fixture.login("alice").problemCode == "invalid_credentials")
        #expect(fixture.login("alice", password: "new secret 1").status == .ok)
    }

    /// Contract §5 Security (v2): a wrong `current_password` counts toward the login lockout,
    /// and while locked the change answers 423 even with the right one.
    @Test(arguments: StoreKind.allCases) func wrongCurrentPasswordsLockTheAccount(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind) {
            $0.lockoutThreshold = 3
            $0.lockoutSeconds = 60
        }
        fixture.register("alice")
        let (access, _) = try fixture.tokens("alice")
        func change(_ current: String) -> Response {
            fixture.call(
                "POST", "/api/auth/password/change",
                json: #"{"current_password":"\#(current)","new_password":"new secret 1"}"#, token: access)
        }
        for _ in 1...3 { #expect(change("nope nope").problemCode == "current_password_incorrect") }
        let locked = change("correct horse")
        #expect(locked.status == .locked)
        #expect(locked.problemCode == "account_locked")
        #expect(locked.header("Retry-After") == "60")
        #expect(fixture.login("alice").status == .locked)
        fixture.clock.advance(60)
        #expect(change("correct horse").status == .ok)
    }

    @Test(arguments: StoreKind.allCases) func sessionsListAndDelete(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        fixture.register("alice")
        fixture.register("bob")
        let (first, _) = try fixture.tokens("alice")
        fixture.clock.advance(1)
        let (second, _) = try fixture.tokens("alice")
        let (bobs, _) = try fixture.tokens("bob")
        let list = fixture.call("GET", "/api/auth/sessions", token: second)
        guard case .array(let items)? = list.member("items"), items.count == 2,
            case .object(let newest) = items[0], case .object(let oldest) = items[1],
            case .string(let oldestID)? = oldest["id"]
        else {
            Issue.record("unexpected list \(list.bodyText)")
            return
        }
        #expect(newest["current"] == true)
        #expect(oldest["current"] == false)
        #expect(oldest["ip"] == "127.0.0.1")
        #expect(oldest["created_at"] == oldest["last_used_at"])
        #expect(
            fixture.call("DELETE", "/api/auth/sessions/\(oldestID)", token: bobs).problemCode == "session_not_found")
        #expect(fixture.call("DELETE", "/api/auth/sessions/\(oldestID)", token: second).status == .noContent)
        #expect(
            fixture.call("DELETE", "/api/auth/sessions/\(oldestID)", token: second).problemCode == "session_not_found")
        #expect(fixture.call("GET", "/api/auth/whoami", token: first).problemCode == "token_revoked")
    }

    @Test(arguments: StoreKind.allCases) func deletedUsersTokensAreInvalid(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        fixture.register("alice")
        let (access, _) = try fixture.tokens("alice")
        let connection = try fixture.connection()
        _ = try connection.run("DELETE FROM users", [])
        #expect(fixture.call("GET", "/api/auth/whoami", token: access).problemCode == "token_invalid")
    }

    @Test(arguments: StoreKind.allCases) func outdatedHashesAreRehashedOnLogin(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        fixture.register("alice")
        let store = try fixture.thread.store()
        let bcrypt = try PasswordHasher(policy: PasswordPolicy(scheme: .bcrypt, cost: 4)).hash("correct horse")
        try store.updatePasswordHash(userID: 1, hash: bcrypt, now: 1)
        #expect(fixture.login("alice").status == .ok)
        #expect(try store.user(id: 1)?.passwordHash.hasPrefix("$y$") == true)
    }
}

extension AuthFlowTests {
    @Test(arguments: StoreKind.allCases) func aNameWithANULFindsNobody(kind: StoreKind) throws {
        let fixture = try ServiceFixture(kind)
        fixture.register("alice")
        let response = fixture.call(
            "POST", "/api/auth/login", json: #"{"username":"alice\u0000junk","password":"correct horse"}"#)
        #expect(response.problemCode == "invalid_credentials")
        let byEmail = fixture.call(
            "POST", "/api/auth/login", json: #"{"email":"alice@example.com\u0000zz","password":"correct horse"}"#)
        #expect(byEmail.problemCode == "invalid_credentials")
    }
}
