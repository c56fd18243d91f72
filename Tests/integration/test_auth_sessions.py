"""GET /api/auth/sessions and DELETE /api/auth/sessions/{id} (contract §3, §5)."""

import pytest
from urllib3.util import SKIP_HEADER

from api_client import (
    SESSION_KEYS, Api, Pair, assert_json, assert_no_content, assert_problem, assert_unauthorized, parse_time,
    start_api, wait_until_next_second,
)

REFRESH_TTL = 3600


@pytest.fixture(scope="module")
def api(module_stack_factory) -> Api:
    return start_api(module_stack_factory, REFRESH_TOKEN_TTL=REFRESH_TTL)


def listed(api, access_token) -> list[dict]:
    body = assert_json(api.sessions(access_token), 200)
    assert set(body) == {"items"}
    return body["items"]


def test_list_newest_first_with_current_flag_agent_and_ip(api):
    account = api.new_user()
    pairs = [api.login_as(account, user_agent=f"agent-{i}/1.0 (tests)") for i in range(3)]
    items = listed(api, pairs[1].access)
    assert [s["id"] for s in items] == [p.sid for p in reversed(pairs)]
    for item, i in zip(items, [2, 1, 0]):
        assert set(item) == SESSION_KEYS, item
        assert isinstance(item["id"], str)
        assert item["current"] is (i == 1)
        assert item["user_agent"] == f"agent-{i}/1.0 (tests)"
        assert item["ip"] == "127.0.0.1"
        created = parse_time(item["created_at"])
        assert item["last_used_at"] == item["created_at"]
        assert parse_time(item["expires_at"]) - created == REFRESH_TTL
    assert [s["current"] for s in listed(api, pairs[0].access)] == [False, False, True]


def test_session_without_user_agent_and_ip_from_the_connection(api):
    account = api.new_user()
    pair = Pair(assert_json(api.login({"username": account.username, "password": account.password},
                                      headers={"User-Agent": SKIP_HEADER, "X-Forwarded-For": "203.0.113.9"}), 200))
    [item] = listed(api, pair.access)
    assert item["user_agent"] is None
    assert item["ip"] == "127.0.0.1", "REMOTE_ADDR, not a client-supplied X-Forwarded-For"


def test_other_users_sessions_are_not_listed(api):
    mine, theirs = api.new_user(), api.new_user()
    pair = api.login_as(mine)
    api.login_as(theirs)
    assert [s["id"] for s in listed(api, pair.access)] == [pair.sid]


def test_last_used_at_changes_on_refresh_not_on_access(api):
    account = api.new_user()
    pair = api.login_as(account, user_agent="first-agent")
    [item] = listed(api, pair.access)
    created = parse_time(item["created_at"])
    wait_until_next_second(created)
    api.whoami_ok(pair.access)  # using the access token is not "use" of the session
    [item] = listed(api, pair.access)
    assert item["last_used_at"] == item["created_at"]

    new = Pair(assert_json(api.refresh(pair.refresh, headers={"User-Agent": "second-agent"}), 200))
    [item] = listed(api, new.access)
    assert item["id"] == pair.sid and item["current"] is True
    assert parse_time(item["last_used_at"]) > created
    assert parse_time(item["created_at"]) == created
    assert item["user_agent"] == "first-agent", "user_agent comes from the request that opened the session"

    first_refresh = parse_time(item["last_used_at"])
    wait_until_next_second(first_refresh)
    newer = Pair(assert_json(api.refresh(new.refresh), 200))
    [item] = listed(api, newer.access)
    assert parse_time(item["last_used_at"]) > first_refresh


def test_delete_another_session_of_mine(api):
    account = api.new_user()
    keep, gone = api.login_as(account), api.login_as(account)
    assert_no_content(api.delete_session(keep.access, gone.sid))
    assert_unauthorized(api.whoami(gone.access), "token_revoked")
    assert_unauthorized(api.refresh(gone.refresh), "token_revoked")
    assert [s["id"] for s in listed(api, keep.access)] == [keep.sid]
    api.whoami_ok(keep.access)
    # Already revoked → 404.
    assert_problem(api.delete_session(keep.access, gone.sid), 404, "session_not_found")


def test_delete_my_current_session(api):
    account = api.new_user()
    pair = api.login_as(account)
    assert_no_content(api.delete_session(pair.access, pair.sid))
    assert_unauthorized(api.whoami(pair.access), "token_revoked")
    assert_unauthorized(api.refresh(pair.refresh), "token_revoked")


def test_delete_someone_elses_or_unknown_session_is_404(api):
    mine, theirs = api.new_user(), api.new_user()
    me, them = api.login_as(mine), api.login_as(theirs)
    assert_problem(api.delete_session(me.access, them.sid), 404, "session_not_found")
    api.whoami_ok(them.access)
    assert_json(api.refresh(them.refresh), 200)
    assert_problem(api.delete_session(me.access, "no-such-session"), 404, "session_not_found")
    assert_problem(api.delete_session(me.access, "A" * 22), 404, "session_not_found")


def test_delete_session_revoked_by_logout_or_expired_is_404(api):
    account = api.new_user()
    me, out, old = api.login_as(account), api.login_as(account), api.login_as(account)
    assert_no_content(api.logout(out.access))
    assert_problem(api.delete_session(me.access, out.sid), 404, "session_not_found")
    # Expire a session by moving its expiry into the past in the database.
    assert api.db.execute("UPDATE sessions SET expires_at = expires_at - ? WHERE id = ?",
                          (REFRESH_TTL + 3600, old.sid)) == 1
    assert [s["id"] for s in listed(api, me.access)] == [me.sid]
    assert_problem(api.delete_session(me.access, old.sid), 404, "session_not_found")


def test_delete_session_needs_access_token(api):
    account = api.new_user()
    pair = api.login_as(account)
    assert_unauthorized(api.delete_session(None, pair.sid), "token_missing", presented=False)
    assert_unauthorized(api.delete_session(pair.refresh, pair.sid), "token_wrong_type")
    api.whoami_ok(pair.access)
