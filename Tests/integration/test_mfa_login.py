"""The login's second step through nginx: 403 mfa_required with an mfa_token, then
POST /api/auth/login/mfa with a code or a recovery code (contract §2 `amr`, §3 "Two-factor
sign-in with TOTP", §5 "Security (v2)"; issue 18)."""

import time
import uuid

import pytest

from api_client import (
    USER_KEYS, Pair, assert_json, assert_problem, assert_unauthorized, assert_validation, attacker_key, claims,
    parse_time, sign, verify, wait_until_next_second,
)
from mfa_support import (
    MFA_TOKEN_LIFETIME, WRONG_PASSWORD, amr, assert_locked, code_at, decode_claims, enroll, fresh_code,
    login_first_step, login_with_code, second_step, wrong_code, wrong_codes,
)
from smtp_server import is_verification_mail, mailbox, next_token_mail, verification_token  # noqa: F401 (fixture)
from test_auth_concurrency import in_parallel
from users_support import LOCKOUT_THRESHOLD, admin, start_users_api  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def api(module_stack_factory):
    """Two worker processes of eight threads each, so that parallel second steps race for real."""
    return start_users_api(module_stack_factory, FCGI_WORKERS=2, FCGI_THREADS=8)


@pytest.fixture
def enrolled(api):
    """A fresh member with TOTP on: (member, secret, recovery codes)."""
    member = api.new_member()
    secret, codes = enroll(api, member.pair)
    return member, secret, codes


def wrong_login(api, account):
    r = api.login({"username": account.username, "password": WRONG_PASSWORD})
    body = assert_unauthorized(r, "invalid_credentials", presented=False)
    assert "mfa_token" not in body, body


def session_ids(api, token) -> list[str]:
    return [s["id"] for s in assert_json(api.sessions(token), 200)["items"]]


def test_first_step_answers_mfa_required_and_records_nothing(api, enrolled):
    member, _, _ = enrolled
    sessions = session_ids(api, member.token)
    last_login = api.whoami_ok(member.token)["last_login_at"]
    wait_until_next_second(parse_time(last_login))
    before = int(time.time())
    r = api.login({"username": member.account.username, "password": member.account.password})
    problem = assert_problem(r, 403, "mfa_required")
    assert "access_token" not in problem and "refresh_token" not in problem, problem
    mfa = decode_claims(problem["mfa_token"])
    assert mfa["typ"] == "mfa" and mfa["sub"] == str(member.id), mfa
    assert isinstance(mfa["jti"], str) and mfa["jti"], mfa
    assert mfa["exp"] - mfa["iat"] == MFA_TOKEN_LIFETIME, mfa
    assert before - 2 <= mfa["iat"] <= time.time() + 2, mfa
    assert session_ids(api, member.token) == sessions
    assert api.whoami_ok(member.token)["last_login_at"] == last_login


def test_the_mfa_token_is_no_bearer_token(api, enrolled):
    member, _, _ = enrolled
    mfa_token = login_first_step(api, member.account)
    for r in (api.whoami(mfa_token), api.refresh(mfa_token), api.sessions(mfa_token)):
        assert r.status_code == 401, r.text
        assert r.json()["code"] in ("token_wrong_type", "token_invalid"), r.text
        assert_unauthorized(r, r.json()["code"])


def test_second_step_with_a_code_is_the_login(api, enrolled):
    member, secret, _ = enrolled
    mfa_token = login_first_step(api, member.account)
    wait_until_next_second(parse_time(api.whoami_ok(member.token)["last_login_at"]))
    before = int(time.time())
    body = assert_json(second_step(api, mfa_token, code=fresh_code(secret)), 200)
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}, body
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert set(body["user"]) == USER_KEYS
    assert body["user"]["id"] == member.id and body["user"]["mfa_enabled"] is True
    assert parse_time(body["user"]["last_login_at"]) >= before
    pair = Pair(body)
    access = verify(pair.access, "access")
    assert access["amr"] == ["pwd", "otp"] and access["sub"] == str(member.id), access
    assert pair.sid in session_ids(api, pair.access)
    # A refresh keeps the session's amr, and so does a password change's pair (§5: it belongs
    # to the presenting session).
    refreshed = Pair(assert_json(api.refresh(pair.refresh), 200))
    assert verify(refreshed.access, "access")["amr"] == ["pwd", "otp"]
    assert refreshed.sid == pair.sid
    body = {"current_password": member.account.password, "new_password": "another long passphrase"}
    changed = Pair(assert_json(api.change_password(refreshed.access, body), 200))
    assert changed.sid == pair.sid and amr(changed) == ["pwd", "otp"]


def test_a_password_login_has_amr_pwd(api):
    member = api.new_member()
    assert amr(member.pair) == ["pwd"]
    assert amr(Pair(assert_json(api.refresh(member.pair.refresh), 200))) == ["pwd"]


