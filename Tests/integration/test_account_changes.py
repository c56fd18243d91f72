"""What account changes do to credentials (contract §3 Users rules (v2), §5 Security (v2)):
current_password counted toward the lockout, disabling revokes, reset tokens voided."""


import pytest

from api_client import assert_json, assert_problem, assert_unauthorized, assert_validation
from smtp_server import (  # noqa: F401 (mailbox: fixture)
    is_reset_mail, mailbox, next_token_mail, reset_token, token_mails,
)
from users_support import LOCKOUT_THRESHOLD, admin, start_users_api  # noqa: F401 (fixture)

NEW_PASSWORD = "a brand new passphrase"



@pytest.fixture(scope="module")
def api(mailbox, module_stack_factory):
    return start_users_api(module_stack_factory, MAIL_URL=mailbox.url())


def new_reset_token(api, mailbox, email):
    """Asks for a reset and returns the token of the reset mail it sent to `email`."""
    seen = {m.name for m in token_mails(mailbox, email, is_reset_mail)}
    assert_json(api.post("/api/auth/password/forgot", {"email": email}), 202)
    return reset_token(next_token_mail(mailbox, email, is_reset_mail, seen), api.stack.base_url)


def reset(api, token):
    return api.post("/api/auth/password/reset", {"token": token, "new_password": NEW_PASSWORD})


def test_wrong_current_passwords_lock_the_account(api):
    member = api.new_member()
    password = member.account.password
    for _ in range(LOCKOUT_THRESHOLD):
        r = api.change_password(member.token, {"current_password": "not it at all", "new_password": NEW_PASSWORD})
        assert_problem(r, 403, "current_password_incorrect")
    r = api.change_password(member.token, {"current_password": password, "new_password": NEW_PASSWORD})
    assert_problem(r, 423, "account_locked")
    assert 1 <= int(r.headers["Retry-After"]) <= 900
    r = api.patch_user(member.token, member.id, {"email": "moved@example.com", "current_password": password})
    assert_problem(r, 423, "account_locked")
    assert_problem(api.login({"username": member.account.username, "password": password}), 423, "account_locked")


def test_self_email_change_needs_the_current_password_and_tells_the_old_address(api, mailbox):
    member = api.new_member()
    new_email = f"new-{member.account.username}@example.com".lower()
    assert_validation(api.patch_user(member.token, member.id, {"email": new_email}), {"current_password": "required"})
    r = api.patch_user(member.token, member.id, {"email": new_email, "current_password": "not it at all"})
    assert_problem(r, 403, "current_password_incorrect")
    body = {"email": new_email, "current_password": member.account.password}
    assert assert_json(api.patch_user(member.token, member.id, body), 200)["user"]["email"] == new_email
    mails = mailbox.wait_for_mail_to(member.account.email, n=2)  # registration's verification, the notice
    assert sorted(m.subject for m in mails) == ["Verify your email address", "Your email address was changed"]


def test_disabling_revokes_and_enabling_revives_nothing(api, admin):
    member = api.new_member()
    assert_json(api.patch_user(admin.token, member.id, {"active": False}), 200)
    assert_problem(api.whoami(member.token), 403, "account_disabled")
    assert_problem(api.refresh(member.pair.refresh), 403, "account_disabled")
    assert_json(api.patch_user(admin.token, member.id, {"active": True}), 200)
    assert_unauthorized(api.whoami(member.token), "token_revoked")
    assert_unauthorized(api.refresh(member.pair.refresh), "token_revoked")
    api.login_as(member.account)


def test_account_changes_void_reset_tokens(api, admin, mailbox):
    member = api.new_member()
    email = member.account.email
    token = new_reset_token(api, mailbox, email)
    r = api.change_password(member.token, {"current_password": member.account.password, "new_password": NEW_PASSWORD})
    assert_json(r, 200)
    assert_problem(reset(api, token), 400, "reset_token_invalid")

    token = new_reset_token(api, mailbox, email)
    assert_json(api.patch_user(admin.token, member.id, {"email": f"x{email}"}), 200)
    assert_problem(reset(api, token), 400, "reset_token_invalid")

    token = new_reset_token(api, mailbox, f"x{email}")
    assert_json(api.patch_user(admin.token, member.id, {"active": False}), 200)
    assert_problem(reset(api, token), 400, "reset_token_invalid")
    assert_json(api.patch_user(admin.token, member.id, {"active": True}), 200)
    assert_problem(reset(api, token), 400, "reset_token_invalid")
    api.login_as(member.account, password=NEW_PASSWORD)
