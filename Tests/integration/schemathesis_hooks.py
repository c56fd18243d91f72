"""Schemathesis hooks for test_schemathesis.py's authenticated run (loaded by the
`schemathesis run` subprocess through SCHEMATHESIS_HOOKS; not a test module).

Every generated case carries a valid admin token: the provider keeps one token pair and
logs in again (PASSWORD_COST=1 makes that cheap) once a case may have spent it: a 401 or
403 answer, a call of the refresh endpoint (rotation makes the refresh token single-use),
or a call that can revoke sessions (logout, logout-all, deleting sessions or users). If
the admin can no longer log in (a generated request created a second admin and then
disabled, demoted, deleted or locked ours), it registers a new admin with the
registration key. `POST /api/auth/refresh` gets the pair's refresh token (its security
scheme), every other operation the access token.

Environment: ST_BASE_URL (http://127.0.0.1:PORT), ST_ADMIN_KEY (ADMIN_REGISTRATION_KEY).
"""

from __future__ import annotations

import os
import threading
import uuid

import requests
import schemathesis

BASE_URL = os.environ["ST_BASE_URL"]
ADMIN_KEY = os.environ["ST_ADMIN_KEY"]
# Not the document's example password, so generated examples never guess it.
PASSWORD = "st-admin-" + uuid.uuid4().hex

# Paths whose non-GET operations may revoke or rotate out the cached pair.
SPENDING_PATHS = {
    "/api/auth/refresh",
    "/api/auth/logout",
    "/api/auth/logout-all",
    "/api/auth/password/change",
    "/api/auth/sessions/{id}",
    "/api/users/{id}",
    "/api/users/{id}/sessions",
}

_lock = threading.Lock()
_state: dict = {"name": None, "pair": None}
_http = requests.Session()
_http.trust_env = False  # loopback only, never a proxy


def _register_admin() -> str:
    name = f"stadmin{uuid.uuid4().hex[:10]}"
    r = _http.post(f"{BASE_URL}/api/auth/register", timeout=15,
                   json={"username": name, "email": f"{name}@example.com", "password": PASSWORD,
                         "admin_key": ADMIN_KEY})
    if r.status_code != 201 or r.json()["user"]["role"] != "ADMIN":
        raise RuntimeError(f"admin registration failed: {r.status_code} {r.text[:300]}")
    return name


def _login(name: str) -> dict | None:
    r = _http.post(f"{BASE_URL}/api/auth/login", json={"username": name, "password": PASSWORD}, timeout=15)
    if r.status_code == 200 and r.json()["user"]["role"] == "ADMIN":
        return r.json()
    return None


def _fresh_pair() -> dict:
    if _state["name"] is not None:
        pair = _login(_state["name"])
        if pair is not None:
            return pair
    _state["name"] = _register_admin()
    pair = _login(_state["name"])
    if pair is None:
        raise RuntimeError("a freshly registered admin can't log in")
    return pair


@schemathesis.auth(refresh_interval=None)
class AdminToken:
    def get(self, case, context):
        with _lock:
            if _state["pair"] is None:
                _state["pair"] = _fresh_pair()
            return _state["pair"]

    def set(self, case, data, context):
        token = data["refresh_token"] if case.operation.path == "/api/auth/refresh" else data["access_token"]
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {token}"


@schemathesis.hook
def after_call(context, case, response):
    spending = case.method.upper() != "GET" and case.operation.path in SPENDING_PATHS
    if spending or response.status_code in (401, 403):
        with _lock:
            _state["pair"] = None
