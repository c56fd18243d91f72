"""CORS is nginx's (contract §5 "Service"): allowlist from CORS_ORIGINS."""

import pytest
import requests

import support
from support import assert_problem

ALLOWED = "https://app.example.com"
ALLOWED_2 = "http://localhost:3000"
UNLISTED = ["https://evil.example.com", "https://app.example.com.evil.net", "http://app.example.com",
            "https://app.example.co", "null"]


def split_list(value):
    return {v.strip().lower() for v in (value or "").split(",") if v.strip()}


def cors_headers(r):
    return {k: v for k, v in r.headers.items() if k.lower().startswith("access-control-")}


@pytest.fixture(scope="module")
def cors_stack(module_stack_factory):
    return module_stack_factory(env={"CORS_ORIGINS": f"{ALLOWED},{ALLOWED_2}"})


def assert_cors_ok(r, origin):
    assert r.headers.get("Access-Control-Allow-Origin") == origin, cors_headers(r)
    assert len(r.raw.headers.getlist("Access-Control-Allow-Origin")) == 1
    assert "origin" in split_list(r.headers.get("Vary")), r.headers.get("Vary")
    assert {"x-request-id", "location", "retry-after"} <= split_list(r.headers.get("Access-Control-Expose-Headers"))
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_allowed_origin(cors_stack):
    for origin in (ALLOWED, ALLOWED_2):
        r = requests.get(cors_stack.url("/api/health"), headers={"Origin": origin}, timeout=10)
        assert r.status_code == 200
        assert_cors_ok(r, origin)


def test_allowed_origin_on_errors(cors_stack):
    r = requests.get(cors_stack.url("/api/no/such/thing"), headers={"Origin": ALLOWED}, timeout=10)
    assert_problem(r, 404, "not_found")
    assert_cors_ok(r, ALLOWED)

    r = requests.post(cors_stack.url("/api/health"), data=b"{}",
                      headers={"Origin": ALLOWED, "Content-Type": "application/json"}, timeout=10)
    assert_problem(r, 405, "method_not_allowed")
    assert_cors_ok(r, ALLOWED)


def test_allowed_origin_on_nginx_413(cors_stack):
    r = requests.post(cors_stack.url("/api/health"), data=b"x" * 65537,
                      headers={"Origin": ALLOWED, "Content-Type": "application/json"}, timeout=10)
    assert_problem(r, 413, "payload_too_large")
    assert_cors_ok(r, ALLOWED)


def test_preflight(cors_stack):
    r = requests.options(
        cors_stack.url("/api/auth/login"),
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, x-request-id",
        },
        timeout=10,
    )
    assert r.status_code == 204, (r.status_code, r.text[:300])
    assert r.headers.get("Access-Control-Allow-Origin") == ALLOWED
    assert "origin" in split_list(r.headers.get("Vary"))
    assert "Access-Control-Allow-Credentials" not in r.headers
    assert {"get", "post", "put", "patch", "delete"} <= split_list(r.headers.get("Access-Control-Allow-Methods"))
    assert {"authorization", "content-type", "x-request-id"} <= split_list(r.headers.get("Access-Control-Allow-Headers"))
    assert r.content == b""


@pytest.mark.parametrize("origin", UNLISTED)
def test_unlisted_origin_gets_no_cors_headers(cors_stack, origin):
    r = requests.get(cors_stack.url("/api/health"), headers={"Origin": origin}, timeout=10)
    assert r.status_code == 200
    assert cors_headers(r) == {}

    r = requests.options(cors_stack.url("/api/auth/login"),
                         headers={"Origin": origin, "Access-Control-Request-Method": "POST"}, timeout=10)
    assert cors_headers(r) == {}


def test_no_origin_no_cors_headers(cors_stack):
    r = requests.get(cors_stack.url("/api/health"), timeout=10)
    assert r.status_code == 200
    assert cors_headers(r) == {}


def test_empty_cors_origins_means_no_cors(stack_factory):
    st = stack_factory(env={"CORS_ORIGINS": ""})
    for origin in (ALLOWED, "https://evil.example.com"):
        r = requests.get(st.url("/api/health"), headers={"Origin": origin}, timeout=10)
        assert r.status_code == 200
        assert cors_headers(r) == {}
        r = requests.get(st.url("/api/no/such/thing"), headers={"Origin": origin}, timeout=10)
        assert r.status_code == 404
        assert cors_headers(r) == {}
        r = requests.options(st.url("/api/auth/login"),
                             headers={"Origin": origin, "Access-Control-Request-Method": "POST"}, timeout=10)
        assert cors_headers(r) == {}


# --- CORS_ORIGINS is checked at start (contract §5 Security (v2)) -----------------------------

@pytest.mark.parametrize("origins", [
    "null", "https://app.example.com,null", "*", "https://*.example.com", "https://app.example.com/path",
    "ftp://app.example.com", "chrome-extension://abcdef", "https://user@app.example.com",
    "https://app.example.com:0", "https://app.example.com:99999", "https://", "app.example.com",
])
def test_a_bad_cors_origin_refuses_to_start(auth_bin, short_tmp, origins):
    """Only http(s)://host[:port] origins: `null` would let sandboxed iframes of any site in."""
    lines = support.serve_local_refusal(auth_bin, short_tmp, CORS_ORIGINS=origins)
    assert len(lines) == 1 and "CORS_ORIGINS" in lines[0], lines


def test_origins_with_ports_and_ip_addresses_start(stack_factory):
    origins = ["http://127.0.0.1:3000", "http://[::1]:8080", "https://app.example.com:8443"]
    st = stack_factory(env={"CORS_ORIGINS": " , ".join(origins) + "/"})
    for origin in origins:
        r = requests.get(st.url("/api/health"), headers={"Origin": origin}, timeout=10)
        assert r.headers.get("Access-Control-Allow-Origin") == origin, cors_headers(r)
