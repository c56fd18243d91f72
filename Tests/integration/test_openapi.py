"""The OpenAPI document at GET /api/openapi.json (issue 6, item 2), fetched through nginx:
a valid OpenAPI 3.1 document (openapi-spec-validator), and real responses of the running
service match the schema, media type and headers the document gives for their status
(jsonschema), so the document and the behaviour can't drift apart. Request bodies are held
to the documented request schemas too: those the service accepts validate, those it refuses
with 422 don't.

The document is the data file Sources/UserLogic/OpenAPI/openapi.json, compiled into the
binary: the file itself is validated too, and what is served is that file. The unit test
OpenAPIDocumentTests checks that the document's operations are exactly the router's routes
and that its error codes are exactly the ErrorCode and FieldErrorCode catalogs.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import jsonschema
import pytest
import requests

from api_client import DEFAULT_PASSWORD, start_api, unique
from support import REPO_ROOT, header_values, media_type

try:  # openapi-spec-validator >= 0.7
    from openapi_spec_validator import validate as validate_openapi
except ImportError:  # older releases
    from openapi_spec_validator import validate_spec as validate_openapi

SOURCE = REPO_ROOT / "Sources" / "UserLogic" / "OpenAPI" / "openapi.json"
ADMIN_KEY = "openapi-test-admin-registration-key-0001"
LOCKOUT_THRESHOLD = 2


@pytest.fixture(scope="module")
def api(module_stack_factory):
    return start_api(module_stack_factory, ADMIN_REGISTRATION_KEY=ADMIN_KEY, LOCKOUT_THRESHOLD=LOCKOUT_THRESHOLD)


@pytest.fixture(scope="module")
def doc(api) -> dict:
    r = requests.get(api.stack.url("/api/openapi.json"), timeout=10)
    assert r.status_code == 200, r.content[:500]
    assert media_type(r) == "application/json"
    return r.json()


# --- looking things up in the document ---------------------------------------------------

def resolve(doc: dict, node: dict) -> dict:
    """Follows a local `$ref` (#/components/...) to the object it names."""
    while "$ref" in node:
        target = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def documented_response(doc: dict, method: str, template: str, status: int) -> dict:
    operation = doc["paths"][template][method.lower()]
    responses = operation["responses"]
    assert str(status) in responses, (
        f"{method} {template} answered {status}, which the document doesn't list: {sorted(responses)}")
    return resolve(doc, responses[str(status)])


def validator(doc: dict, schema: dict) -> jsonschema.Draft202012Validator:
    """A validator for `schema`, with the document as its root so `#/components/...` resolves."""
    root = dict(doc)
    root.pop("$schema", None)
    root.update(schema)
    return jsonschema.Draft202012Validator(root)


def schema_errors(doc: dict, schema: dict, instance) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator(doc, schema).iter_errors(instance)]


def check(doc: dict, resp: requests.Response, method: str, template: str, status: int):
    """`resp` has `status`, and its media type, headers and body are those the document
    gives for that status of `method template`. Returns the parsed body (None when empty)."""
    assert resp.status_code == status, f"expected {status}, got {resp.status_code}: {resp.content[:500]!r}"
    documented = documented_response(doc, method, template, status)
    for name in documented.get("headers", {}):
        values = header_values(resp, name)
        assert len(values) == 1, f"{method} {template} {status}: header {name} {values} (documented)"
        header_schema = resolve(doc, documented["headers"][name])["schema"]
        value = values[0]
        if header_schema.get("type") == "integer":
            assert re.fullmatch(r"[0-9]+", value), f"{name}: {value!r}"
            value = int(value)
        errors = schema_errors(doc, header_schema, value)
        assert not errors, f"{method} {template} {status}: header {name}={values[0]!r}: {errors}"
    content = documented.get("content")
    if not content:
        assert resp.content == b"", f"{method} {template} {status}: documented without a body"
        return None
    assert media_type(resp) in content, (
        f"{method} {template} {status}: Content-Type {resp.headers.get('Content-Type')!r}, documented {list(content)}")
    body = resp.json()
    errors = schema_errors(doc, content[media_type(resp)]["schema"], body)
    assert not errors, f"{method} {template} {status}: body {body} doesn't match the document: {errors}"
    return body


def request_schema(doc: dict, method: str, template: str) -> dict:
    return doc["paths"][template][method.lower()]["requestBody"]["content"]["application/json"]["schema"]


