"""Email verification through nginx (contract §3 "Email verification" (v2), the Users rules,
§5): the mail at registration under each EMAIL_VERIFICATION mode, verify, resend, the
`required` login rule, address changes, the admin-only field and the list filter.

"No mail" is shown with a barrier: the service's mail queue is first-in first-out, so once
a mail the test asks for afterwards has arrived, a mail due before it would have too. (Resend
and forgot queue their work on the worker's follow-up thread, also first-in first-out, just
after the answer; the barrier's request comes a round trip later, so its mail queues last in
practice, not by guarantee: such a test can miss a wrong mail, never fail on a right answer.)"""


import pytest

from api_client import assert_json, assert_problem, assert_validation, unique
from smtp_server import (  # noqa: F401 (mailbox: fixture)
    SmtpSink, assert_mail_headers, is_verification_mail, mail_barrier, mailbox, next_token_mail, token_mails,
    verification_token,
)
from users_support import ADMIN_KEY, Actor, start_users_api

RESEND = "/api/auth/email/resend"
VERIFY = "/api/auth/email/verify"


@pytest.fixture(scope="module")
def api(mailbox, module_stack_factory):
    """The default mode, `optional`."""
    return start_users_api(module_stack_factory, MAIL_URL=mailbox.url())


@pytest.fixture(scope="module")
def required_api(mailbox, module_stack_factory):
    return start_users_api(module_stack_factory, MAIL_URL=mailbox.url(), EMAIL_VERIFICATION="required")


@pytest.fixture(scope="module")
def off_api(mailbox, module_stack_factory):
    return start_users_api(module_stack_factory, MAIL_URL=mailbox.url(), EMAIL_VERIFICATION="off")


@pytest.fixture(scope="module")
def admin(api):
    return api.new_admin()


def verification_mails(mailbox, address: str) -> list:
    return token_mails(mailbox, address, is_verification_mail)


def next_verification_token(api, mailbox, address: str, seen=frozenset()) -> str:
    """The token of the next verification mail to `address` (`seen`: the file names before)."""
    return verification_token(next_token_mail(mailbox, address, is_verification_mail, seen), api.stack.base_url)


def seen_names(mailbox, address: str) -> set:
    return {m.name for m in verification_mails(mailbox, address)}


def verified_admin(api, mailbox) -> Actor:
    """An ADMIN registered with the admin key that verified its address, logged in (under
    `required` an admin signs in only once verified, like anyone)."""
    account = api.new_user(admin_key=ADMIN_KEY)
    assert_json(verify(api, next_verification_token(api, mailbox, account.email)), 200)
    return Actor(account, api.login_as(account))


def verify(api, token):
    return api.post(VERIFY, {"token": token})


def registered(api, mailbox):
    """A new USER; returns its Account and the token of its verification mail."""
    account = api.new_user()
    assert account.user["email_verified"] is False, account.user
    return account, next_verification_token(api, mailbox, account.email)


# --- registration, under each mode -------------------------------------------------------------

@pytest.mark.parametrize("mode", ["optional", "required"])
def test_registration_mails_a_verification_token(mode, api, required_api, mailbox):
    service = api if mode == "optional" else required_api
    account, token = registered(service, mailbox)
    (mail,) = verification_mails(mailbox, account.email)
    assert "Subject" in mail.message and mail.subject.strip()
    assert token not in account.user.values()


def test_the_verification_mail_goes_over_smtp(module_stack_factory):
    """A real SMTP server (aiosmtpd) receives the registration's mail; its link verifies."""
    sink = SmtpSink().start()
    try:
        api = start_users_api(module_stack_factory, MAIL_URL=sink.url(), MAIL_FROM="verify-bot@example.net")
        account = api.new_user()
        (mail,) = sink.wait_for_mail_to(account.email)
        assert_mail_headers(mail, "verify-bot@example.net", account.email)
        user = assert_json(verify(api, verification_token(mail, api.stack.base_url)), 200)["user"]
        assert user["email_verified"] is True
    finally:
        sink.stop()


def test_registration_under_off_sends_no_mail(off_api, mailbox):
    account = off_api.new_user()
    assert account.user["email_verified"] is False
    mail_barrier(off_api, mailbox, account.email)
    assert verification_mails(mailbox, account.email) == []


# --- verify ------------------------------------------------------------------------------------

def test_verify_marks_the_address_verified_once(api, mailbox):
    account, token = registered(api, mailbox)
    user = assert_json(verify(api, token), 200)["user"]
    assert user["id"] == account.id and user["email_verified"] is True
    pair = api.login_as(account)
    assert api.whoami_ok(pair.access)["email_verified"] is True
    assert_problem(verify(api, token), 400, "verification_token_invalid")


