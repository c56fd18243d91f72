"""POST /api/auth/password/change (contract §3, §5)."""

import pytest

from api_client import (
    Api, Pair, assert_json, assert_no_content, assert_problem, assert_unauthorized, assert_validation, claims, start_api, unique,
)

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(scope="module")
def api(module_stack_factory) -> Api:
    return start_api(module_stack_factory)


def change(api, pair, current, new):
    return api.change_password(pair.access, {"current_password": current, "new_password": new})


def test_wrong_current_password_403_and_nothing_changes(api):
    account = api.new_user()
    pair = api.login_as(account)
    other = api.login_as(account)
    assert_problem(change(api, pair, "not the password", NEW_PASSWORD), 403, "current_password_incorrect")
    api.login_as(account)
    assert_unauthorized(api.login({"username": account.username, "password": NEW_PASSWORD}),
                        "invalid_credentials", presented=False)
    api.whoami_ok(other.access)
    assert_json(api.refresh(other.refresh), 200)


@pytest.mark.parametrize(
    "body,expected",
    [
        ({"new_password": NEW_PASSWORD}, {"current_password": "required"}),
        ({"current_password": "whatever"}, {"new_password": "required"}),
        ({}, {"current_password": "required", "new_password": "required"}),
        ({"current_password": "whatever", "new_password": "short"}, {"new_password": "too_short"}),
        ({"current_password": "whatever", "new_password": ""}, {"new_password": "too_short"}),
        ({"current_password": "whatever", "new_password": "x" * 129}, {"new_password": "too_long"}),
        ({"current_password": "whatever", "new_password": "😀" * 7}, {"new_password": "too_short"}),
        ({"current_password": 1, "new_password": NEW_PASSWORD}, {"current_password": "invalid_type"}),
        ({"current_password": "whatever", "new_password": None}, {"new_password": "invalid_type"}),
        ({"current_password": "whatever", "new_password": NEW_PASSWORD, "x": 1}, {"x": "unknown_field"}),
    ],
)
def test_validation(api, body, expected):
    # The current password here is wrong too: 422 (step 5) comes before 403 (step 7).
    pair = api.login_as(api.new_user())
    assert_validation(api.change_password(pair.access, body), expected)


def test_new_password_too_similar(api):
    account = api.new_user(username=unique("Similar"))
    pair = api.login_as(account)
    assert_validation(change(api, pair, account.password, account.username.upper()), {"new_password": "too_similar"})
    assert_validation(change(api, pair, account.password, account.email.upper()), {"new_password": "too_similar"})
    assert_validation(change(api, pair, "wrong password", account.username), {"new_password": "too_similar"})


def test_media_type_and_syntax(api):
    pair = api.login_as(api.new_user())
    body = b'{"current_password":"x","new_password":"y"}'
    assert_problem(api.change_password(pair.access, data=body, headers={"Content-Type": "text/plain"}),
                   415, "unsupported_media_type")
    assert_problem(api.change_password(pair.access, data=b"[1]", headers={"Content-Type": "application/json"}),
                   400, "malformed_json")
    assert_problem(api.change_password(pair.access, data=b""), 400, "malformed_json")


def test_change_keeps_this_session_and_revokes_the_others(api):
    account = api.new_user()
    mine = api.login_as(account)
    other = api.login_as(account)
    another = api.login_as(account, by="email")

    r = change(api, mine, account.password, NEW_PASSWORD)
    new = Pair(assert_json(r, 200))
    assert set(new.body) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert new.body["token_type"] == "Bearer"
    assert new.body["user"]["id"] == account.id
    assert new.sid == mine.sid and claims(new.refresh)["sid"] == mine.sid
    assert claims(new.refresh)["jti"] != claims(mine.refresh)["jti"]

    # Other sessions: revoked, access and refresh.
    for pair in (other, another):
        assert_unauthorized(api.whoami(pair.access), "token_revoked")
        assert_unauthorized(api.refresh(pair.refresh), "token_revoked")
    # This session: the old access token stays valid until exp, the new pair works.
    api.whoami_ok(mine.access)
    api.whoami_ok(new.access)
    assert [s["id"] for s in assert_json(api.sessions(new.access), 200)["items"]] == [mine.sid]

    # Passwords: the new one logs in, the old one doesn't.
    api.login_as(account, password=NEW_PASSWORD)
    assert_unauthorized(api.login({"username": account.username, "password": account.password}),
                        "invalid_credentials", presented=False)

    # The session's previous refresh token was rotated out: presenting it is reuse, which
    # revokes the session, the new pair included.
    assert_unauthorized(api.refresh(mine.refresh), "token_revoked")
    assert_unauthorized(api.whoami(new.access), "token_revoked")
    assert_unauthorized(api.refresh(new.refresh), "token_revoked")


def test_new_refresh_token_after_change_rotates(api):
    account = api.new_user()
    mine = api.login_as(account)
    new = Pair(assert_json(change(api, mine, account.password, NEW_PASSWORD), 200))
    after = Pair(assert_json(api.refresh(new.refresh), 200))
    assert after.sid == mine.sid
    api.whoami_ok(after.access)
    api.whoami_ok(mine.access)


def test_change_needs_an_access_token(api):
    account = api.new_user()
    pair = api.login_as(account)
    body = {"current_password": account.password, "new_password": NEW_PASSWORD}
    assert_unauthorized(api.change_password(None, body), "token_missing", presented=False)
    assert_unauthorized(api.change_password(pair.refresh, body), "token_wrong_type")
    assert_no_content(api.logout(pair.access))
    assert_unauthorized(api.change_password(pair.access, body), "token_revoked")
    api.login_as(account)  # the password did not change