def test_each_recovery_code_works_once(api, enrolled):
    member, _, codes = enrolled
    pair = Pair(assert_json(second_step(api, login_first_step(api, member.account), recovery_code=codes[0]), 200))
    assert amr(pair) == ["pwd", "otp"]
    mfa_token = login_first_step(api, member.account)
    assert_unauthorized(second_step(api, mfa_token, recovery_code=codes[0]), "mfa_code_invalid", presented=False)
    assert_json(second_step(api, mfa_token, recovery_code=codes[1]), 200)


def test_a_code_works_once(api, enrolled):
    member, secret, _ = enrolled
    code = fresh_code(secret)
    assert_json(second_step(api, login_first_step(api, member.account), code=code), 200)
    mfa_token = login_first_step(api, member.account)
    assert_unauthorized(second_step(api, mfa_token, code=code), "mfa_code_invalid", presented=False)


def test_wrong_codes_are_refused(api, enrolled):
    member, secret, codes = enrolled
    mfa_token = login_first_step(api, member.account)
    assert_unauthorized(second_step(api, mfa_token, code=wrong_code(secret)), "mfa_code_invalid", presented=False)
    unknown = "".join(reversed(codes[0]))
    assert unknown not in codes
    assert_unauthorized(second_step(api, mfa_token, recovery_code=unknown), "mfa_code_invalid", presented=False)
    # The same mfa_token still completes the login after a wrong code.
    assert_json(second_step(api, mfa_token, code=fresh_code(secret)), 200)


def test_wrong_second_steps_lock_the_account(api, enrolled):
    member, secret, codes = enrolled
    mfa_token = login_first_step(api, member.account)
    for i in range(LOCKOUT_THRESHOLD):  # the failure that reaches the threshold still answers 401
        wrong = {"code": wrong_code(secret)} if i % 2 == 0 else {"recovery_code": "aaaaa-aaaaa"}
        assert_unauthorized(second_step(api, mfa_token, **wrong), "mfa_code_invalid", presented=False)
    assert_locked(second_step(api, mfa_token, code=fresh_code(secret)))
    assert_locked(second_step(api, mfa_token, recovery_code=codes[0]))
    assert_locked(api.login({"username": member.account.username, "password": member.account.password}))


def test_the_right_password_neither_counts_nor_resets(api, enrolled):
    """Threshold 3: with a right password counted as a failure the second right password
    would be refused (423), with it resetting the count the last one would pass; both
    must give mfa_required and the last 423."""
    assert LOCKOUT_THRESHOLD == 3
    member, secret, _ = enrolled
    wrong_login(api, member.account)                       # 1
    mfa_token = login_first_step(api, member.account)      # still 1
    assert_unauthorized(second_step(api, mfa_token, code=wrong_code(secret)), "mfa_code_invalid",
                        presented=False)                   # 2
    login_first_step(api, member.account)                  # still 2
    wrong_login(api, member.account)                       # 3: locked
    assert_locked(api.login({"username": member.account.username, "password": member.account.password}))
    assert_locked(second_step(api, mfa_token, code=fresh_code(secret)))


def test_a_successful_second_step_resets_the_count(api, enrolled):
    member, secret, _ = enrolled
    for _ in range(LOCKOUT_THRESHOLD - 1):
        wrong_login(api, member.account)
    login_with_code(api, member.account, secret)
    for _ in range(LOCKOUT_THRESHOLD - 1):
        wrong_login(api, member.account)
    login_first_step(api, member.account)


def test_an_mfa_token_completes_one_login(api, enrolled):
    member, _, codes = enrolled
    mfa_token = login_first_step(api, member.account)
    assert_json(second_step(api, mfa_token, recovery_code=codes[0]), 200)
    assert_unauthorized(second_step(api, mfa_token, recovery_code=codes[1]), "token_invalid", presented=False)
    # The refused request spent nothing: codes[1] still works with a new mfa_token.
    assert_json(second_step(api, login_first_step(api, member.account), recovery_code=codes[1]), 200)


def test_an_expired_mfa_token(api, enrolled):
    member, _, codes = enrolled
    issued = claims(login_first_step(api, member.account))
    iat = int(time.time()) - MFA_TOKEN_LIFETIME - 60  # expired a minute ago, past any leeway
    expired = dict(issued, iat=iat, exp=iat + MFA_TOKEN_LIFETIME, jti=uuid.uuid4().hex)
    if "nbf" in expired:
        expired["nbf"] = iat
    assert_unauthorized(second_step(api, sign(expired), recovery_code=codes[0]), "token_expired", presented=False)
    # The same claims re-signed unexpired are accepted: only exp made the difference.
    assert_json(second_step(api, sign(issued), recovery_code=codes[0]), 200)


