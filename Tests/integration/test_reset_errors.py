"""Every error of forgot and reset (contract §1 conventions, §3 "Forgot / reset", §5
precedence and "Password reset"; issue 5 "Done when"): unknown, used, voided and expired
tokens → 400 reset_token_invalid; invalid email and weak passwords → 422 (a valid token
stays usable); types, missing and unknown fields → 422; 415 and 400 body errors."""

import secrets
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from api_client import Api, assert_json, assert_problem, assert_unauthorized, assert_validation, start_api, unique
from smtp_server import FileMailbox, assert_not_logged, is_reset_mail, reset_token, to_recipient

TTL = 600
NEW_PASSWORD = "a fresh reset passphrase"
FORGOT = "/api/auth/password/forgot"
RESET = "/api/auth/password/reset"


@pytest.fixture(scope="module")
def mailbox():
    root = Path(tempfile.mkdtemp(prefix="afit-mail-", dir="/tmp"))
    yield FileMailbox(root)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def api(mailbox, module_stack_factory) -> Api:
    return start_api(module_stack_factory, MAIL_URL=mailbox.url(), RESET_TOKEN_TTL=TTL)


def forgot(api, email):
    return api.post(FORGOT, {"email": email})


def reset(api, token, password=NEW_PASSWORD):
    return api.post(RESET, {"token": token, "new_password": password})


def tokens_of(api, mailbox, account) -> set[str]:
    mails = mailbox.messages(lambda m: to_recipient(account.email)(m) and is_reset_mail(m))
    return {reset_token(m, api.stack.base_url) for m in mails}


def new_token(api, mailbox, account) -> str:
    """Forgot for the account; the token of the reset mail it sends."""
    before = tokens_of(api, mailbox, account)
    assert_json(forgot(api, account.email), 202)
    mailbox.wait_for_messages(len(before) + 1,
                              match=lambda m: to_recipient(account.email)(m) and is_reset_mail(m))
    (token,) = tokens_of(api, mailbox, account) - before
    return token


def random_token() -> str:
    return secrets.token_urlsafe(32)


def assert_invalid_token(resp):
    assert_problem(resp, 400, "reset_token_invalid")


def assert_password(api, account, password):
    """Only `password` logs the account in."""
    api.login_as(account, password=password)
    for other in {account.password, NEW_PASSWORD} - {password}:
        assert_unauthorized(api.login({"username": account.username, "password": other}),
                            "invalid_credentials", presented=False)


# --- reset: the token ---------------------------------------------------------------------

@pytest.mark.parametrize("token", [random_token(), "", "x", "not a token at all", "A" * 300])
def test_unknown_token(api, token):
    assert_invalid_token(reset(api, token))


def test_used_token(api, mailbox):
    account = api.new_user()
    token = new_token(api, mailbox, account)
    assert_json(reset(api, token), 200)
    assert_invalid_token(reset(api, token, "another new passphrase"))
    assert_password(api, account, NEW_PASSWORD)


def test_token_voided_by_a_newer_forgot(api, mailbox):
    account = api.new_user()
    older = new_token(api, mailbox, account)
    newer = new_token(api, mailbox, account)
    assert older != newer
    assert_invalid_token(reset(api, older))
    assert_password(api, account, account.password)
    assert_json(reset(api, newer), 200)
    assert_password(api, account, NEW_PASSWORD)


def test_expired_token(api, mailbox):
    account = api.new_user()
    token = new_token(api, mailbox, account)
    rows = api.db.query("SELECT created_at, expires_at FROM reset_tokens WHERE user_id = ?", (account.id,))
    assert len(rows) == 1, rows
    created, expires = rows[0]
    assert expires - created == TTL, f"lifetime {expires - created}s, RESET_TOKEN_TTL is {TTL}"
    assert abs(created - time.time()) < 60
    # age it: created TTL + 1 seconds ago
    now = int(time.time())
    assert api.db.execute("UPDATE reset_tokens SET created_at = ?, expires_at = ? WHERE user_id = ?",
                          (now - TTL - 1, now - 1, account.id)) == 1
    assert_invalid_token(reset(api, token))
    assert_password(api, account, account.password)


