"""Helpers for the test_users_* modules (contract shared/spec/api.md §3 "Users", §5):
a client with the Users endpoints, admins made through register's admin_key, and
users made by an admin through POST /api/users.

    @pytest.fixture(scope="module")
    def api(module_stack_factory):
        return start_users_api(module_stack_factory)
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import pytest

from api_client import (
    _UNSET, DEFAULT_PASSWORD, USER_KEYS, Account, Api, Pair, assert_json, auth_env, unique,
)

ADMIN_KEY = "integration-admin-registration-key"
ADMIN_USER_KEYS = USER_KEYS | {"locked_until"}
LOCKOUT_THRESHOLD = 3

USERS_ENV = {
    "ADMIN_REGISTRATION_KEY": ADMIN_KEY,
    "LOCKOUT_THRESHOLD": str(LOCKOUT_THRESHOLD),
    "LOCKOUT_SECONDS": "900",
}


def start_users_api(factory, **env) -> "UsersApi":
    merged = dict(USERS_ENV)
    merged.update({k: str(v) for k, v in env.items()})
    return UsersApi(factory(env=auth_env(**merged)))


def tag() -> str:
    """A marker unique to one test, to put in usernames and find them again with `q`."""
    return "t" + uuid.uuid4().hex[:10]


class Actor:
    """A logged-in account: its Account and a live token pair."""

    def __init__(self, account: Account, pair: Pair):
        self.account = account
        self.pair = pair

    @property
    def id(self) -> int:
        return self.account.id

    @property
    def token(self) -> str:
        return self.pair.access


class UsersApi(Api):
    # --- endpoints ------------------------------------------------------------------
    def list_users(self, token: str | None, params: dict | str | None = None, **kw):
        query = params if isinstance(params, str) else urlencode(params or {})
        return self.get("/api/users" + (f"?{query}" if query else ""), token=token, **kw)

    def create_user(self, token: str | None, body=_UNSET, **kw):
        return self.post("/api/users", body, token=token, **kw)

    def get_user(self, token: str | None, user_id, **kw):
        return self.get(f"/api/users/{user_id}", token=token, **kw)

    def patch_user(self, token: str | None, user_id, body=_UNSET, method: str = "PATCH", **kw):
        return self.request(method, f"/api/users/{user_id}", token=token, body=body, **kw)

    def put_user(self, token: str | None, user_id, body=_UNSET, **kw):
        return self.patch_user(token, user_id, body, method="PUT", **kw)

    def delete_user(self, token: str | None, user_id, **kw):
        return self.delete(f"/api/users/{user_id}", token=token, **kw)

    def unlock_user(self, token: str | None, user_id, **kw):
        return self.post(f"/api/users/{user_id}/unlock", token=token, **kw)

    def revoke_user_sessions(self, token: str | None, user_id, **kw):
        return self.delete(f"/api/users/{user_id}/sessions", token=token, **kw)

    # --- flows ----------------------------------------------------------------------
    def new_admin(self, **overrides) -> Actor:
        """An ADMIN registered with the admin key, logged in."""
        account = self.new_user(admin_key=ADMIN_KEY, **overrides)
        assert account.user["role"] == "ADMIN", account.user
        return Actor(account, self.login_as(account))

    def new_member(self, **overrides) -> Actor:
        """A USER registered anonymously, logged in."""
        account = self.new_user(**overrides)
        assert account.user["role"] == "USER", account.user
        return Actor(account, self.login_as(account))

    def created(self, admin_token: str, **fields) -> dict:
        """A user created by an admin through POST /api/users; returns its user object."""
        name = fields.pop("username", None) or unique()
        body = {"username": name, "email": f"{name}@example.com", "password": DEFAULT_PASSWORD}
        body.update(fields)
        return assert_json(self.create_user(admin_token, body), 201)["user"]

    def user_ok(self, token: str, user_id: int) -> dict:
        return assert_json(self.get_user(token, user_id), 200)["user"]

    def listing(self, token: str, params: dict | str | None = None) -> dict:
        body = assert_json(self.list_users(token, params), 200)
        assert set(body) == {"items", "page", "per_page", "total", "pages"}, body
        return body

    def list_ids(self, token: str, params: dict) -> list[int]:
        return [u["id"] for u in self.listing(token, params)["items"]]


# Fixtures the test_users_* modules import: one stack per module, an admin, a fresh member.

@pytest.fixture(scope="module")
def api(module_stack_factory):
    return start_users_api(module_stack_factory)


@pytest.fixture(scope="module")
def admin(api):
    return api.new_admin()


@pytest.fixture
def member(api):
    return api.new_member()
