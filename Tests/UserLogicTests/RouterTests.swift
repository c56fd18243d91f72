import Testing

@testable import UserLogic

@Suite struct RouterTests {
    static func respond(_ name: String) -> Handler {
        { _ in Response(status: .ok, body: Array(name.utf8)) }
    }

    let router = Router(routes: [
        Route("GET", "/api/users/{id:int}", "getUser", respond("get-user")),
        Route("PATCH", "/api/users/{id:int}", "updateUser", respond("patch-user")),
        Route("GET", "/api/users/me", "getMe", respond("me")),
        Route("DELETE", "/api/auth/sessions/{id}", "deleteSession", respond("delete-session")),
        Route("POST", "/api/auth/login", "login", respond("login")),
    ])

    func name(_ method: String, _ path: String) -> String? {
        guard case .found(let route, _) = router.match(method: method, path: path) else { return nil }
        return route.pattern.description + " " + route.method
    }

    @Test func matchesLiteralsBeforeParameters() {
        #expect(name("GET", "/api/users/me") == "/api/users/me GET")
        #expect(name("GET", "/api/users/7") == "/api/users/{id:int} GET")
    }

    @Test func capturesParameters() {
        guard case .found(_, let parameters) = router.match(method: "DELETE", path: "/api/auth/sessions/abc-1") else {
            Issue.record("no match")
            return
        }
        #expect(parameters["id"] == "abc-1")
        guard case .found(_, let numeric) = router.match(method: "GET", path: "/api/users/42") else {
            Issue.record("no match")
            return
        }
        #expect(numeric.integer("id") == 42)
    }

    @Test func nonNumericOrHugeIDsAreUnknownPaths() {
        for path in ["/api/users/abc", "/api/users/-1", "/api/users/99999999999999999999", "/api/users/"] {
            guard case .notFound = router.match(method: "GET", path: path) else {
                Issue.record("\(path) should be unknown")
                continue
            }
        }
    }

    @Test func wrongMethodListsTheAllowedOnes() {
        guard case .methodNotAllowed(let allowed) = router.match(method: "POST", path: "/api/users/7") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["GET", "HEAD", "PATCH"])
        guard case .methodNotAllowed(let loginAllowed) = router.match(method: "GET", path: "/api/auth/login") else {
            Issue.record("expected 405")
            return
        }
        #expect(loginAllowed == ["POST"])
    }

    @Test func headIsServedByGet() {
        #expect(name("HEAD", "/api/users/me") == "/api/users/me GET")
    }

    @Test func unknownPaths() {
        for path in ["/api/nothing", "/api/users/me/", "api/users/me", "", "/api//users/me", "/api/auth/login/x"] {
            guard case .notFound = router.match(method: "GET", path: path) else {
                Issue.record("\(path) should be unknown")
                continue
            }
        }
    }
}
