"""POST /api/users/{id}/unlock and DELETE /api/users/{id}/sessions through nginx
(contract §3 "Users", §5 "Users" and "Auth and tokens").

LOCKOUT_THRESHOLD wrong logins lock an account (LOCKOUT_SECONDS is long, so no lock
expires during a test).
"""

import pytest

from api_client import (
    assert_json, assert_no_content, assert_problem, assert_unauthorized, parse_time,
)
from users_support import LOCKOUT_THRESHOLD, admin, api, member  # noqa: F401 (fixtures)


def lock(api, account):
    for _ in range(LOCKOUT_THRESHOLD):
        assert_problem(api.login({"username": account.username, "password": "wrong password!"}),
                       401, "invalid_credentials")
    r = api.login({"username": account.username, "password": account.password})
    assert_problem(r, 423, "account_locked")


def login_ok(api, account) -> dict:
    return assert_json(api.login({"username": account.username, "password": account.password}), 200)


# --- unlock ------------------------------------------------------------------------------

def test_unlock_a_locked_user(api, admin, member):
    lock(api, member.account)
    locked = api.user_ok(admin.token, member.id)
    assert locked["locked_until"] is not None
    parse_time(locked["locked_until"])
    assert_no_content(api.unlock_user(admin.token, member.id))
    assert api.user_ok(admin.token, member.id)["locked_until"] is None
    login_ok(api, member.account)


def test_after_unlock_the_count_starts_again(api, admin, member):
    # Like an expired lock (contract §3 Login): clearing it starts the count again.
    lock(api, member.account)
    assert_no_content(api.unlock_user(admin.token, member.id))
    for _ in range(LOCKOUT_THRESHOLD - 1):
        assert_problem(api.login({"username": member.account.username, "password": "wrong password!"}),
                       401, "invalid_credentials")
    login_ok(api, member.account)


def test_unlock_an_unlocked_user(api, admin, member):
    assert_no_content(api.unlock_user(admin.token, member.id))
    assert_no_content(api.unlock_user(admin.token, member.id))
    login_ok(api, member.account)


def test_unlock_is_admin_only(api, admin, member):
    lock(api, member.account)
    assert_problem(api.unlock_user(member.token, member.id), 403, "forbidden")  # its own id
    other = api.new_member()
    assert_problem(api.unlock_user(member.token, other.id), 403, "forbidden")
    assert_problem(api.unlock_user(member.token, admin.id), 403, "forbidden")
    assert_problem(api.unlock_user(member.token, 987654321), 403, "forbidden")
    assert_unauthorized(api.unlock_user(None, member.id), "token_missing", presented=False)
    assert_problem(api.login({"username": member.account.username, "password": member.account.password}),
                   423, "account_locked")


def test_admin_unlocks_another_admin(api, admin):
    other = api.new_admin()
    lock(api, other.account)
    assert_no_content(api.unlock_user(admin.token, other.id))
    login_ok(api, other.account)
    # and itself (not locked: 204)
    assert_no_content(api.unlock_user(admin.token, admin.id))


def test_unlock_unknown_and_non_numeric(api, admin, member):
    assert_problem(api.unlock_user(admin.token, 987654321), 404, "user_not_found")
    assert_problem(api.unlock_user(admin.token, "abc"), 404, "not_found")
    assert_problem(api.unlock_user(member.token, "abc"), 404, "not_found")
    r = api.request("GET", f"/api/users/{member.id}/unlock", token=admin.token)
    assert_problem(r, 405, "method_not_allowed")
    assert "POST" in r.headers.get("Allow", "")


def test_unlock_ignores_a_body(api, admin, member):
    lock(api, member.account)
    r = api.unlock_user(admin.token, member.id, data=b'{"x": 1}', headers={"Content-Type": "application/json"})
    assert_no_content(r)
    login_ok(api, member.account)


# --- DELETE /api/users/{id}/sessions ---------------------------------------------------

def assert_all_revoked(api, pairs):
    for pair in pairs:
        assert_unauthorized(api.whoami(pair.access), "token_revoked")
        assert_unauthorized(api.refresh(pair.refresh), "token_revoked")


def test_admin_revokes_a_users_sessions(api, admin, member):
    second = api.login_as(member.account)
    refreshed = assert_json(api.refresh(second.refresh), 200)
    assert_no_content(api.revoke_user_sessions(admin.token, member.id))
    assert_all_revoked(api, [member.pair, second])
    assert_unauthorized(api.whoami(refreshed["access_token"]), "token_revoked")
    assert_unauthorized(api.refresh(refreshed["refresh_token"]), "token_revoked")
    # the account itself is fine: a new login works
    fresh = api.login_as(member.account)
    assert api.whoami_ok(fresh.access)["id"] == member.id
    # the admin's own session is untouched
    api.listing(admin.token)


def test_user_revokes_own_sessions(api, member):
    second = api.login_as(member.account)
    assert_no_content(api.revoke_user_sessions(member.token, member.id))
    assert_all_revoked(api, [member.pair, second])
    api.login_as(member.account)


def test_admin_revokes_own_sessions(api):
    me = api.new_admin()
    second = api.login_as(me.account)
    assert_no_content(api.revoke_user_sessions(me.token, me.id))
    assert_all_revoked(api, [me.pair, second])
    api.listing(api.login_as(me.account).access)


def test_revoke_another_admins_sessions_is_forbidden(api, admin):
    other = api.new_admin()
    assert_problem(api.revoke_user_sessions(admin.token, other.id), 403, "forbidden")
    api.listing(other.token)


def test_revoke_other_as_non_admin_is_forbidden(api, admin, member):
    other = api.new_member()
    assert_problem(api.revoke_user_sessions(member.token, other.id), 403, "forbidden")
    assert_problem(api.revoke_user_sessions(member.token, admin.id), 403, "forbidden")
    assert_problem(api.revoke_user_sessions(member.token, 987654321), 403, "forbidden")
    api.whoami_ok(other.token)
    assert_unauthorized(api.revoke_user_sessions(None, member.id), "token_missing", presented=False)


def test_revoke_unknown_and_non_numeric(api, admin, member):
    assert_problem(api.revoke_user_sessions(admin.token, 987654321), 404, "user_not_found")
    assert_problem(api.revoke_user_sessions(admin.token, "abc"), 404, "not_found")
    assert_problem(api.revoke_user_sessions(member.token, "abc"), 404, "not_found")


def test_revoke_without_sessions_is_204(api, admin, member):
    assert_no_content(api.revoke_user_sessions(admin.token, member.id))
    assert_no_content(api.revoke_user_sessions(admin.token, member.id))
    assert_unauthorized(api.whoami(member.token), "token_revoked")


def test_revoked_sessions_leave_the_session_list(api, admin, member):
    api.login_as(member.account)
    assert_no_content(api.revoke_user_sessions(admin.token, member.id))
    fresh = api.login_as(member.account)
    items = assert_json(api.sessions(fresh.access), 200)["items"]
    assert [s["id"] for s in items] == [fresh.sid]