def test_verify_refuses_unknown_and_malformed_tokens(api):
    assert_problem(verify(api, "x" * 43), 400, "verification_token_invalid")
    assert_validation(api.post(VERIFY, {}), {"token": "required"})
    assert_validation(api.post(VERIFY, {"token": 42}), {"token": "invalid_type"})


def test_a_newer_token_voids_the_older_one(api, mailbox):
    account, first = registered(api, mailbox)
    seen = seen_names(mailbox, account.email)
    assert_json(api.post(RESEND, {"email": account.email}), 202)
    second = next_verification_token(api, mailbox, account.email, seen)
    assert second != first
    assert_problem(verify(api, first), 400, "verification_token_invalid")
    assert assert_json(verify(api, second), 200)["user"]["email_verified"] is True


def test_expired_tokens_are_refused(mailbox, module_stack_factory):
    service = start_users_api(module_stack_factory, MAIL_URL=mailbox.url(), EMAIL_TOKEN_TTL="60")
    account, token = registered(service, mailbox)
    rows = service.db.query("SELECT created_at, expires_at FROM verification_tokens WHERE user_id = ?",
                            (account.id,))
    assert [int(expires) - int(created) for created, expires in rows] == [60]
    assert service.db.execute("UPDATE verification_tokens SET created_at = created_at - 61, "
                              "expires_at = expires_at - 61 WHERE user_id = ?", (account.id,)) == 1
    assert_problem(verify(service, token), 400, "verification_token_invalid")


def test_an_address_change_voids_the_token_sent_to_the_old_one(api, admin, mailbox):
    account, token = registered(api, mailbox)
    new_email = f"moved-{account.username}@example.com".lower()
    assert_json(api.patch_user(admin.token, account.id, {"email": new_email}), 200)
    assert_problem(verify(api, token), 400, "verification_token_invalid")
    fresh = next_verification_token(api, mailbox, new_email)
    user = assert_json(verify(api, fresh), 200)["user"]
    assert user["email"] == new_email and user["email_verified"] is True


def test_disabling_voids_the_token(api, admin, mailbox):
    account, token = registered(api, mailbox)
    assert_json(api.patch_user(admin.token, account.id, {"active": False}), 200)
    assert_json(api.patch_user(admin.token, account.id, {"active": True}), 200)
    assert_problem(verify(api, token), 400, "verification_token_invalid")


# --- resend ------------------------------------------------------------------------------------

def test_resend_answers_alike_and_mails_only_an_unverified_active_account(api, admin, mailbox):
    unverified, _ = registered(api, mailbox)
    verified, token = registered(api, mailbox)
    assert_json(verify(api, token), 200)
    disabled, _ = registered(api, mailbox)
    assert_json(api.patch_user(admin.token, disabled.id, {"active": False}), 200)
    unknown = f"{unique()}@example.com"

    seen = seen_names(mailbox, unverified.email)
    bodies = [assert_json(api.post(RESEND, {"email": address}), 202)
              for address in (unverified.email.upper(), verified.email, disabled.email, unknown)]
    assert all(body == bodies[0] for body in bodies), bodies
    assert set(bodies[0]) == {"message"}

    next_verification_token(api, mailbox, unverified.email, seen)
    mail_barrier(api, mailbox, verified.email)
    for account in (verified, disabled):
        assert len(verification_mails(mailbox, account.email)) == 1, account.email  # registration's only
    assert verification_mails(mailbox, unknown) == []


def test_resend_checks_only_the_syntax(api):
    assert_validation(api.post(RESEND, {"email": "not an address"}), {"email": "invalid_format"})
    assert_validation(api.post(RESEND, {}), {"email": "required"})


def test_resend_under_off_sends_nothing(off_api, mailbox):
    account = off_api.new_user()
    assert_json(off_api.post(RESEND, {"email": account.email}), 202)
    mail_barrier(off_api, mailbox, account.email)
    assert verification_mails(mailbox, account.email) == []


# --- `required` ---------------------------------------------------------------------------------

def test_required_refuses_an_unverified_login_after_the_other_checks(required_api, mailbox):
    api = required_api
    account, token = registered(api, mailbox)
    wrong = api.login({"username": account.username, "password": "not the password at all"})
    assert_problem(wrong, 401, "invalid_credentials")
    assert_problem(api.login({"username": account.username, "password": account.password}), 403,
                   "email_not_verified")

    admin = verified_admin(api, mailbox)
    assert_json(api.patch_user(admin.token, account.id, {"active": False}), 200)
    assert_problem(api.login({"username": account.username, "password": account.password}), 403,
                   "account_disabled")
    assert_json(api.patch_user(admin.token, account.id, {"active": True}), 200)
    assert_problem(verify(api, token), 400, "verification_token_invalid")  # disabling voided it
    seen = seen_names(mailbox, account.email)
    assert_json(api.post(RESEND, {"email": account.email}), 202)
    assert_json(verify(api, next_verification_token(api, mailbox, account.email, seen)), 200)
    api.login_as(account)


