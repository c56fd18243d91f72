"""GET /api/auth/whoami and its alias GET /api/users/me (contract §1 user object, §3)."""

import pytest

from api_client import USER_KEYS, Api, assert_json, start_api

ADMIN_KEY = "whoami-admin-registration-key-0123456789"


@pytest.fixture(scope="module")
def api(module_stack_factory) -> Api:
    return start_api(module_stack_factory, ADMIN_REGISTRATION_KEY=ADMIN_KEY)


def test_whoami_and_me_return_the_callers_user(api):
    account = api.new_user(first_name="Grace", last_name="Hopper")
    pair = api.login_as(account)
    who = assert_json(api.whoami(pair.access), 200)
    me = assert_json(api.me(pair.access), 200)
    assert set(who) == {"user"} and who == me
    user = who["user"]
    assert set(user) == USER_KEYS, "a USER sees no locked_until"
    assert user["id"] == account.id and user["username"] == account.username and user["email"] == account.email
    assert (user["first_name"], user["last_name"]) == ("Grace", "Hopper")
    assert user["role"] == "USER" and user["active"] is True
    assert user["last_login_at"] == pair.body["user"]["last_login_at"] is not None


def test_admin_sees_locked_until_on_its_own_user(api):
    account = api.new_user(admin_key=ADMIN_KEY)
    pair = api.login_as(account)
    assert set(pair.body["user"]) == USER_KEYS | {"locked_until"}
    user = assert_json(api.whoami(pair.access), 200)["user"]
    assert user["role"] == "ADMIN"
    assert set(user) == USER_KEYS | {"locked_until"}
    assert user["locked_until"] is None
    assert assert_json(api.me(pair.access), 200)["user"] == user


def test_role_comes_from_the_database_not_the_token(api):
    account = api.new_user()
    pair = api.login_as(account)
    assert api.db.execute("UPDATE users SET role = 'ADMIN' WHERE id = ?", (account.id,)) == 1
    user = assert_json(api.whoami(pair.access), 200)["user"]
    assert user["role"] == "ADMIN" and "locked_until" in user
