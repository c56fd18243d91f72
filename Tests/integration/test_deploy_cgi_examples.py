"""The shipped plain-CGI examples (conf/cgi/) under real web servers: lighttpd with
lighttpd-auth-fcgi.conf, Apache (mod_cgid) with apache-auth-fcgi.conf, and Apache with
apache.htaccess in a document root. Each server is started by the test (cgi_servers),
unprivileged where the server allows it, on a free port in a temp directory, with the
example included as shipped (lighttpd: only its `var.auth_fcgi_dir` line is replaced) and
the configuration in a `.env` next to the binary, as the examples describe. The API is then
driven over HTTP: health, register, login, whoami with `Authorization: Bearer` (the
header must reach the CGI program), a query string, a 404 problem, and the `.env` must
not be served.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jwt
import pytest
import requests

import support
from cgi_servers import SITES, SetupError, raw_get
from support import assert_problem, media_type

ADMIN_KEY = "cgi-example-admin-registration-key-0001"
PASSWORD = "correct horse battery"
HEALTH = {"status": "ok", "database": "ok"}
# The .env next to the binary (cgi_servers.make_layout adds DATABASE_URL and MAIL_URL).
SETTINGS = {
    "AUTH_ENV": "production",
    "JWT_SECRET_KEY": support.TEST_JWT_SECRET,
    "MFA_SECRET_KEY": support.TEST_MFA_SECRET,
    "PUBLIC_BASE_URL": "http://127.0.0.1",
    "ADMIN_REGISTRATION_KEY": ADMIN_KEY,
    "PASSWORD_SCHEME": "yescrypt",
    "PASSWORD_COST": "1",
}


@pytest.fixture(scope="module", params=list(SITES))
def site(request, auth_bin):
    root = Path(tempfile.mkdtemp(prefix="afit-dcgi-", dir="/tmp"))
    server = None
    try:
        try:
            server, s = SITES[request.param](auth_bin, root, SETTINGS)
        except SetupError as e:
            pytest.fail(str(e), pytrace=False)
        server.start(s.url("/api/health"))
        yield s
    finally:
        try:
            if server is not None:
                server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


# --- the tests ---------------------------------------------------------------------------

def test_health(site):
    r = requests.get(site.url("/api/health"), headers={"X-Request-ID": "cgi-example.1"}, timeout=10)
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}{site.diagnostics()}"
    assert media_type(r) == "application/json"
    assert r.json() == HEALTH
    assert "no-store" in r.headers.get("Cache-Control", "")
    assert r.headers.get("X-Request-ID") == "cgi-example.1"


def test_register_login_whoami(site):
    """POST bodies, the Authorization header and the query string all reach the CGI."""
    name = f"cgi{uuid.uuid4().hex[:10]}"
    s = requests.Session()
    r = s.post(site.url("/api/auth/register"), timeout=15, json={
        "username": name, "email": f"{name}@example.com", "password": PASSWORD, "admin_key": ADMIN_KEY})
    assert r.status_code == 201, f"{r.status_code} {r.text[:300]}{site.diagnostics()}"
    user = r.json()["user"]
    assert user["username"] == name and user["role"] == "ADMIN"

    r = s.post(site.url("/api/auth/login"), json={"username": name, "password": PASSWORD}, timeout=15)
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    access = r.json()["access_token"]
    # Signed with the key from the .env next to the binary (no other configuration exists).
    claims = jwt.decode(access, support.TEST_JWT_SECRET, algorithms=["HS256"], audience="auth-fcgi-api")
    assert claims["sub"] == str(user["id"])

    r = s.get(site.url("/api/auth/whoami"), headers={"Authorization": f"Bearer {access}"}, timeout=15)
    assert r.status_code == 200, (f"whoami with a valid Bearer token: {r.status_code} {r.text[:300]} "
                                  "(does the server pass the Authorization header to CGI programs?)")
    assert r.json()["user"]["username"] == name

    assert_problem(s.get(site.url("/api/auth/whoami"), timeout=15), 401, "token_missing")
    assert_problem(s.get(site.url("/api/auth/whoami"), headers={"Authorization": "Bearer nope"}, timeout=15),
                   401, "token_invalid")

    r = s.get(site.url("/api/users"), params={"q": name, "per_page": 1},
              headers={"Authorization": f"Bearer {access}"}, timeout=15)
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    body = r.json()
    assert body["per_page"] == 1 and [u["username"] for u in body["items"]] == [name], body


def test_not_found_problem(site):
    assert_problem(requests.get(site.url("/api/no/such/thing?x=1"), timeout=10), 404, "not_found")
    assert_problem(requests.get(site.url("/api/"), timeout=10), 404, "not_found")


def test_method_not_allowed(site):
    r = requests.delete(site.url("/api/health"), timeout=10)
    assert_problem(r, 405, "method_not_allowed")


def test_configuration_is_not_served(site):
    for path in site.dotenv_urls:
        status, body = raw_get(site.base_url, path)
        assert status in (400, 403, 404), f"GET {path}: {status} {body[:200]!r}"
        for secret in (support.TEST_JWT_SECRET, support.TEST_MFA_SECRET):
            assert secret.encode() not in body, f"GET {path} served the configuration"


def test_concurrent_requests(site):
    """One process per request, all on one SQLite file: parallel writes don't fail."""
    def one(i):
        name = f"par{i}x{uuid.uuid4().hex[:8]}"
        with requests.Session() as s:
            r = s.post(site.url("/api/auth/register"), timeout=30,
                       json={"username": name, "email": f"{name}@example.com", "password": PASSWORD})
            login = s.post(site.url("/api/auth/login"), json={"username": name, "password": PASSWORD}, timeout=30)
            return r.status_code, login.status_code

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(16)))
    assert results == [(201, 200)] * 16, f"{results}{site.diagnostics()}"
