import Testing

@testable import UserCore
@testable import UserLogic

/// `GET /api/auth/verify`, the token check behind nginx's `auth_request` (contract §3).
@Suite struct VerifyTokenTests {
    static let identityHeaders = [
        "X-Auth-User-Id", "X-Auth-Username", "X-Auth-Role", "X-Auth-Session-Id", "X-Auth-Amr",
    ]

    /// `GET /api/auth/verify?query` with `authorization` as the header, as the FastCGI loop serves it.
    func verify(_ fixture: ServiceFixture, _ query: String = "", authorization: String?) -> Response {
        let request = Request(
            method: "GET", path: "/api/auth/verify", query: QueryParameters(parsing: query),
            authorization: authorization, remoteAddress: "127.0.0.1")
        return fixture.service.respond(to: request, on: fixture.thread)
    }

    func verify(_ fixture: ServiceFixture, _ query: String = "", token: String) -> Response {
        verify(fixture, query, authorization: "Bearer \(token)")
    }

    /// A fixture with an ADMIN `root` (id 1) and a USER `alice` (id 2).
    func fixtureWithUsers(_ kind: StoreKind) throws -> ServiceFixture {
        let fixture = try ServiceFixture(kind) { $0.adminRegistrationKey = "admin-registration-key" }
        fixture.register("root", extra: #","admin_key":"admin-registration-key""#)
        fixture.register("alice")
        return fixture
    }

    @Test(arguments: StoreKind.allCases) func aGoodTokenGets204WithTheIdentity(kind: StoreKind) throws {
        let fixture = try fixtureWithUsers(kind)
        let (access, _) = try fixture.tokens("alice")
        let response = verify(fixture, token: access)
        #expect(response.status == .noContent)
        #expect(response.body.isEmpty)
        #expect(response.header("Content-Type") == nil)
        #expect(response.header("Cache-Control") == "no-store")
        #expect(response.header("X-Auth-User-Id") == "2")
        #expect(response.header("X-Auth-Username") == "alice")
        #expect(response.header("X-Auth-Role") == "USER")
        #expect(response.header("X-Auth-Amr") == "pwd")
        let sessions = fixture.call("GET", "/api/auth/sessions", token: access)
        guard case .array(let items)? = sessions.member("items"), case .object(let session)? = items.first,
            case .string(let sessionID)? = session["id"]
        else {
            Issue.record("no session: \(sessions.bodyText)")
            return
        }
        #expect(response.header("X-Auth-Session-Id") == sessionID)
        #expect(!String(decoding: response.cgiBytes(), as: UTF8.self).contains("Content-Length"))
    }

    @Test(arguments: StoreKind.allCases) func roleAdminNeedsAnAdmin(kind: StoreKind) throws {
        let fixture = try fixtureWithUsers(kind)
        let user = try fixture.tokens("alice").access
        let admin = try fixture.tokens("root").access
        let refused = verify(fixture, "role=ADMIN", token: user)
        #expect(refused.status == .forbidden)
        #expect(refused.problemCode == "forbidden")
        #expect(refused.header("Cache-Control") == "no-store")
        #expect(Self.identityHeaders.allSatisfy { refused.header($0) == nil })
        #expect(verify(fixture, "role=USER", token: user).status == .noContent)
        for query in ["role=ADMIN", "role=USER", ""] {
            let response = verify(fixture, query, token: admin)
            #expect(response.status == .noContent)
            #expect(response.header("X-Auth-Role") == "ADMIN")
            #expect(response.header("X-Auth-User-Id") == "1")
        }
    }

    @Test(arguments: StoreKind.allCases) func anotherRoleIsAValidationError(kind: StoreKind) throws {
        let fixture = try fixtureWithUsers(kind)
        let admin = try fixture.tokens("root").access
        for query in ["role=bogus", "role=admin", "role=", "role=ADMIN%20"] {
            let response = verify(fixture, query, token: admin)
            #expect(response.status == .unprocessableContent, "\(query)")
            #expect(response.header("Cache-Control") == "no-store")
            guard case .array(let errors)? = response.member("errors"), errors.count == 1,
                case .object(let error) = errors[0]
            else {
                Issue.record("\(query): \(response.bodyText)")
                continue
            }
            #expect(error["field"] == "role")
            #expect(error["code"] == "invalid_value")
        }
        // Contract §5: the token checks (3) come before validation (5).
        #expect(verify(fixture, "role=bogus", authorization: nil).problemCode == "token_missing")
        #expect(verify(fixture, "role=bogus", token: "not.a.jwt").problemCode == "token_invalid")
    }

    /// Every refusal of whoami is the verify endpoint's too, with the same status and headers.
    @Test(arguments: StoreKind.allCases) func refusesExactlyLikeWhoami(kind: StoreKind) throws {
        let fixture = try fixtureWithUsers(kind)
        let (access, refresh) = try fixture.tokens("alice")
        let (revoked, _) = try fixture.tokens("alice")
        #expect(fixture.call("POST", "/api/auth/logout", token: revoked).status == .noContent)
        func compare(_ authorization: String?, _ code: String) {
            var whoami = Request(method: "GET", path: "/api/auth/whoami", authorization: authorization)
            whoami.requestID = "same-id"
            var check = Request(method: "GET", path: "/api/auth/verify", authorization: authorization)
            check.requestID = "same-id"
            let expected = fixture.service.respond(to: whoami, on: fixture.thread)
            let got = fixture.service.respond(to: check, on: fixture.thread)
            #expect(got.problemCode == code)
            #expect(got.status == expected.status)
            #expect(got.body == expected.body, "\(code)")
            #expect(got.headers.map(\.name) == expected.headers.map(\.name))
            #expect(got.header("WWW-Authenticate") == expected.header("WWW-Authenticate"))
        }
        compare(nil, "token_missing")
        compare("Basic YWxpY2U6eA==", "token_missing")
        compare("Bearer not.a.jwt", "token_invalid")
        compare("Bearer \(refresh)", "token_wrong_type")
        compare("Bearer \(revoked)", "token_revoked")
        _ = try fixture.connection().run("UPDATE users SET active = FALSE WHERE id = 2", [])
        compare("Bearer \(access)", "account_disabled")
        _ = try fixture.connection().run("UPDATE users SET active = TRUE WHERE id = 2", [])
        fixture.clock.advance(900 + 10 + 1)
        compare("Bearer \(access)", "token_expired")
    }

    /// Decisions use the current row (contract §2): a demoted admin loses `role=ADMIN` at once.
    @Test(arguments: StoreKind.allCases) func theCurrentRowDecides(kind: StoreKind) throws {
        let fixture = try fixtureWithUsers(kind)
        fixture.register("carol", extra: "")
        let (access, _) = try fixture.tokens("carol")
        _ = try fixture.connection().run("UPDATE users SET role = 'ADMIN' WHERE id = 3", [])
        let promoted = verify(fixture, "role=ADMIN", token: access)
        #expect(promoted.status == .noContent)
        #expect(promoted.header("X-Auth-Role") == "ADMIN")
        _ = try fixture.connection().run("UPDATE users SET role = 'USER' WHERE id = 3", [])
        #expect(verify(fixture, "role=ADMIN", token: access).problemCode == "forbidden")
        _ = try fixture.connection().run("DELETE FROM users WHERE id = 3", [])
        #expect(verify(fixture, token: access).problemCode == "token_invalid")
    }

    /// The field rules keep usernames to `A-Z a-z 0-9 _ . -`, but a row written elsewhere
    /// may hold anything: the header carries it percent-encoded, never raw.
    @Test(arguments: StoreKind.allCases) func aUsernameOutsideTheRulesIsPercentEncoded(kind: StoreKind) throws {
        let fixture = try fixtureWithUsers(kind)
        let (access, _) = try fixture.tokens("alice")
        _ = try fixture.connection().run("UPDATE users SET username = 'zoë 100%\r\nx' WHERE id = 2", [])
        let response = verify(fixture, token: access)
        #expect(response.status == .noContent)
        let header = try #require(response.header("X-Auth-Username"))
        #expect(header == "zo%C3%AB%20100%25%0D%0Ax")
        #expect(PercentDecoding.decode(header[...], plusAsSpace: false) == "zoë 100%\r\nx")
        #expect(header.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
    }

    /// `amr` comes from the session's tokens: two-factor sign-in says so; a token signed
    /// before `amr` existed counts as a password login.
    @Test(arguments: StoreKind.allCases) func amrIsCommaSeparated(kind: StoreKind) throws {
        let fixture = try fixtureWithUsers(kind)
        let (access, _) = try fixture.tokens("alice")
        var claims = try fixture.thread.tokens.verify(access, now: fixture.clock.now)
        claims.authenticationMethods = ["pwd", "otp"]
        #expect(verify(fixture, token: fixture.thread.tokens.sign(claims)).header("X-Auth-Amr") == "pwd,otp")
        claims.authenticationMethods = []
        #expect(verify(fixture, token: fixture.thread.tokens.sign(claims)).header("X-Auth-Amr") == "pwd")
    }

    @Test(arguments: StoreKind.allCases) func headIsServedLikeGet(kind: StoreKind) throws {
        let fixture = try fixtureWithUsers(kind)
        let (access, _) = try fixture.tokens("alice")
        let request = Request(method: "HEAD", path: "/api/auth/verify", authorization: "Bearer \(access)")
        let response = fixture.service.respond(to: request, on: fixture.thread)
        #expect(response.status == .noContent)
        #expect(response.header("X-Auth-Username") == "alice")
    }
}