def test_token_near_its_expiry_still_works(api, mailbox):
    """The control for test_expired_token: the same edit, 30 s before the end."""
    account = api.new_user()
    token = new_token(api, mailbox, account)
    now = int(time.time())
    assert api.db.execute("UPDATE reset_tokens SET created_at = ?, expires_at = ? WHERE user_id = ?",
                          (now + 30 - TTL, now + 30, account.id)) == 1
    assert_json(reset(api, token), 200)
    assert_password(api, account, NEW_PASSWORD)


def test_token_of_a_deleted_user(api, mailbox):
    account = api.new_user()
    token = new_token(api, mailbox, account)
    api.db.delete_user(account.id)
    assert_invalid_token(reset(api, token))


# --- reset: the new password (validation first; the token stays usable) ----------------------

@pytest.mark.parametrize(
    "password,code",
    [
        ("short", "too_short"),
        ("", "too_short"),
        ("1234567", "too_short"),
        ("😀" * 7, "too_short"),
        ("x" * 129, "too_long"),
    ],
)
def test_weak_password_with_a_valid_token(api, mailbox, password, code):
    account = api.new_user()
    token = new_token(api, mailbox, account)
    assert_validation(reset(api, token, password), {"new_password": code})
    assert_password(api, account, account.password)
    assert_json(reset(api, token), 200)
    assert_password(api, account, NEW_PASSWORD)


def test_length_limits_are_inclusive(api, mailbox):
    account = api.new_user()
    token = new_token(api, mailbox, account)
    longest = "y" * 128
    assert_json(reset(api, token, longest), 200)
    assert_password(api, account, longest)
    token = new_token(api, mailbox, account)
    shortest = "😀" * 8  # 8 Unicode scalars
    assert_json(reset(api, token, shortest), 200)
    assert_password(api, account, shortest)


@pytest.mark.parametrize("password,code", [("short", "too_short"), ("x" * 129, "too_long")])
def test_weak_password_with_an_unknown_token_is_422(api, password, code):
    assert_validation(reset(api, random_token(), password), {"new_password": code})


@pytest.mark.parametrize("which", ["username", "username_upper", "email", "email_upper"])
def test_password_too_similar_to_the_tokens_user(api, mailbox, which):
    account = api.new_user(username=unique("Similar"))
    token = new_token(api, mailbox, account)
    password = {"username": account.username, "username_upper": account.username.upper(),
                "email": account.email, "email_upper": account.email.upper()}[which]
    assert_validation(reset(api, token, password), {"new_password": "too_similar"})
    assert_password(api, account, account.password)
    assert_json(reset(api, token), 200)
    assert_password(api, account, NEW_PASSWORD)


def test_too_similar_needs_the_token(api):
    """Unknown token: 400, even when the password equals some user's name."""
    other = api.new_user()
    assert_invalid_token(reset(api, random_token(), other.username))


def test_too_similar_is_about_the_tokens_user_only(api, mailbox):
    account = api.new_user()
    other = api.new_user()
    token = new_token(api, mailbox, account)
    assert_json(reset(api, token, other.username), 200)
    assert_password(api, account, other.username)


# --- reset: fields ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "body,expected",
    [
        ({}, {"token": "required", "new_password": "required"}),
        ({"token": "abc"}, {"new_password": "required"}),
        ({"new_password": NEW_PASSWORD}, {"token": "required"}),
        ({"token": 123, "new_password": NEW_PASSWORD}, {"token": "invalid_type"}),
        ({"token": None, "new_password": NEW_PASSWORD}, {"token": "invalid_type"}),
        ({"token": ["abc"], "new_password": NEW_PASSWORD}, {"token": "invalid_type"}),
        ({"token": "abc", "new_password": None}, {"new_password": "invalid_type"}),
        ({"token": "abc", "new_password": 12345678}, {"new_password": "invalid_type"}),
        ({"token": "abc", "new_password": {"p": 1}}, {"new_password": "invalid_type"}),
        ({"token": True, "new_password": False}, {"token": "invalid_type", "new_password": "invalid_type"}),
        ({"token": 1, "new_password": "short"}, {"token": "invalid_type", "new_password": "too_short"}),
        ({"token": "abc", "new_password": NEW_PASSWORD, "email": "a@example.com"}, {"email": "unknown_field"}),
    ],
)
def test_reset_validation(api, body, expected):
    assert_validation(api.post(RESET, body), expected)


