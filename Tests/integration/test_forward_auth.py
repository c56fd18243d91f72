"""Forward auth through the real nginx (contract §3 "Token check for nginx `auth_request`"):
the shipped conf/nginx/auth-fcgi/protect*.conf in the test stack's server block
(SERVE_LOCAL_SERVER_CONF) in front of a small upstream application that echoes what it
receives, and GET /api/auth/verify answered directly."""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

import support
from api_client import Api, assert_json, assert_unauthorized, assert_validation, auth_env, start_api
from support import assert_problem, header_values

ADMIN_KEY = "forward-auth-admin-registration-key-0123456789"
SNIPPETS = support.REPO_ROOT / "conf" / "nginx" / "auth-fcgi"
IDENTITY = ("x-auth-user-id", "x-auth-username", "x-auth-role", "x-auth-session-id", "x-auth-amr")


class EchoApp:
    """The protected application: an HTTP server on a free loopback port, in a thread, that
    answers every request with JSON of what it received and keeps a list of them."""

    def __init__(self):
        self.requests: list[dict] = []
        lock = threading.Lock()
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                seen = {"method": self.command, "path": self.path, "headers": list(self.headers.items()),
                        "body": self.rfile.read(length).decode(errors="replace")}
                with lock:
                    received.append(seen)
                body = json.dumps(seen).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "EchoApp":
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def server_conf(app_port: int) -> str:
    """The test stack's extra server-block directives: the shipped snippets, one include
    line per protected location, as examples/protected-app.conf uses them."""
    return f"""
include "{SNIPPETS}/protect-locations.conf";
location /protected/ {{
    include "{SNIPPETS}/protect.conf";
    proxy_pass http://127.0.0.1:{app_port};
}}
location /protected/admin/ {{
    include "{SNIPPETS}/protect-admin.conf";
    proxy_pass http://127.0.0.1:{app_port};
    # Nested: the check is inherited, for ADMINs only still.
    location ~ \\.json$ {{
        proxy_pass http://127.0.0.1:{app_port};
    }}
}}
location /protected/socket/ {{
    include "{SNIPPETS}/protect.conf";
    proxy_pass http://127.0.0.1:{app_port};
    # Nested with proxy_set_header lines of its own (a WebSocket's): the identity again.
    location /protected/socket/live {{
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        include "{SNIPPETS}/protect-identity.conf";
        proxy_pass http://127.0.0.1:{app_port};
    }}
}}
"""


def protected_env(tmp_path, app: EchoApp) -> dict[str, str]:
    conf = tmp_path / "server-extra.conf"
    conf.write_text(server_conf(app.port))
    return {"SERVE_LOCAL_SERVER_CONF": str(conf), "ADMIN_REGISTRATION_KEY": ADMIN_KEY}


@pytest.fixture(scope="module")
def app():
    with EchoApp() as echo:
        yield echo


@pytest.fixture(scope="module")
def api(module_stack_factory, tmp_path_factory, app) -> Api:
    return start_api(module_stack_factory, **protected_env(tmp_path_factory.mktemp("forward-auth"), app))


def seen_by_app(resp: requests.Response) -> dict:
    """What the application received, from its answer passed through nginx."""
    assert resp.status_code == 200, f"expected the application's 200, got {resp.status_code}: {resp.content[:500]!r}"
    return resp.json()


def identity(seen: dict) -> dict[str, list[str]]:
    """Every X-Auth-* header the application received (any spelling), by lower-case name."""
    found: dict[str, list[str]] = {}
    for name, value in seen["headers"]:
        if name.lower().replace("_", "-").startswith("x-auth-"):
            found.setdefault(name.lower(), []).append(value)
    return found


def raw_get(api: Api, path: str, headers: list[tuple[str, str]]) -> tuple[int, bytes]:
    """GET with headers sent exactly as given (repeated names, any letter case)."""
    connection = http.client.HTTPConnection("127.0.0.1", api.stack.port, timeout=15)
    try:
        connection.putrequest("GET", path)
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_no_token_is_nginx_401_with_the_problem_body(api, app):
    before = len(app.requests)
    for method in ("GET", "POST", "DELETE"):
        r = api.request(method, "/protected/page", data=b'{"x": 1}', headers={"Content-Type": "application/json"})
        body = assert_unauthorized(r, "token_missing", presented=False)
        assert body["detail"], body
        assert "no-store" in r.headers.get("Cache-Control", "")
        assert len(header_values(r, "X-Request-ID")) == 1
    r = api.get("/protected/page", authorization="Basic YWxpY2U6c2VjcmV0")
    assert_unauthorized(r, "token_missing", presented=False)
    assert_unauthorized(api.get("/protected/page", token="not.a.jwt"), "token_invalid")
    assert_unauthorized(api.get("/protected/admin/page"), "token_missing", presented=False)
    assert len(app.requests) == before, "a refused request reached the application"


