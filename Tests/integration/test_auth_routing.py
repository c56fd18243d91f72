"""Routing and body size on the auth paths (contract §1, §5 steps 1–2 come first)."""

import json

import pytest

from api_client import Api, assert_problem, assert_unauthorized, assert_validation, start_api

LIMIT = 65536


@pytest.fixture(scope="module")
def api(module_stack_factory) -> Api:
    return start_api(module_stack_factory)


@pytest.mark.parametrize(
    "method,path,allowed",
    [
        ("GET", "/api/auth/register", "POST"),
        ("PUT", "/api/auth/login", "POST"),
        ("GET", "/api/auth/refresh", "POST"),
        ("DELETE", "/api/auth/logout", "POST"),
        ("GET", "/api/auth/logout-all", "POST"),
        ("POST", "/api/auth/whoami", "GET"),
        ("DELETE", "/api/users/me", "GET"),
        ("GET", "/api/auth/password/change", "POST"),
        ("POST", "/api/auth/sessions", "GET"),
        ("GET", "/api/auth/sessions/abc", "DELETE"),
    ],
)
def test_wrong_method_405_before_auth(api, method, path, allowed):
    # No token is sent: routing (step 1) answers before the token check (step 3).
    r = api.request(method, path, data=b"{", headers={"Content-Type": "application/json"})
    assert_problem(r, 405, "method_not_allowed")
    allow = {m.strip() for m in r.headers.get("Allow", "").split(",")}
    assert allowed in allow, r.headers.get("Allow")


@pytest.mark.parametrize("path", ["/api/auth", "/api/auth/", "/api/auth/nope", "/api/auth/sessions/a/b",
                                  "/api/auth/register/x", "/api/auth/password"])
def test_unknown_auth_paths_404(api, path):
    assert_problem(api.request("POST", path), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/auth/register", "/api/auth/login", "/api/auth/logout",
                                  "/api/auth/password/change"])
def test_body_over_64k_is_413_before_auth_and_validation(api, path):
    body = b'{"pad":"' + b"x" * (LIMIT + 1 - 10) + b'"}'
    assert len(body) == LIMIT + 1
    r = api.request("POST", path, data=body, headers={"Content-Type": "application/json"})
    assert_problem(r, 413, "payload_too_large")


def test_body_of_exactly_64k_is_read(api):
    body = Api.registration(pad="")
    size = len(json.dumps(body).encode())
    body["pad"] = "x" * (LIMIT - size)
    data = json.dumps(body).encode()
    assert len(data) == LIMIT
    r = api.register(data=data, headers={"Content-Type": "application/json"})
    assert_validation(r, {"pad": "unknown_field"})
    r = api.logout(None, data=data, headers={"Content-Type": "application/json"})
    assert_unauthorized(r, "token_missing", presented=False)
