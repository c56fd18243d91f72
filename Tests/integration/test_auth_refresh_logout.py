"""Refresh rotation with reuse detection, logout and logout-all (contract §3, §5)."""

import pytest

from api_client import USER_KEYS, Api, Pair, assert_json, assert_no_content, assert_unauthorized, claims, start_api


@pytest.fixture(scope="module")
def api(module_stack_factory) -> Api:
    return start_api(module_stack_factory)


def refreshed(api, refresh_token) -> Pair:
    return Pair(assert_json(api.refresh(refresh_token), 200))


def test_refresh_returns_new_pair_in_same_session(api):
    account = api.new_user()
    first = api.login_as(account)
    second = refreshed(api, first.refresh)
    assert set(second.body) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert second.body["token_type"] == "Bearer" and second.body["expires_in"] == 900
    assert set(second.body["user"]) == USER_KEYS and second.body["user"]["id"] == account.id
    assert second.sid == first.sid
    assert claims(second.refresh)["sid"] == first.sid
    assert claims(second.refresh)["jti"] != claims(first.refresh)["jti"]
    assert claims(second.access)["jti"] != claims(first.access)["jti"]
    # The previous access token stays valid until exp; the new pair works; rotation goes on.
    api.whoami_ok(first.access)
    api.whoami_ok(second.access)
    third = refreshed(api, second.refresh)
    assert third.sid == first.sid
    api.whoami_ok(third.access)


def test_refresh_reuse_revokes_the_whole_session(api):
    account = api.new_user()
    first = api.login_as(account)
    other = api.login_as(account)  # another session of the same user
    second = refreshed(api, first.refresh)
    third = refreshed(api, second.refresh)

    assert_unauthorized(api.refresh(first.refresh), "token_revoked")
    # Every token of that session is now revoked, the newest included...
    assert_unauthorized(api.whoami(third.access), "token_revoked")
    assert_unauthorized(api.refresh(third.refresh), "token_revoked")
    assert_unauthorized(api.whoami(second.access), "token_revoked")
    assert_unauthorized(api.whoami(first.access), "token_revoked")
    assert_unauthorized(api.refresh(second.refresh), "token_revoked")
    # ...and the user's other session is untouched.
    api.whoami_ok(other.access)
    refreshed(api, other.refresh)


def test_logout(api):
    account = api.new_user()
    mine = api.login_as(account)
    other = api.login_as(account)
    assert_no_content(api.logout(mine.access))
    assert_unauthorized(api.whoami(mine.access), "token_revoked")
    assert_unauthorized(api.refresh(mine.refresh), "token_revoked")
    assert_unauthorized(api.logout(mine.access), "token_revoked")
    api.whoami_ok(other.access)
    again = refreshed(api, other.refresh)
    api.whoami_ok(again.access)


def test_logout_revokes_the_sessions_other_access_tokens(api):
    account = api.new_user()
    first = api.login_as(account)
    second = refreshed(api, first.refresh)
    assert_no_content(api.logout(second.access))
    assert_unauthorized(api.whoami(first.access), "token_revoked")
    assert_unauthorized(api.refresh(second.refresh), "token_revoked")


def test_logout_all(api):
    account = api.new_user()
    a = api.login_as(account)
    b = api.login_as(account, by="email")
    b2 = refreshed(api, b.refresh)
    bystander = api.new_user()
    theirs = api.login_as(bystander)

    assert_no_content(api.logout_all(a.access))
    for token in (a.access, b.access, b2.access):
        assert_unauthorized(api.whoami(token), "token_revoked")
    for token in (a.refresh, b2.refresh):
        assert_unauthorized(api.refresh(token), "token_revoked")
    api.whoami_ok(theirs.access)
    # A new login opens a new, working session.
    fresh = api.login_as(account)
    api.whoami_ok(fresh.access)
    items = assert_json(api.sessions(fresh.access), 200)["items"]
    assert [s["id"] for s in items] == [fresh.sid]