def test_a_user_reaches_the_app_which_sees_the_identity(api, app):
    account = api.new_user()
    pair = api.login_as(account)
    seen = seen_by_app(api.get("/protected/page?q=1", token=pair.access))
    assert seen["method"] == "GET" and seen["path"] == "/protected/page?q=1"
    assert identity(seen) == {
        "x-auth-user-id": [str(account.id)],
        "x-auth-username": [account.username],
        "x-auth-role": ["USER"],
        "x-auth-session-id": [pair.sid],
        "x-auth-amr": ["pwd"],
    }
    # The request itself is the client's: method, body and the token pass through.
    seen = seen_by_app(api.post("/protected/form", {"note": "kept"}, token=pair.access))
    assert seen["method"] == "POST" and json.loads(seen["body"]) == {"note": "kept"}
    assert dict((k.lower(), v) for k, v in seen["headers"])["authorization"] == f"Bearer {pair.access}"


def test_forged_identity_headers_never_reach_the_app(api, app):
    account = api.new_user()
    pair = api.login_as(account)
    forged = [("X-Auth-User-Id", "1"), ("x-auth-user-id", "2"), ("X-AUTH-ROLE", "ADMIN"),
              ("X-Auth-Username", "root"), ("X-Auth-Session-Id", "stolen"), ("X-Auth-Amr", "pwd,otp"),
              ("X-Auth-Amr", "hwk"), ("X_Auth_User_Id", "3")]
    status, body = raw_get(api, "/protected/page", [("Authorization", f"Bearer {pair.access}")] + forged)
    assert status == 200, body[:500]
    assert identity(json.loads(body)) == {
        "x-auth-user-id": [str(account.id)],
        "x-auth-username": [account.username],
        "x-auth-role": ["USER"],
        "x-auth-session-id": [pair.sid],
        "x-auth-amr": ["pwd"],
    }
    # Without a token the forged identity gets nowhere either.
    before = len(app.requests)
    status, body = raw_get(api, "/protected/page", forged)
    assert status == 401 and json.loads(body)["code"] == "token_missing"
    assert len(app.requests) == before


def test_nested_locations_keep_the_check_and_the_identity(api, app):
    user_account = api.new_user()
    user = api.login_as(user_account)
    before = len(app.requests)
    assert_problem(api.get("/protected/admin/data.json", token=user.access), 403, "forbidden")
    assert len(app.requests) == before
    admin_account = api.new_user(admin_key=ADMIN_KEY)
    admin = api.login_as(admin_account)
    assert identity(seen_by_app(api.get("/protected/admin/data.json", token=admin.access)))["x-auth-role"] == [
        "ADMIN"]
    forged = [("Authorization", f"Bearer {user.access}"), ("X-Auth-Role", "ADMIN"), ("X-Auth-User-Id", "1")]
    status, body = raw_get(api, "/protected/socket/live", forged)
    assert status == 200, body[:500]
    seen = identity(json.loads(body))
    assert seen["x-auth-role"] == ["USER"] and seen["x-auth-user-id"] == [str(user_account.id)]


def test_the_admin_path_needs_an_admin(api, app):
    user = api.login_as(api.new_user())
    before = len(app.requests)
    r = api.get("/protected/admin/report", token=user.access)
    assert_problem(r, 403, "forbidden")
    assert "no-store" in r.headers.get("Cache-Control", "")
    assert len(header_values(r, "X-Request-ID")) == 1
    assert not header_values(r, "WWW-Authenticate")
    assert len(app.requests) == before
    # The same USER passes the location that only needs a token.
    assert identity(seen_by_app(api.get("/protected/page", token=user.access)))["x-auth-role"] == ["USER"]

    admin_account = api.new_user(admin_key=ADMIN_KEY)
    admin = api.login_as(admin_account)
    seen = seen_by_app(api.get("/protected/admin/report", token=admin.access))
    assert seen["path"] == "/protected/admin/report"
    assert identity(seen)["x-auth-role"] == ["ADMIN"]
    assert identity(seen)["x-auth-user-id"] == [str(admin_account.id)]
    # The current row decides: demoted, the admin is refused on the next request.
    assert api.db.execute("UPDATE users SET role = 'USER' WHERE id = ?", (admin_account.id,)) == 1
    assert_problem(api.get("/protected/admin/report", token=admin.access), 403, "forbidden")


