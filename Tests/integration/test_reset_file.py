"""Forgot / reset through nginx with the file transport (contract §4: MAIL_URL=file:///dir
writes one RFC 5322 .eml file per mail; issue 5: atomically, temp file + rename; the
default of the run command is $RUN_DIR/mail)."""


import pytest

from api_client import Api, assert_json, assert_problem, assert_unauthorized, start_api
from smtp_server import (  # noqa: F401 (mailbox: fixture)
    NO_VERIFICATION_MAIL, FileMailbox, assert_mail_headers, assert_not_logged, is_reset_mail, mailbox, reset_token,
)

MAIL_FROM = "reset-bot@example.net"
NEW_PASSWORD = "a fresh reset passphrase"



@pytest.fixture(scope="module")
def api(mailbox, module_stack_factory) -> Api:
    return start_api(module_stack_factory, MAIL_URL=mailbox.url(), MAIL_FROM=MAIL_FROM, **NO_VERIFICATION_MAIL)


def forgot(api, email):
    body = assert_json(api.post("/api/auth/password/forgot", {"email": email}), 202)
    assert set(body) == {"message"}, body


def reset(api, token, password=NEW_PASSWORD):
    return api.post("/api/auth/password/reset", {"token": token, "new_password": password})


def assert_only_eml_files(mailbox):
    names = mailbox.names()
    assert names and all(n.endswith(".eml") and not n.startswith(".") for n in names), names
    assert all((mailbox.dir / n).is_file() for n in names), names


def test_forgot_file_mail_reset_login_and_old_sessions_revoked(api, mailbox):
    account = api.new_user()
    pair = api.login_as(account)

    forgot(api, account.email)
    (mail,) = mailbox.wait_for_mail_to(account.email)
    assert_mail_headers(mail, MAIL_FROM, account.email)
    token = reset_token(mail, api.stack.base_url)
    assert_only_eml_files(mailbox)

    body = assert_json(reset(api, token), 200)
    assert set(body) == {"message"}, body
    api.login_as(account, password=NEW_PASSWORD)
    assert_unauthorized(api.login({"email": account.email, "password": account.password}),
                        "invalid_credentials", presented=False)
    assert_unauthorized(api.whoami(pair.access), "token_revoked")
    assert_unauthorized(api.refresh(pair.refresh), "token_revoked")
    assert_problem(reset(api, token), 400, "reset_token_invalid")

    # the notice is a second file: one file per mail, no temp files left
    mails = mailbox.wait_for_mail_to(account.email, n=2)
    assert len(mails) == 2, [m.name for m in mails]
    (notice,) = [m for m in mails if not is_reset_mail(m)]
    assert_mail_headers(notice, MAIL_FROM, account.email)
    assert "changed" in (notice.subject + notice.text).lower()
    assert token not in notice.text and NEW_PASSWORD not in notice.text
    assert len({m.name for m in mails}) == 2
    assert_only_eml_files(mailbox)

    for f in api.db.files():
        assert token.encode() not in f.read_bytes(), f"raw reset token stored in {f.name}"
    assert_not_logged(api.stack.output_path, [token, NEW_PASSWORD, account.password])


def test_one_file_per_mail_and_no_temp_files(api, mailbox):
    accounts = [api.new_user() for _ in range(5)]
    before = len(mailbox.names())
    for a in accounts:
        forgot(api, a.email)
    for a in accounts:
        (mail,) = mailbox.wait_for_mail_to(a.email)
        assert_mail_headers(mail, MAIL_FROM, a.email)
        reset_token(mail, api.stack.base_url)
    assert len(mailbox.names()) == before + 5
    assert_only_eml_files(mailbox)


def test_make_run_default_is_run_dir_mail(stack_factory):
    """serve-local without MAIL_URL: files under $RUN_DIR/mail, links to PUBLIC_BASE_URL's
    default http://127.0.0.1:$HTTP_PORT."""
    api = start_api(stack_factory, **NO_VERIFICATION_MAIL)
    mailbox = FileMailbox(api.stack.run_dir / "mail")
    account = api.new_user()
    forgot(api, account.email)
    (mail,) = mailbox.wait_for_mail_to(account.email)
    token = reset_token(mail, f"http://127.0.0.1:{api.stack.port}")
    assert_json(reset(api, token), 200)
    api.login_as(account, password=NEW_PASSWORD)
    mailbox.wait_for_mail_to(account.email, n=2)
    assert_only_eml_files(mailbox)


def test_public_base_url_setting_is_used_in_the_link(stack_factory, tmp_path):
    base = "https://accounts.example.com/app"
    mailbox = FileMailbox(tmp_path / "mail")
    api = start_api(stack_factory, MAIL_URL=mailbox.url(), PUBLIC_BASE_URL=base, **NO_VERIFICATION_MAIL)
    account = api.new_user()
    forgot(api, account.email)
    (mail,) = mailbox.wait_for_mail_to(account.email)
    token = reset_token(mail, base)
    assert_json(reset(api, token), 200)
    mailbox.wait_for_mail_to(account.email, n=2)
