import Testing

@testable import UserCore
@testable import UserLogic

/// The route table's access column, and the service checking access once, in contract §5
/// order, before any handler. (`OpenAPIDocumentTests` holds the document to the table.)
@Suite struct RouteAccessTests {
    let fixture: ServiceFixture

    /// On SQLite only: the order of the checks is the service's own, and the token checks'
    /// storage runs on both databases in `AuthFlowTests`.
    init() throws {
        fixture = try ServiceFixture(.sqlite) { $0.adminRegistrationKey = "admin-key-value" }
    }

    var routes: [Route] { fixture.service.router.routes }

    @Test func adminOnlyRoutesAreThoseOfTheContract() {
        // Contract §5 item 4: the user list, creating users and unlocking; and (v2) turning a
        // user's two-factor sign-in off.
        let admin = routes.filter { $0.access == .admin }.map(\.operationID)
        #expect(admin == ["listUsers", "createUser", "unlockUser", "removeUserTotp"])
    }

    func registerAndLogIn(_ name: String, admin: Bool = false) throws -> (id: Int64, tokens: (String, String)) {
        let response = fixture.register(name, extra: admin ? #","admin_key":"admin-key-value""# : "")
        guard case .number(let id)? = response.member("user", "id") else {
            throw ServiceFixture.FixtureError(description: "register failed: \(response.bodyText)")
        }
        return (Int64(id), try fixture.tokens(name))
    }

    @Test func tokenChecksComeBeforeTheHandlersOwn() throws {
        // 401 before 415/400/422: the body is never read without a valid token.
        let noToken = fixture.call("POST", "/api/auth/password/change", json: "{")
        #expect(noToken.status == .unauthorized)
        #expect(noToken.member("code") == "token_missing")
        // 413 comes before the token check.
        let large = fixture.service.respond(
            to: Request(method: "POST", path: "/api/auth/password/change", body: .tooLarge), on: fixture.thread)
        #expect(large.status == .contentTooLarge)
    }

    @Test func eachRouteTakesItsTokenType() throws {
        let (_, (access, refresh)) = try registerAndLogIn("tess")
        #expect(fixture.call("GET", "/api/auth/whoami", token: refresh).member("code") == "token_wrong_type")
        #expect(fixture.call("POST", "/api/auth/refresh", token: access).member("code") == "token_wrong_type")
        #expect(fixture.call("GET", "/api/auth/whoami", token: access).status == .ok)
        #expect(fixture.call("POST", "/api/auth/refresh", token: refresh).status == .ok)
    }

    @Test func nonAdminsAreRefusedBeforeValidation() throws {
        let (_, (access, _)) = try registerAndLogIn("uma")
        let responses = [
            fixture.listUsers("page=0", token: access),
            fixture.call("POST", "/api/users", json: "{", token: access),
            fixture.call("POST", "/api/users/1/unlock", token: access),
        ]
        for response in responses {
            #expect(response.status == .forbidden)
            #expect(response.member("code") == "forbidden")
            #expect(response.member("detail") == "This needs an admin account.")
        }
        let (_, (adminAccess, _)) = try registerAndLogIn("ada", admin: true)
        #expect(fixture.listUsers("page=0", token: adminAccess).status == .unprocessableContent)
    }

    @Test func aDisabledAccountIsRefusedBeforeThePermissionCheck() throws {
        let (id, (access, _)) = try registerAndLogIn("dave")
        var changes = UserChanges()
        changes.active = false
        _ = try fixture.thread.store().updateUser(id: id, changes, now: fixture.clock.now)
        for path in ["/api/users", "/api/auth/whoami"] {
            let response = fixture.call("GET", path, token: access)
            #expect(response.status == .forbidden)
            #expect(response.member("code") == "account_disabled", "\(path)")
        }
    }
}