def test_a_revoked_or_disabled_caller_is_refused_at_once(api, app):
    account = api.new_user()
    pair = api.login_as(account)
    seen_by_app(api.get("/protected/page", token=pair.access))
    assert api.logout(pair.access).status_code == 204
    assert_unauthorized(api.get("/protected/page", token=pair.access), "token_revoked")
    assert_unauthorized(api.get("/protected/page", token=pair.refresh), "token_wrong_type")

    other = api.login_as(account)
    api.db.set_active(account.id, False)
    assert_problem(api.get("/protected/page", token=other.access), 403, "account_disabled")


def test_a_username_outside_the_field_rules_arrives_percent_encoded(api, app):
    account = api.new_user()
    pair = api.login_as(account)
    assert api.db.execute("UPDATE users SET username = ? WHERE id = ?", ("zoë 100%", account.id)) == 1
    seen = seen_by_app(api.get("/protected/page", token=pair.access))
    assert identity(seen)["x-auth-username"] == ["zo%C3%AB%20100%25"]


def test_the_verify_endpoint_answers_directly(api):
    account = api.new_user()
    pair = api.login_as(account)
    r = api.get("/api/auth/verify", token=pair.access)
    assert r.status_code == 204 and r.content == b""
    assert r.headers.get("Cache-Control") == "no-store"
    assert len(header_values(r, "X-Request-ID")) == 1
    assert {name: r.headers.get(name) for name in IDENTITY} == {
        "x-auth-user-id": str(account.id), "x-auth-username": account.username, "x-auth-role": "USER",
        "x-auth-session-id": pair.sid, "x-auth-amr": "pwd"}
    assert api.get("/api/auth/verify?role=USER", token=pair.access).status_code == 204
    r = api.get("/api/auth/verify?role=ADMIN", token=pair.access)
    assert_problem(r, 403, "forbidden")
    assert r.headers.get("Cache-Control") == "no-store"
    r = api.get("/api/auth/verify?role=bogus", token=pair.access)
    assert_validation(r, {"role": "invalid_value"})
    assert r.headers.get("Cache-Control") == "no-store"
    # Token checks (§5 step 3) before validation (step 5).
    r = api.get("/api/auth/verify?role=bogus")
    assert_unauthorized(r, "token_missing", presented=False)
    assert r.headers.get("Cache-Control") == "no-store"
    assert assert_json(api.whoami(pair.access), 200)["user"]["id"] == account.id


def test_the_check_location_is_internal(api):
    r = api.get("/_auth_fcgi_verify")
    assert r.status_code == 404


def test_an_unreachable_check_is_503_problem(short_tmp, auth_bin, stack_factory, app):
    """The backend stopped while nginx keeps running (support.BackendWrapper): the check can't
    be made, and the client gets 503 backend_unavailable, never the application."""
    wrapper = support.BackendWrapper(short_tmp / "wrapper", auth_bin)
    stack = stack_factory(binary=wrapper.path, env={**wrapper.env, **auth_env(**protected_env(short_tmp, app))})
    api = Api(stack)
    pair = api.login_as(api.new_user())
    seen_by_app(api.get("/protected/page", token=pair.access))
    pid = wrapper.real_pid()
    os.kill(pid, signal.SIGTERM)
    assert wrapper.exit_code() == 0
    support.wait_for(lambda: not support.connectable(str(stack.run_dir / "run" / "auth-fcgi.sock")), 10,
                     "the backend socket to refuse connections")
    before = len(app.requests)
    r = api.get("/protected/page", token=pair.access)
    assert_problem(r, 503, "backend_unavailable")
    assert len(header_values(r, "X-Request-ID")) == 1
    assert len(app.requests) == before
