"""Managing two-factor sign-in through nginx: disable and new recovery codes with the
current password, the admin's DELETE /api/users/{id}/mfa, the mfa_enabled filter, and
secrets that the database alone never yields (contract §3 "Two-factor sign-in with TOTP",
the Users table, §5; issue 18)."""

import pytest

from api_client import assert_json, assert_no_content, assert_problem, assert_unauthorized, assert_validation
from mfa_support import (
    WRONG_PASSWORD, amr, assert_locked, enroll, factor_rows, login_first_step, recovery_code_forms, second_step,
    secret_forms, start_enrolment, stored_text, table_names,
)
from smtp_server import (  # noqa: F401 (mailbox: fixture)
    NO_VERIFICATION_MAIL, assert_not_logged, mail_barrier, mailbox, next_token_mail, to_recipient,
)
from support import TEST_MFA_SECRET
from users_support import LOCKOUT_THRESHOLD, admin, start_users_api, tag  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def api(mailbox, module_stack_factory):
    return start_users_api(module_stack_factory, MAIL_URL=mailbox.url(), **NO_VERIFICATION_MAIL)


def disable(api, member, password):
    return api.post("/api/auth/mfa/totp/disable", {"current_password": password}, token=member.token)


def new_codes(api, member, password):
    return api.post("/api/auth/mfa/recovery-codes", {"current_password": password}, token=member.token)


def admin_reset(api, token, user_id):
    return api.delete(f"/api/users/{user_id}/mfa", token=token)


def mails_so_far(api, mailbox, address) -> set[str]:
    """The names of every mail to address so far, after a barrier (smtp_server.mail_barrier),
    so that a mail still on its way (a notice that TOTP was turned on, if one is sent)
    can't be taken for the next one."""
    mail_barrier(api, mailbox, address)
    return {m.name for m in mailbox.messages(to_recipient(address))}


def assert_off_notice(mailbox, address, seen) -> None:
    """A new mail to address telling that two-factor sign-in was turned off."""
    mail = next_token_mail(mailbox, address, lambda m: True, seen)
    assert "two-factor" in (mail.subject + "\n" + mail.text).lower(), (mail.subject, mail.text)


def assert_password_login(api, account) -> None:
    """The login gives tokens at once, with amr ["pwd"]."""
    pair = api.login_as(account)
    assert pair.body["user"]["mfa_enabled"] is False
    assert amr(pair) == ["pwd"]


def test_disable_with_the_right_password(api, mailbox):
    member = api.new_member()
    enroll(api, member.pair)
    seen = mails_so_far(api, mailbox, member.account.email)
    assert_no_content(disable(api, member, member.account.password))
    assert api.whoami_ok(member.token)["mfa_enabled"] is False
    assert_password_login(api, member.account)
    assert_off_notice(mailbox, member.account.email, seen)
    # Off means off: it can be turned on again from scratch.
    start_enrolment(api, member.token)


def test_disable_validation(api):
    member = api.new_member()
    enroll(api, member.pair)
    assert_validation(api.post("/api/auth/mfa/totp/disable", {}, token=member.token), {"current_password": "required"})
    assert_validation(api.post("/api/auth/mfa/totp/disable", {"current_password": 5}, token=member.token),
                      {"current_password": "invalid_type"})
    assert_unauthorized(api.post("/api/auth/mfa/totp/disable", {"current_password": "x"}), "token_missing",
                        presented=False)
    assert api.whoami_ok(member.token)["mfa_enabled"] is True


def test_wrong_current_passwords_count_toward_the_lockout(api):
    member = api.new_member()
    enroll(api, member.pair)
    for i in range(LOCKOUT_THRESHOLD):
        r = disable(api, member, WRONG_PASSWORD) if i % 2 == 0 else new_codes(api, member, WRONG_PASSWORD)
        assert_problem(r, 403, "current_password_incorrect")
    assert_locked(disable(api, member, member.account.password))
    assert_locked(new_codes(api, member, member.account.password))
    assert_locked(api.login({"username": member.account.username, "password": member.account.password}))
    assert api.whoami_ok(member.token)["mfa_enabled"] is True


def test_when_off_a_conflict_comes_before_the_password_check(api):
    member = api.new_member()
    for _ in range(LOCKOUT_THRESHOLD + 1):  # a wrong password is not even checked, so not counted
        assert_problem(disable(api, member, WRONG_PASSWORD), 409, "mfa_not_enabled")
        assert_problem(new_codes(api, member, WRONG_PASSWORD), 409, "mfa_not_enabled")
    assert_problem(disable(api, member, member.account.password), 409, "mfa_not_enabled")
    assert_problem(new_codes(api, member, member.account.password), 409, "mfa_not_enabled")
    assert_password_login(api, member.account)


def test_new_recovery_codes_replace_the_old_ones(api):
    member = api.new_member()
    _, old = enroll(api, member.pair)
    assert_problem(new_codes(api, member, WRONG_PASSWORD), 403, "current_password_incorrect")
    body = assert_json(new_codes(api, member, member.account.password), 200)
    assert set(body) == {"recovery_codes"}, body
    codes = body["recovery_codes"]
    assert isinstance(codes, list) and len(codes) == 10 and len(set(codes)) == 10, codes
    assert not set(codes) & set(old), (codes, old)
    mfa_token = login_first_step(api, member.account)
    assert_unauthorized(second_step(api, mfa_token, recovery_code=old[0]), "mfa_code_invalid", presented=False)
    assert_json(second_step(api, mfa_token, recovery_code=codes[0]), 200)