def test_required_keeps_existing_sessions_of_an_address_gone_unverified(required_api, mailbox):
    api = required_api
    account, token = registered(api, mailbox)
    assert_json(verify(api, token), 200)
    pair = api.login_as(account)
    new_email = f"moved-{account.username}@example.com".lower()
    body = {"email": new_email, "current_password": account.password}
    assert assert_json(api.patch_user(pair.access, account.id, body), 200)["user"]["email_verified"] is False
    assert api.whoami_ok(pair.access)["email_verified"] is False
    assert_json(api.refresh(pair.refresh), 200)
    assert_problem(api.login({"username": account.username, "password": account.password}), 403,
                   "email_not_verified")


def test_optional_and_off_refuse_nothing(api, off_api):
    for service in (api, off_api):
        account = service.new_user()
        service.login_as(account)


# --- address changes ---------------------------------------------------------------------------

def test_a_self_change_needs_the_password_unverifies_and_tells_both_addresses(api, mailbox):
    account, token = registered(api, mailbox)
    assert_json(verify(api, token), 200)
    pair = api.login_as(account)
    new_email = f"new-{account.username}@example.org".lower()
    assert_validation(api.patch_user(pair.access, account.id, {"email": new_email}), {"current_password": "required"})
    wrong = api.patch_user(pair.access, account.id, {"email": new_email, "current_password": "not the password"})
    assert_problem(wrong, 403, "current_password_incorrect")

    body = {"email": new_email, "current_password": account.password}
    user = assert_json(api.patch_user(pair.access, account.id, body), 200)["user"]
    assert user["email"] == new_email and user["email_verified"] is False
    next_verification_token(api, mailbox, new_email)
    mails = mailbox.wait_for_mail_to(account.email, n=2)  # the first verification, the notice
    notices = [m for m in mails if m.subject == "Your email address was changed"]
    assert len(notices) == 1, [m.subject for m in mails]
    text = notices[0].text
    masked = f"{new_email[0]}***@example.org"
    assert masked in text, text
    assert new_email not in text, text


def test_an_admin_may_keep_a_new_address_verified(api, admin, mailbox):
    account, _ = registered(api, mailbox)
    new_email = f"kept-{account.username}@example.com".lower()
    user = assert_json(api.patch_user(admin.token, account.id, {"email": new_email, "email_verified": True}), 200)
    assert user["user"]["email_verified"] is True
    notices = mailbox.wait_for_mail_to(account.email, n=2)
    assert "Your email address was changed" in [m.subject for m in notices]
    mail_barrier(api, mailbox, new_email)
    assert verification_mails(mailbox, new_email) == []


# --- the admin-only field and the list filter --------------------------------------------------

def test_only_an_admin_may_send_email_verified(api, admin, mailbox):
    account, _ = registered(api, mailbox)
    pair = api.login_as(account)
    for value in (True, False):
        assert_problem(api.patch_user(pair.access, account.id, {"email_verified": value}), 403, "forbidden")
    user = assert_json(api.patch_user(admin.token, account.id, {"email_verified": True}), 200)["user"]
    assert user["email_verified"] is True
    assert_validation(api.patch_user(admin.token, account.id, {"email_verified": "yes"}),
                      {"email_verified": "invalid_type"})


def test_admin_creation_mails_unless_created_verified(api, admin, mailbox):
    plain = api.created(admin.token)
    assert plain["email_verified"] is False
    next_verification_token(api, mailbox, plain["email"])
    verified = api.created(admin.token, email_verified=True)
    assert verified["email_verified"] is True
    mail_barrier(api, mailbox, verified["email"])
    assert verification_mails(mailbox, verified["email"]) == []


def test_the_list_filters_on_email_verified(api, admin, mailbox):
    marker = unique()
    unverified = api.created(admin.token, username=f"{marker}a")
    verified = api.created(admin.token, username=f"{marker}b", email_verified=True)
    assert api.list_ids(admin.token, {"q": marker, "email_verified": "true"}) == [verified["id"]]
    assert api.list_ids(admin.token, {"q": marker, "email_verified": "false"}) == [unverified["id"]]
    assert sorted(api.list_ids(admin.token, {"q": marker})) == sorted([verified["id"], unverified["id"]])
    assert_problem(api.list_users(admin.token, {"email_verified": "maybe"}), 422, "validation_failed")