def test_a_malformed_or_foreign_mfa_token(api, enrolled):
    member, _, codes = enrolled
    issued = claims(login_first_step(api, member.account))
    for token in ("not-a-token", "a.b.c", sign(issued, key=attacker_key())):
        assert_unauthorized(second_step(api, token, recovery_code=codes[0]), "token_invalid", presented=False)
    for token in (member.token, member.pair.refresh):  # a valid token of another type
        r = second_step(api, token, recovery_code=codes[0])
        assert r.status_code == 401 and r.json()["code"] in ("token_wrong_type", "token_invalid"), r.text
    assert_json(second_step(api, sign(issued), recovery_code=codes[0]), 200)


def test_second_step_validation(api, enrolled):
    member, secret, codes = enrolled
    mfa_token = login_first_step(api, member.account)
    code = code_at(secret)  # refused before it is looked at, so not spent
    for body in ({"mfa_token": mfa_token}, {"mfa_token": mfa_token, "code": code, "recovery_code": codes[0]}):
        problem = assert_problem(api.post("/api/auth/login/mfa", body), 422, "validation_failed")
        fields = {e["field"] for e in problem["errors"]}
        assert fields and fields <= {"code", "recovery_code"}, problem
    assert_validation(api.post("/api/auth/login/mfa", {"code": code}), {"mfa_token": "required"})
    assert_validation(api.post("/api/auth/login/mfa", {"mfa_token": mfa_token, "code": int(code)}),
                      {"code": "invalid_type"})
    assert_validation(api.post("/api/auth/login/mfa", {"mfa_token": mfa_token, "recovery_code": 5}),
                      {"recovery_code": "invalid_type"})
    # None of them spent the mfa_token or the recovery code.
    assert_json(second_step(api, mfa_token, recovery_code=codes[0]), 200)


def test_a_disabled_account_between_the_steps(api, admin, enrolled):
    member, secret, _ = enrolled
    mfa_token = login_first_step(api, member.account)
    assert_json(api.patch_user(admin.token, member.id, {"active": False}), 200)
    assert_problem(second_step(api, mfa_token, code=fresh_code(secret)), 403, "account_disabled")


def test_mfa_required_comes_after_the_other_checks(api, admin, enrolled):
    member, _, _ = enrolled
    wrong_login(api, member.account)
    assert_json(api.patch_user(admin.token, member.id, {"active": False}), 200)
    r = api.login({"username": member.account.username, "password": member.account.password})
    assert "mfa_token" not in assert_problem(r, 403, "account_disabled")


def test_an_unverified_address_is_refused_before_the_second_factor(stack_factory, mailbox):
    """Under EMAIL_VERIFICATION=required, email_not_verified is one of the other checks."""
    api = start_users_api(stack_factory, MAIL_URL=mailbox.url(), EMAIL_VERIFICATION="required")
    account = api.new_user()
    mail = next_token_mail(mailbox, account.email, is_verification_mail)
    assert_json(api.post("/api/auth/email/verify", {"token": verification_token(mail, api.stack.base_url)}), 200)
    pair = api.login_as(account)
    enroll(api, pair)
    login_first_step(api, account)
    body = {"email": f"moved-{account.email}", "current_password": account.password}
    assert assert_json(api.patch_user(pair.access, account.id, body), 200)["user"]["email_verified"] is False
    r = api.login({"username": account.username, "password": account.password})
    assert "mfa_token" not in assert_problem(r, 403, "email_not_verified")


@pytest.mark.parametrize("factor", ["code", "recovery_code"])
def test_parallel_uses_of_one_code_let_one_in(api, enrolled, factor):
    member, secret, codes = enrolled
    proof = {"code": fresh_code(secret)} if factor == "code" else {"recovery_code": codes[0]}
    tokens = [login_first_step(api, member.account) for _ in range(8)]
    responses = in_parallel(api, tokens, lambda client, token: second_step(client, token, **proof))
    assert [r.status_code for r in responses].count(200) == 1, [r.status_code for r in responses]
    for r in responses:
        if r.status_code != 200:
            assert r.status_code in (401, 423) and r.json()["code"] in ("mfa_code_invalid", "account_locked"), r.text


def test_parallel_wrong_codes_lock_at_the_threshold(api, enrolled):
    member, secret, _ = enrolled
    mfa_token = login_first_step(api, member.account)
    responses = in_parallel(api, wrong_codes(secret, 12),
                            lambda client, code: second_step(client, mfa_token, code=code))
    # §5: each attempt is reserved before it is checked, so exactly THRESHOLD are answered 401.
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [401] * LOCKOUT_THRESHOLD + [423] * (12 - LOCKOUT_THRESHOLD), statuses
    for r in responses:
        assert r.json()["code"] == ("mfa_code_invalid" if r.status_code == 401 else "account_locked"), r.text
    assert_locked(second_step(api, mfa_token, code=fresh_code(secret)))