def test_wrong_type_leaves_a_valid_token_usable(api, mailbox):
    account = api.new_user()
    token = new_token(api, mailbox, account)
    assert_validation(api.post(RESET, {"token": token, "new_password": 12345678}), {"new_password": "invalid_type"})
    assert_validation(api.post(RESET, {"token": token}), {"new_password": "required"})
    assert_validation(api.post(RESET, {"token": token, "new_password": NEW_PASSWORD, "x": 1}), {"x": "unknown_field"})
    assert_json(reset(api, token), 200)


# --- forgot: fields ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "email",
    ["no-at-sign", "two@@example.com", "a@b@example.com", "@example.com", "user@localhost", "user@",
     "with space@example.com", "", "x" * 243 + "@example.com"],
)
def test_forgot_invalid_email(api, email):
    assert_validation(forgot(api, email), {"email": "invalid_format"})


@pytest.mark.parametrize(
    "body,expected",
    [
        ({}, {"email": "required"}),
        ({"email": 5}, {"email": "invalid_type"}),
        ({"email": None}, {"email": "invalid_type"}),
        ({"email": ["a@example.com"]}, {"email": "invalid_type"}),
        ({"email": "a@example.com", "username": "alice"}, {"username": "unknown_field"}),
    ],
)
def test_forgot_validation(api, body, expected):
    assert_validation(api.post(FORGOT, body), expected)


def test_forgot_invalid_email_sends_nothing(api, mailbox):
    account = api.new_user()
    assert_validation(forgot(api, account.email + " "), {"email": "invalid_format"})
    assert api.db.query("SELECT COUNT(*) FROM reset_tokens WHERE user_id = ?", (account.id,)) == [(0,)]


# --- body errors (415 → 400 → 422) ------------------------------------------------------------

@pytest.mark.parametrize("path", [FORGOT, RESET])
def test_body_errors(api, path):
    good = b'{"email": "a@example.com"}' if path == FORGOT else b'{"token": "abc", "new_password": "long enough pass"}'
    assert_problem(api.post(path, data=good, headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type")
    assert_problem(api.post(path, data=good), 415, "unsupported_media_type")  # no Content-Type
    assert_problem(api.post(path, data=b"{}", headers={"Content-Type": "application/x-www-form-urlencoded"}),
                   415, "unsupported_media_type")
    # 415 before 400
    assert_problem(api.post(path, data=b"{", headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type")
    for bad in (b"{", b"[1]", b'"text"', b"null", b"42", b'{"email": }'):
        assert_problem(api.post(path, data=bad, headers={"Content-Type": "application/json"}), 400, "malformed_json")
    # an empty body with no Content-Type (§5)
    assert_problem(api.post(path, data=b""), 400, "malformed_json")
    # charset parameter allowed
    r = api.post(path, data=b'{}', headers={"Content-Type": "application/json; charset=utf-8"})
    assert_problem(r, 422, "validation_failed")


@pytest.mark.parametrize("path", [FORGOT, RESET])
def test_body_too_large(api, path):
    body = b'{"email": "a@example.com", "pad": "' + b"p" * (64 * 1024) + b'"}'
    assert_problem(api.post(path, data=body, headers={"Content-Type": "application/json"}), 413, "payload_too_large")


@pytest.mark.parametrize("path", [FORGOT, RESET])
def test_wrong_method(api, path):
    r = api.get(path)
    assert_problem(r, 405, "method_not_allowed")
    assert "POST" in r.headers.get("Allow", ""), r.headers


def test_no_token_or_password_in_the_log(api, mailbox):
    account = api.new_user()
    token = new_token(api, mailbox, account)
    assert_validation(reset(api, token, "short"), {"new_password": "too_short"})
    assert_invalid_token(reset(api, token + "x", "unknown token passphrase"))
    assert_json(reset(api, token), 200)
    assert_invalid_token(reset(api, token, "used token passphrase"))
    malformed = ('{"token": "%s", "new_password": "malformed body passphrase"' % token).encode()
    assert_problem(api.post(RESET, data=malformed, headers={"Content-Type": "application/json"}), 400, "malformed_json")
    mailbox.wait_for_mail_to(account.email, n=2)
    assert_not_logged(api.stack.output_path, [token, NEW_PASSWORD, account.password, "unknown token passphrase",
                                              "used token passphrase", "malformed body passphrase"])