def test_an_admin_turns_it_off_for_a_user(api, admin, mailbox):
    member = api.new_member()
    enroll(api, member.pair)
    seen = mails_so_far(api, mailbox, member.account.email)
    assert factor_rows(api, member.id) == (1, 10)
    assert_no_content(admin_reset(api, admin.token, member.id))
    assert api.user_ok(admin.token, member.id)["mfa_enabled"] is False
    assert factor_rows(api, member.id) == (0, 0)  # "TOTP secret and recovery codes deleted"
    assert_password_login(api, member.account)
    assert_off_notice(mailbox, member.account.email, seen)
    enroll(api, member.pair)  # from scratch again


def test_a_user_with_two_factor_on_can_be_deleted(api, admin):
    for deleter in ("self", "admin"):
        member = api.new_member()
        enroll(api, member.pair)
        token = member.token if deleter == "self" else admin.token
        assert_no_content(api.delete_user(token, member.id))
        assert factor_rows(api, member.id) == (0, 0)
        assert_problem(api.login({"username": member.account.username, "password": member.account.password}), 401,
                       "invalid_credentials")


def test_the_admin_reset_follows_the_admin_rules(api, admin):
    member, other = api.new_member(), api.new_member()
    enroll(api, other.pair)
    # Admin only: a USER may not call it, not even for itself (403 before 404).
    assert_problem(admin_reset(api, member.token, other.id), 403, "forbidden")
    assert_problem(admin_reset(api, member.token, member.id), 403, "forbidden")
    assert_problem(admin_reset(api, member.token, 999_999_999), 403, "forbidden")
    assert_unauthorized(admin_reset(api, None, other.id), "token_missing", presented=False)
    # Not another ADMIN.
    second_admin = api.new_admin()
    enroll(api, second_admin.pair)
    assert_problem(admin_reset(api, admin.token, second_admin.id), 403, "forbidden")
    assert api.user_ok(second_admin.token, second_admin.id)["mfa_enabled"] is True
    # Unknown and non-numeric ids.
    assert_problem(admin_reset(api, admin.token, 999_999_999), 404, "user_not_found")
    assert_problem(admin_reset(api, admin.token, "abc"), 404, "not_found")
    assert api.user_ok(admin.token, other.id)["mfa_enabled"] is True
    # The contract is silent on a user without TOTP: like unlocking a user who isn't
    # locked, the wanted state holds, so 204.
    assert_no_content(admin_reset(api, admin.token, member.id))
    # An admin may act on itself.
    assert_no_content(admin_reset(api, second_admin.token, second_admin.id))
    assert api.user_ok(second_admin.token, second_admin.id)["mfa_enabled"] is False


def test_list_users_by_mfa_enabled(api, admin):
    marker = tag()
    on, off = api.new_member(username=f"{marker}on"), api.new_member(username=f"{marker}off")
    enroll(api, on.pair)
    start_enrolment(api, off.token)  # pending is not on
    listed = api.listing(admin.token, {"q": marker, "mfa_enabled": "true"})["items"]
    assert [(u["id"], u["mfa_enabled"]) for u in listed] == [(on.id, True)]
    listed = api.listing(admin.token, {"q": marker, "mfa_enabled": "false"})["items"]
    assert [(u["id"], u["mfa_enabled"]) for u in listed] == [(off.id, False)]
    assert api.list_ids(admin.token, {"q": marker}) == [on.id, off.id]
    assert_validation(api.list_users(admin.token, {"q": marker, "mfa_enabled": "yes"}),
                      {"mfa_enabled": "invalid_value"})


def test_the_database_alone_yields_no_secret(api):
    enrolled, pending = api.new_member(), api.new_member()
    secret, codes = enroll(api, enrolled.pair)
    pending_secret = start_enrolment(api, pending.token)["secret"]
    assert "totp_secrets" in table_names(api) and "recovery_codes" in table_names(api)
    held = api.db.query("SELECT user_id FROM totp_secrets WHERE user_id IN (?, ?)", (enrolled.id, pending.id))
    assert sorted(r[0] for r in held) == sorted([enrolled.id, pending.id]), held

    text = stored_text(api)
    assert enrolled.account.username in text  # the dump does read the rows
    forms = secret_forms(secret) + secret_forms(pending_secret) + [f for c in codes for f in recovery_code_forms(c)]
    assert not [f for f in forms if f in text], "a TOTP secret or recovery code is stored readably"
    assert TEST_MFA_SECRET not in text, "MFA_SECRET_KEY is in the database"
    for f in api.db.files():
        data = f.read_bytes()
        leaked = [form for form in forms if form.encode("latin-1") in data]
        assert not leaked, f"a TOTP secret or recovery code in {f.name}"
    assert_not_logged(api.stack.output_path, [secret, pending_secret, *codes, TEST_MFA_SECRET])