def assert_request_fits(doc, method, template, body, fits: bool):
    errors = schema_errors(doc, request_schema(doc, method, template), body)
    if fits:
        assert not errors, f"{method} {template}: {body} should fit the request schema: {errors}"
    else:
        assert errors, f"{method} {template}: {body} should not fit the request schema"


# --- the document -------------------------------------------------------------------------

def test_document_is_valid_openapi_31(api, doc):
    assert doc["openapi"] == "3.1.0"
    validate_openapi(doc)


def test_source_file_is_valid_openapi_and_is_what_is_served(api, doc):
    text = SOURCE.read_text(encoding="utf-8")
    source = json.loads(text)
    validate_openapi(source)
    assert source == doc
    # Byte for byte: the binary embeds the file without its final newline.
    served = requests.get(api.stack.url("/api/openapi.json"), timeout=10).content
    assert served == text.encode().removesuffix(b"\n")


def test_document_response_is_documented_itself(api, doc):
    r = requests.get(api.stack.url("/api/openapi.json"), timeout=10)
    check(doc, r, "GET", "/api/openapi.json", 200)
    head = requests.head(api.stack.url("/api/openapi.json"), timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert head.headers.get("Content-Length") == str(len(r.content))


def test_every_schema_in_the_document_is_a_valid_json_schema(doc):
    for name, schema in doc["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)


# --- responses against the document -------------------------------------------------------

def test_health(api, doc):
    check(doc, api.get("/api/health"), "GET", "/api/health", 200)


def test_register_login_and_the_account(api, doc):
    name = unique("oa")
    body = {"username": name, "email": f"{name}@Example.com", "password": DEFAULT_PASSWORD,
            "first_name": "Ada", "last_name": None}
    assert_request_fits(doc, "POST", "/api/auth/register", body, True)
    created = check(doc, api.register(body), "POST", "/api/auth/register", 201)
    assert "locked_until" not in created["user"]

    login = {"email": f"{name}@example.com", "password": DEFAULT_PASSWORD}
    assert_request_fits(doc, "POST", "/api/auth/login", login, True)
    pair = check(doc, api.login(login), "POST", "/api/auth/login", 200)
    check(doc, api.whoami(pair["access_token"]), "GET", "/api/auth/whoami", 200)
    check(doc, api.me(pair["access_token"]), "GET", "/api/users/me", 200)
    uid = created["user"]["id"]
    check(doc, api.get(f"/api/users/{uid}", token=pair["access_token"]), "GET", "/api/users/{id}", 200)

    sessions = check(doc, api.sessions(pair["access_token"]), "GET", "/api/auth/sessions", 200)
    assert [s["current"] for s in sessions["items"]] == [True]
    check(doc, api.refresh(pair["refresh_token"]), "POST", "/api/auth/refresh", 200)
    # The used refresh token again: reuse, 401 token_revoked with WWW-Authenticate.
    problem = check(doc, api.refresh(pair["refresh_token"]), "POST", "/api/auth/refresh", 401)
    assert problem["code"] == "token_revoked"

    pair = check(doc, api.login({"username": name, "password": DEFAULT_PASSWORD}), "POST", "/api/auth/login", 200)
    change = {"current_password": "not the password", "new_password": "another good password"}
    assert_request_fits(doc, "POST", "/api/auth/password/change", change, True)
    problem = check(doc, api.change_password(pair["access_token"], change), "POST", "/api/auth/password/change", 403)
    assert problem["code"] == "current_password_incorrect"
    change["current_password"] = DEFAULT_PASSWORD
    pair = check(doc, api.change_password(pair["access_token"], change), "POST", "/api/auth/password/change", 200)

    patch = {"first_name": "Ada L.", "last_name": "Lovelace"}
    assert_request_fits(doc, "PATCH", "/api/users/{id}", patch, True)
    r = api.request("PATCH", f"/api/users/{uid}", token=pair["access_token"], body=patch)
    assert check(doc, r, "PATCH", "/api/users/{id}", 200)["user"]["last_name"] == "Lovelace"
    r = api.request("PUT", f"/api/users/{uid}", token=pair["access_token"], body={"last_name": None})
    assert check(doc, r, "PUT", "/api/users/{id}", 200)["user"]["last_name"] is None

    problem = check(doc, api.delete_session(pair["access_token"], "no-such-session"), "DELETE",
                    "/api/auth/sessions/{id}", 404)
    assert problem["code"] == "session_not_found"
    check(doc, api.logout(pair["access_token"]), "POST", "/api/auth/logout", 204)

    def login():
        r = api.login({"username": name, "password": "another good password"})
        return check(doc, r, "POST", "/api/auth/login", 200)["access_token"]

    token = login()
    check(doc, api.delete(f"/api/users/{uid}/sessions", token=token), "DELETE", "/api/users/{id}/sessions", 204)
    token = login()
    check(doc, api.logout_all(token), "POST", "/api/auth/logout-all", 204)
    problem = check(doc, api.whoami(token), "GET", "/api/auth/whoami", 401)
    assert problem["code"] == "token_revoked"
    check(doc, api.delete(f"/api/users/{uid}", token=login()), "DELETE", "/api/users/{id}", 204)


def test_problems(api, doc):
    name = unique("oa")
    bad = {"username": name, "email": "not-an-email", "password": "short"}
    assert_request_fits(doc, "POST", "/api/auth/register", bad, False)
    problem = check(doc, api.register(bad), "POST", "/api/auth/register", 422)
    assert {e["field"]: e["code"] for e in problem["errors"]} == {"email": "invalid_format", "password": "too_short"}

    unknown = {"username": name, "email": f"{name}@example.com", "password": DEFAULT_PASSWORD, "nickname": "x"}
    assert_request_fits(doc, "POST", "/api/auth/register", unknown, False)
    problem = check(doc, api.register(unknown), "POST", "/api/auth/register", 422)
    assert problem["errors"] == [{"field": "nickname", "code": "unknown_field", "message": problem["errors"][0]["message"]}]

    both = {"username": name, "email": f"{name}@example.com", "password": DEFAULT_PASSWORD}
    assert_request_fits(doc, "POST", "/api/auth/login", both, False)
    problem = check(doc, api.login(both), "POST", "/api/auth/login", 422)
    assert problem["errors"][0]["field"] == "username" and problem["errors"][0]["code"] == "invalid_value"

    # Duplicate member names: 400 malformed_json, as the document says.
    dup = f'{{"username":"{name}","username":"x","email":"{name}@example.com","password":"{DEFAULT_PASSWORD}"}}'
    r = api.request("POST", "/api/auth/register", data=dup, headers={"Content-Type": "application/json"})
    assert check(doc, r, "POST", "/api/auth/register", 400)["code"] == "malformed_json"
    r = api.request("POST", "/api/auth/register", data=b"{}", headers={"Content-Type": "text/plain"})
    assert check(doc, r, "POST", "/api/auth/register", 415)["code"] == "unsupported_media_type"

    account = api.new_user()
    r = api.register({"username": account.username.upper(), "email": f"{unique()}@example.com",
                      "password": DEFAULT_PASSWORD})
    assert check(doc, r, "POST", "/api/auth/register", 409)["code"] == "username_taken"
    r = api.register({"username": unique(), "email": account.email, "password": DEFAULT_PASSWORD,
                      "admin_key": "wrong"})
    assert check(doc, r, "POST", "/api/auth/register", 403)["code"] == "admin_key_invalid"

    problem = check(doc, api.login({"username": account.username, "password": "wrong password"}),
                    "POST", "/api/auth/login", 401)
    assert problem["code"] == "invalid_credentials"
    for _ in range(LOCKOUT_THRESHOLD - 1):
        api.login({"username": account.username, "password": "wrong password"})
    problem = check(doc, api.login({"username": account.username, "password": account.password}),
                    "POST", "/api/auth/login", 423)
    assert problem["code"] == "account_locked"

    for path in ("/api/auth/whoami", "/api/auth/sessions", "/api/users"):
        problem = check(doc, api.get(path), "GET", path, 401)
        assert problem["code"] == "token_missing"

    r = api.post("/api/auth/password/reset", {"token": "A" * 43, "new_password": "a fine new password"})
    assert check(doc, r, "POST", "/api/auth/password/reset", 400)["code"] == "reset_token_invalid"


def test_routing_and_nginx_problems(api, doc):
    components = doc["components"]["responses"]

    def check_component(resp, name, status):
        documented = components[name]
        assert resp.status_code == status
        schema = documented["content"]["application/problem+json"]["schema"]
        assert media_type(resp) == "application/problem+json"
        errors = schema_errors(doc, schema, resp.json())
        assert not errors, errors
        for header in documented["headers"]:
            assert len(header_values(resp, header)) == 1, f"{name}: {header}"

    check_component(api.get("/api/no/such/thing"), "NotFound", 404)
    check_component(api.get("/api/users/abc"), "NotFound", 404)
    r = api.request("DELETE", "/api/health")
    check_component(r, "MethodNotAllowed", 405)
    assert r.headers["Allow"] == "GET, HEAD"
    # Over 64 KiB: nginx's own 413, documented on every operation.
    r = api.request("POST", "/api/auth/login", data=b" " * 65537, headers={"Content-Type": "application/json"})
    assert check(doc, r, "POST", "/api/auth/login", 413)["code"] == "payload_too_large"


def test_admin_operations(api, doc):
    name = unique("oadm")
    body = {"username": name, "email": f"{name}@example.com", "password": DEFAULT_PASSWORD, "admin_key": ADMIN_KEY}
    assert_request_fits(doc, "POST", "/api/auth/register", body, True)
    check(doc, api.register(body), "POST", "/api/auth/register", 201)
    pair = check(doc, api.login({"username": name, "password": DEFAULT_PASSWORD}), "POST", "/api/auth/login", 200)
    assert "locked_until" in pair["user"]
    token = pair["access_token"]

    page = check(doc, api.get("/api/users?per_page=2&sort=-created_at&role=ADMIN&active=true", token=token),
                 "GET", "/api/users", 200)
    assert page["per_page"] == 2 and page["items"]
    problem = check(doc, api.get("/api/users?per_page=0&sort=bogus", token=token), "GET", "/api/users", 422)
    assert {e["field"] for e in problem["errors"]} == {"per_page", "sort"}

    new = {"username": unique("oab"), "email": f"{unique()}@example.com", "password": DEFAULT_PASSWORD,
           "role": "USER", "active": True}
    assert_request_fits(doc, "POST", "/api/users", new, True)
    created = check(doc, api.post("/api/users", new, token=token), "POST", "/api/users", 201)
    uid = created["user"]["id"]
    assert created["user"]["locked_until"] is None
    user = check(doc, api.get(f"/api/users/{uid}", token=token), "GET", "/api/users/{id}", 200)["user"]
    assert "locked_until" in user

    disable = {"active": False, "role": "USER"}
    assert_request_fits(doc, "PATCH", "/api/users/{id}", disable, True)
    r = api.request("PATCH", f"/api/users/{uid}", token=token, body=disable)
    assert check(doc, r, "PATCH", "/api/users/{id}", 200)["user"]["active"] is False
    r = api.request("PATCH", f"/api/users/{uid}", token=token, body={"role": "ROOT"})
    assert check(doc, r, "PATCH", "/api/users/{id}", 422)["errors"][0]["code"] == "invalid_value"
    assert_request_fits(doc, "PATCH", "/api/users/{id}", {"role": "ROOT"}, False)

    check(doc, api.post(f"/api/users/{uid}/unlock", token=token), "POST", "/api/users/{id}/unlock", 204)
    check(doc, api.delete(f"/api/users/{uid}", token=token), "DELETE", "/api/users/{id}", 204)
    problem = check(doc, api.get(f"/api/users/{uid}", token=token), "GET", "/api/users/{id}", 404)
    assert problem["code"] == "user_not_found"

    # A non-admin on an admin-only endpoint.
    account = api.new_user()
    user_token = api.login_as(account).access
    problem = check(doc, api.get("/api/users", token=user_token), "GET", "/api/users", 403)
    assert problem["code"] == "forbidden"


def test_password_reset(api, doc):
    account = api.new_user()
    forgot = {"email": account.email}
    assert_request_fits(doc, "POST", "/api/auth/password/forgot", forgot, True)
    check(doc, api.post("/api/auth/password/forgot", forgot), "POST", "/api/auth/password/forgot", 202)
    token = wait_for_reset_token(api.stack.run_dir / "mail", account.email)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token), token  # as the document describes it
    reset = {"token": token, "new_password": "a brand new password"}
    assert_request_fits(doc, "POST", "/api/auth/password/reset", reset, True)
    check(doc, api.post("/api/auth/password/reset", reset), "POST", "/api/auth/password/reset", 200)


def wait_for_reset_token(mail_dir: Path, address: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")) if mail_dir.is_dir() else []:
            text = path.read_text(errors="replace")
            if address in text:
                found = re.search(r"^Reset token: (\S+)\s*$", text, re.MULTILINE)
                if found:
                    return found.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no reset mail to {address} in {mail_dir} after {timeout}s")
