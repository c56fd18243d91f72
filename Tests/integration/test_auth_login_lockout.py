"""POST /api/auth/login through nginx: credentials, disabled accounts, lockout (contract §3 Login, §5)."""

import time

import pytest

from api_client import (
    USER_KEYS, Api, assert_json, assert_problem, assert_unauthorized, assert_validation, parse_time, start_api,
    unique,
)
from support import wait_for

THRESHOLD = 3
LOCK_SECONDS = 3


@pytest.fixture(scope="module")
def api(module_stack_factory) -> Api:
    return start_api(module_stack_factory, LOCKOUT_THRESHOLD=THRESHOLD, LOCKOUT_SECONDS=LOCK_SECONDS)


def login(api, ident_field, ident, password):
    return api.login({ident_field: ident, "password": password})


def test_login_by_username_returns_pair(api):
    account = api.new_user()
    before = int(time.time())
    body = assert_json(api.login({"username": account.username, "password": account.password}), 200)
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert isinstance(body["access_token"], str) and isinstance(body["refresh_token"], str)
    assert body["access_token"] != body["refresh_token"]
    user = body["user"]
    assert set(user) == USER_KEYS
    assert user["id"] == account.id and user["username"] == account.username
    last_login = parse_time(user["last_login_at"])
    assert before - 2 <= last_login <= time.time() + 2
    assert api.whoami_ok(body["access_token"])["last_login_at"] == user["last_login_at"]


def test_login_case_insensitive_username_and_email(api):
    account = api.new_user(username=unique("MiXed"))
    for ident_field, ident in [("username", account.username.upper()), ("username", account.username.lower()),
                               ("email", account.email.upper()), ("email", account.email)]:
        body = assert_json(login(api, ident_field, ident, account.password), 200)
        assert body["user"]["id"] == account.id


def test_login_both_or_neither_identifier(api):
    account = api.new_user()
    r = api.login({"username": account.username, "email": account.email, "password": account.password})
    assert_validation(r, {"username": "invalid_value"})
    assert_validation(api.login({"password": account.password}), {"username": "required"})


def test_login_field_errors(api):
    assert_validation(api.login({"username": "someone"}), {"password": "required"})
    assert_validation(api.login({"username": "someone", "password": 5}), {"password": "invalid_type"})
    assert_validation(api.login({"username": 5, "password": "whatever1"}), {"username": "invalid_type"})
    assert_validation(api.login({"username": "someone", "password": "whatever1", "remember": True}),
                      {"remember": "unknown_field"})


