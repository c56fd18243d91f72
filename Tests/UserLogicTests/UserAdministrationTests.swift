import Testing

@testable import UserLogic

/// The Users rows of contract §3 through `Service.respond`.
@Suite struct UserAdministrationTests {
    /// A fixture with an admin "root" (id 1) and users "alice" (2) and "bob" (3).
    func fixture(_ kind: StoreKind) throws -> (ServiceFixture, admin: String, alice: String) {
        let fixture = try ServiceFixture(kind) { $0.adminRegistrationKey = "key" }
        fixture.register("root", extra: #","admin_key":"key""#)
        fixture.register("alice")
        fixture.register("bob")
        return (fixture, try fixture.tokens("root").access, try fixture.tokens("alice").access)
    }

    func ids(_ response: Response) -> [Int] {
        guard case .array(let items)? = response.member("items") else { return [] }
        return items.compactMap { item in
            guard case .object(let object) = item, case .number(let id)? = object["id"] else { return nil }
            return Int(id)
        }
    }

    @Test(arguments: StoreKind.allCases) func listPaginatesFiltersAndSorts(kind: StoreKind) throws {
        let (fixture, admin, alice) = try fixture(kind)
        let all = fixture.call("GET", "/api/users", token: admin)
        #expect(all.status == .ok)
        #expect(ids(all) == [1, 2, 3])
        #expect(all.member("total") == 3)
        #expect(all.member("pages") == 1)
        #expect(all.member("page") == 1)
        #expect(all.member("per_page") == 20)
        #expect(all.bodyText.contains(#""locked_until":null"#))
        func list(_ query: String) -> Response { fixture.listUsers(query, token: admin) }
        #expect(ids(list("per_page=2&page=2")) == [3])
        #expect(list("per_page=2").member("pages") == 2)
        #expect(ids(list("page=9")) == [])
        #expect(ids(list("role=ADMIN")) == [1])
        #expect(ids(list("q=LIC")) == [2])
        #expect(ids(list("sort=-username")) == [1, 3, 2])
        #expect(ids(list("sort=-id&active=true")) == [3, 2, 1])
        #expect(ids(list("active=false")) == [])
        let bad = list("per_page=0&sort=bogus&role=X&active=yes&page=0")
        #expect(bad.status == .unprocessableContent)
        #expect(bad.bodyText.contains(#""field":"per_page","code":"invalid_value""#))
        #expect(bad.bodyText.contains(#""field":"sort","code":"invalid_value""#))
        #expect(bad.bodyText.contains(#""field":"role","code":"invalid_value""#))
        #expect(bad.bodyText.contains(#""field":"active","code":"invalid_value""#))
        #expect(bad.bodyText.contains(#""field":"page","code":"invalid_value""#))
        #expect(fixture.call("GET", "/api/users", token: alice).problemCode == "forbidden")
    }

    @Test(arguments: StoreKind.allCases) func lastLoginSortPutsNeverLoggedInLastAscending(kind: StoreKind) throws {
        let (fixture, admin, _) = try fixture(kind)
        func list(_ sort: String) -> [Int] {
            ids(
                fixture.service.respond(
                    to: Request(
                        method: "GET", path: "/api/users", query: QueryParameters(parsing: "sort=\(sort)"),
                        authorization: "Bearer \(admin)"), on: fixture.thread))
        }
        // root and alice logged in at the same second, bob never: ties go by id ascending,
        // in both directions.
        #expect(list("last_login_at") == [1, 2, 3])
        #expect(list("-last_login_at") == [3, 1, 2])
        fixture.clock.advance(10)
        _ = try fixture.tokens("alice")
        #expect(list("last_login_at") == [1, 2, 3])
        #expect(list("-last_login_at") == [3, 2, 1])
        #expect(list("-created_at") == [1, 2, 3])
    }

    @Test(arguments: StoreKind.allCases) func selfAndAdminAccess(kind: StoreKind) throws {
        let (fixture, admin, alice) = try fixture(kind)
        #expect(fixture.call("GET", "/api/users/2", token: alice).member("user", "username") == "alice")
        #expect(fixture.call("GET", "/api/users/2", token: alice).member("user", "locked_until") == nil)
        #expect(fixture.call("GET", "/api/users/3", token: alice).problemCode == "forbidden")
        #expect(fixture.call("GET", "/api/users/999", token: alice).problemCode == "forbidden")
        #expect(fixture.call("GET", "/api/users/999", token: admin).problemCode == "user_not_found")
        #expect(fixture.call("GET", "/api/users/abc", token: admin).problemCode == "not_found")
        #expect(fixture.call("GET", "/api/users/3", token: admin).member("user", "locked_until") == .null)
    }

    @Test(arguments: StoreKind.allCases) func patchRules(kind: StoreKind) throws {
        let (fixture, admin, alice) = try fixture(kind)
        let renamed = fixture.call(
            "PATCH", "/api/users/2",
            json: #"{"first_name":"Al","email":"AL@example.com","current_password":"correct horse"}"#,
            token: alice)
        #expect(renamed.member("user", "email") == "al@example.com")
        #expect(
            fixture.call("PATCH", "/api/users/2", json: #"{"role":"ADMIN"}"#, token: alice).problemCode == "forbidden")
        #expect(
            fixture.call("PATCH", "/api/users/2", json: #"{"role":"BOSS"}"#, token: alice).problemCode
                == "validation_failed")
        #expect(
            fixture.call("PATCH", "/api/users/2", json: #"{"username":"bob"}"#, token: alice).problemCode
                == "username_taken")
        #expect(fixture.call("PUT", "/api/users/2", json: #"{"last_name":null}"#, token: alice).status == .ok)
        let promoted = fixture.call("PATCH", "/api/users/3", json: #"{"role":"ADMIN"}"#, token: admin)
        #expect(promoted.member("user", "role") == "ADMIN")
        // bob is an admin now: root may no longer change him.
        #expect(
            fixture.call("PATCH", "/api/users/3", json: #"{"first_name":"B"}"#, token: admin).problemCode == "forbidden"
        )
        #expect(
            fixture.call("PATCH", "/api/users/999", json: #"{"first_name":"B"}"#, token: admin).problemCode
                == "user_not_found")
    }

    @Test(arguments: StoreKind.allCases) func lastAdminCantLeave(kind: StoreKind) throws {
        let (fixture, admin, _) = try fixture(kind)
        #expect(
            fixture.call("PATCH", "/api/users/1", json: #"{"role":"USER"}"#, token: admin).problemCode == "last_admin")
        #expect(
            fixture.call("PATCH", "/api/users/1", json: #"{"active":false}"#, token: admin).problemCode == "last_admin")
        #expect(fixture.call("DELETE", "/api/users/1", token: admin).problemCode == "last_admin")
        #expect(fixture.call("PATCH", "/api/users/1", json: #"{"first_name":"Root"}"#, token: admin).status == .ok)
        _ = fixture.call("PATCH", "/api/users/2", json: #"{"role":"ADMIN"}"#, token: admin)
        #expect(
            fixture.call("PATCH", "/api/users/1", json: #"{"role":"USER"}"#, token: admin).member("user", "role")
                == "USER")
        // Demotion takes effect on the next request.
        #expect(fixture.call("GET", "/api/users", token: admin).problemCode == "forbidden")
    }

    @Test(arguments: StoreKind.allCases) func disableAndDeleteTakeEffectAtOnce(kind: StoreKind) throws {
        let (fixture, admin, alice) = try fixture(kind)
        #expect(
            fixture.call("PATCH", "/api/users/2", json: #"{"active":false}"#, token: admin).member("user", "active")
                == false)
        #expect(fixture.call("GET", "/api/auth/whoami", token: alice).problemCode == "account_disabled")
        #expect(fixture.call("DELETE", "/api/users/2", token: admin).status == .noContent)
        #expect(fixture.call("GET", "/api/auth/whoami", token: alice).problemCode == "token_invalid")
        #expect(fixture.call("DELETE", "/api/users/2", token: admin).problemCode == "user_not_found")
        let bob = try fixture.tokens("bob").access
        #expect(fixture.call("DELETE", "/api/users/3", token: bob).status == .noContent)
    }

    /// Users rules (v2): disabling revokes every session; enabling again revives none.
    @Test(arguments: StoreKind.allCases) func disablingRevokesAndEnablingRevivesNothing(kind: StoreKind) throws {
        let (fixture, admin, alice) = try fixture(kind)
        let refresh = try fixture.tokens("alice").refresh
        #expect(fixture.call("PATCH", "/api/users/2", json: #"{"active":false}"#, token: admin).status == .ok)
        #expect(fixture.call("GET", "/api/auth/whoami", token: alice).problemCode == "account_disabled")
        #expect(fixture.call("POST", "/api/auth/refresh", token: refresh).problemCode == "account_disabled")
        #expect(fixture.call("PATCH", "/api/users/2", json: #"{"active":true}"#, token: admin).status == .ok)
        #expect(fixture.call("GET", "/api/auth/whoami", token: alice).problemCode == "token_revoked")
        #expect(fixture.call("POST", "/api/auth/refresh", token: refresh).problemCode == "token_revoked")
        #expect(fixture.call("GET", "/api/auth/whoami", token: try fixture.tokens("alice").access).status == .ok)
        // A PATCH that leaves `active` alone revokes nothing.
        let bob = try fixture.tokens("bob").access
        #expect(fixture.call("PATCH", "/api/users/3", json: #"{"active":true}"#, token: admin).status == .ok)
        #expect(fixture.call("GET", "/api/auth/whoami", token: bob).status == .ok)
    }

    /// Users rules (v2): changing one's own email needs the current password, counted toward
    /// the lockout; the old address is told. An admin changing a USER's email needs none.
    @Test(arguments: StoreKind.allCases) func aSelfEmailChangeNeedsTheCurrentPassword(kind: StoreKind) throws {
        let (fixture, admin, alice) = try fixture(kind)
        func patch(_ json: String, _ token: String, id: Int = 2) -> Response {
            fixture.call("PATCH", "/api/users/\(id)", json: json, token: token)
        }
        let required = #""field":"current_password","code":"required""#
        #expect(patch(#"{"email":"new@example.com"}"#, alice).bodyText.contains(required))
        #expect(!patch(#"{"email":"bad"}"#, alice).bodyText.contains("current_password"))
        #expect(patch(#"{"email":"root2@example.com"}"#, admin, id: 1).bodyText.contains(required))
        let wrong = #"{"email":"new@example.com","current_password":"nope nope"}"#
        #expect(patch(wrong, alice).problemCode == "current_password_incorrect")
        // Ignored where it isn't needed: another field, the same address, an admin on a USER.
        #expect(patch(#"{"first_name":"Al","current_password":5}"#, alice).status == .ok)
        #expect(patch(#"{"email":"ALICE@example.com"}"#, alice).status == .ok)
        #expect(patch(#"{"email":"bob2@example.com"}"#, admin, id: 3).status == .ok)
        let right = #"{"email":"new@example.com","current_password":"correct horse"}"#
        #expect(patch(right, alice).member("user", "email") == "new@example.com")
        fixture.service.mailer.drain(seconds: 5)
        let notices = fixture.mail.messages.filter { $0.subject == "Your email address was changed" }
        #expect(notices.map(\.to) == ["bob@example.com", "alice@example.com"])
        // Wrong ones lock the account like wrong logins: then 423 even with the right one.
        let other = #"{"email":"other@example.com","current_password":"nope nope"}"#
        for _ in 1...5 { #expect(patch(other, alice).problemCode == "current_password_incorrect") }
        let locked = patch(#"{"email":"other@example.com","current_password":"correct horse"}"#, alice)
        #expect(locked.problemCode == "account_locked")
        #expect(locked.header("Retry-After") != nil)
        #expect(fixture.login("alice").problemCode == "account_locked")
    }

    @Test(arguments: StoreKind.allCases) func createUnlockAndRevoke(kind: StoreKind) throws {
        let (fixture, admin, alice) = try fixture(kind)
        let created = fixture.call(
            "POST", "/api/users",
            json:
                #"{"username":"carol","email":"carol@example.com","password":"carol pass 1","role":"ADMIN","active":false}"#,
            token: admin)
        #expect(created.status == .created)
        #expect(created.header("Location") == "/api/users/4")
        #expect(created.member("user", "active") == false)
        #expect(created.member("user", "role") == "ADMIN")
        #expect(fixture.call("POST", "/api/users", json: "{}", token: alice).problemCode == "forbidden")
        for _ in 1...5 { _ = fixture.login("bob", password: "wrong password") }
        #expect(fixture.login("bob").status == .locked)
        #expect(fixture.call("POST", "/api/users/3/unlock", token: alice).problemCode == "forbidden")
        #expect(fixture.call("POST", "/api/users/3/unlock", token: admin).status == .noContent)
        #expect(fixture.call("POST", "/api/users/99/unlock", token: admin).problemCode == "user_not_found")
        #expect(fixture.login("bob").status == .ok)
        #expect(fixture.call("DELETE", "/api/users/2/sessions", token: admin).status == .noContent)
        #expect(fixture.call("GET", "/api/auth/whoami", token: alice).problemCode == "token_revoked")
        let aliceAgain = try fixture.tokens("alice").access
        #expect(fixture.call("DELETE", "/api/users/3/sessions", token: aliceAgain).problemCode == "forbidden")
        #expect(fixture.call("DELETE", "/api/users/2/sessions", token: aliceAgain).status == .noContent)
    }
}

extension UserAdministrationTests {
    @Test(arguments: StoreKind.allCases) func farPagesAndSeparatorSearchesAreEmpty(kind: StoreKind) throws {
        let (fixture, admin, _) = try fixture(kind)
        func list(_ query: String) -> Response {
            fixture.service.respond(
                to: Request(
                    method: "GET", path: "/api/users", query: QueryParameters(parsing: query),
                    authorization: "Bearer \(admin)"),
                on: fixture.thread)
        }
        let far = list("page=9007199254740991&per_page=100")
        #expect(far.status == .ok)
        #expect(ids(far) == [])
        #expect(far.member("total") == 3)
        #expect(ids(list("q=alice%1Falice")) == [])
        #expect(list("q=alice%1Falice").member("total") == 0)
    }
}

extension UserAdministrationTests {
    @Test(arguments: StoreKind.allCases) func pagesStayExactAndNULSearchesFindNothing(kind: StoreKind) throws {
        let (fixture, admin, _) = try fixture(kind)
        func list(_ query: String) -> Response {
            fixture.service.respond(
                to: Request(
                    method: "GET", path: "/api/users", query: QueryParameters(parsing: query),
                    authorization: "Bearer \(admin)"),
                on: fixture.thread)
        }
        #expect(list("page=9007199254740991").bodyText.contains(#""page":9007199254740991,"#))
        #expect(list("page=9007199254740992").problemCode == "validation_failed")
        #expect(ids(list("q=ali%00x")) == [])
    }
}