def test_login_media_type_and_syntax(api):
    assert_problem(api.login(data=b'{"username":"a","password":"b"}', headers={"Content-Type": "text/plain"}),
                   415, "unsupported_media_type")
    assert_problem(api.login(data=b"{", headers={"Content-Type": "application/json"}), 400, "malformed_json")
    assert_problem(api.login(data=b""), 400, "malformed_json")
    # 415 → 400 → 422
    assert_problem(api.login(data=b"{", headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type")
    assert_problem(api.login(data=b'{"x":', headers={"Content-Type": "application/json"}), 400, "malformed_json")


def test_unknown_user_and_wrong_password_look_the_same(api):
    account = api.new_user()
    wrong = assert_unauthorized(login(api, "username", account.username, "wrong password!"),
                                "invalid_credentials", presented=False)
    unknown = assert_unauthorized(login(api, "username", unique("nobody"), "wrong password!"),
                                  "invalid_credentials", presented=False)
    unknown_email = assert_unauthorized(login(api, "email", f"{unique('nobody')}@example.com", "wrong password!"),
                                        "invalid_credentials", presented=False)
    assert wrong == unknown == unknown_email


def test_unknown_user_takes_about_as_long_as_a_wrong_password(module_stack_factory):
    # With a realistic cost (yescrypt 5, ~15 ms a hash) an unknown user must cost a hash
    # too (verify against a dummy hash); without it the answer is several times faster.
    slow = start_api(module_stack_factory, PASSWORD_COST=5, LOCKOUT_THRESHOLD=1000)
    account = slow.new_user()

    def median_time(body):
        times = []
        for _ in range(7):
            start = time.perf_counter()
            assert slow.login(body).status_code == 401
            times.append(time.perf_counter() - start)
        return sorted(times)[3]

    wrong = median_time({"username": account.username, "password": "wrong password!"})
    unknown = median_time({"username": unique("nobody"), "password": "wrong password!"})
    assert unknown >= 0.5 * wrong, f"unknown user {unknown * 1000:.1f} ms vs wrong password {wrong * 1000:.1f} ms"


def test_unknown_user_is_never_locked(api):
    name = unique("ghost")
    for _ in range(THRESHOLD + 2):
        assert_unauthorized(login(api, "username", name, "wrong password!"), "invalid_credentials", presented=False)


def test_disabled_account(api):
    account = api.new_user()
    pair = api.login_as(account)
    api.db.set_active(account.id, False)
    assert_unauthorized(login(api, "username", account.username, "wrong password!"), "invalid_credentials",
                        presented=False)
    assert_problem(login(api, "username", account.username, account.password), 403, "account_disabled")
    assert_problem(login(api, "email", account.email, account.password), 403, "account_disabled")
    # Existing tokens lose access on the next request (§2, §5).
    assert_problem(api.whoami(pair.access), 403, "account_disabled")
    assert_problem(api.refresh(pair.refresh), 403, "account_disabled")
    api.db.set_active(account.id, True)
    api.whoami_ok(pair.access)
    assert_json(api.refresh(pair.refresh), 200)


def assert_locked(resp) -> int:
    assert_problem(resp, 423, "account_locked")
    retry = resp.headers.get("Retry-After")
    assert retry is not None and retry.isdigit(), f"Retry-After: {retry!r}"
    assert 1 <= int(retry) <= LOCK_SECONDS, retry
    return int(retry)


def test_lockout_after_threshold_then_expiry_and_count_restarts(api):
    account = api.new_user()
    for _ in range(THRESHOLD):  # the failure that reaches the threshold still answers 401
        assert_unauthorized(login(api, "username", account.username, "wrong password!"), "invalid_credentials",
                            presented=False)
    # While locked: 423 for the right and the wrong password, by username or email.
    assert_locked(login(api, "username", account.username, account.password))
    assert_locked(login(api, "username", account.username, "wrong password!"))
    assert_locked(login(api, "email", account.email, account.password))

    def wrong_after_expiry():
        r = login(api, "username", account.username, "wrong password!")
        return None if r.status_code == 423 else [r]  # a list: a 4xx Response is falsy

    # Polled with a wrong password: the first answer after the lock is a 401 and a fresh
    # count of 1, not a new lock.
    [r] = wait_for(wrong_after_expiry, LOCK_SECONDS + 3, "the lock to expire", interval=0.1)
    assert_unauthorized(r, "invalid_credentials", presented=False)
    for _ in range(THRESHOLD - 2):
        assert_unauthorized(login(api, "username", account.username, "wrong password!"), "invalid_credentials",
                            presented=False)
    body = assert_json(login(api, "username", account.username, account.password), 200)
    assert body["user"]["id"] == account.id


def test_success_resets_the_counter(api):
    account = api.new_user()
    for _ in range(2):
        for _ in range(THRESHOLD - 1):
            assert_unauthorized(login(api, "username", account.username, "wrong password!"), "invalid_credentials",
                                presented=False)
        assert_json(login(api, "username", account.username, account.password), 200)


def test_failures_by_username_and_email_count_together(api):
    account = api.new_user()
    login(api, "username", account.username, "wrong password!")
    login(api, "email", account.email, "wrong password!")
    assert_unauthorized(login(api, "username", account.username.upper(), "wrong password!"), "invalid_credentials",
                        presented=False)
    assert_locked(login(api, "email", account.email.upper(), account.password))
