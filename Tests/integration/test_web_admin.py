"""The admin console at /admin/ (issue 11, items 2 and 4) in headless chromium through
nginx and the real backend. After each step the API agrees (GET /api/users/{id} with an
admin token):

- an admin signs in, finds a user by search, disables and re-enables it, unlocks it after
  a lockout (wrong logins through the API), promotes it, and then gets no edit controls
  for it (another ADMIN); another admin can be unlocked but not edited;
- a USER signs in and is told politely it has no access, and its session is logged out;
- the last active admin gets no demote/disable/delete controls for itself;
- an admin changing its own email is asked for its current password (wrong: refused in the
  form; locked: told when to retry); another user's email needs none;
- create (field messages from the problem body, then success) and delete (with a
  confirmation dialog that Escape cancels); a refused request shows the problem's detail;
- search, role and status filters, sorting by a column, paging, the empty state;
- email verification (issue 17): a verified/unverified badge per user, the filter on it,
  "mark verified" (then the API says true) and "resend verification" (a mail arrives,
  the API's neutral message is shown), neither offered where it can't apply;
- two-factor sign-in (issue 18): an admin with it on signs in with a code in the second
  step; a "2FA" badge per user and the filter on it; "turn off two-factor" (after a
  confirmation; then the API says false), not offered for another admin, and the server's
  refusal shown when the user became an admin meanwhile;
- tokens refreshed before they expire (ACCESS_TOKEN_TTL=3), sign-out calls logout;
- phone width: no horizontal scrolling.
"""

from __future__ import annotations

import re

import pytest

from api_client import DEFAULT_PASSWORD, assert_json, assert_problem, assert_unauthorized, claims
from smtp_server import mailbox  # noqa: F401 - the fixture
from users_support import LOCKOUT_THRESHOLD, start_users_api, tag
from web_support import (  # noqa: F401 - browser
    PHONE, Keys, Select, browser, enable_totp, second_step, verification_link, verification_mail_to,
)

SESSION_KEY = "auth-fcgi-admin.session"


@pytest.fixture(scope="module")
def api(mailbox, module_stack_factory):
    return start_users_api(module_stack_factory, MAIL_URL=mailbox.url())


@pytest.fixture(scope="module")
def admin(api):
    return api.new_admin(first_name="Ada")


# --- page helpers ----------------------------------------------------------------------

def sign_in(browser, api, account, expect_admin: bool = True, authenticator=None) -> None:
    browser.fresh(api.stack.url("/admin/"))
    browser.wait_visible("signin-login")
    browser.fill("signin-login", account.username)
    browser.fill("signin-password", account.password)
    browser.el("signin-submit").click()
    if authenticator is not None:
        second_step(browser, code=authenticator.code())
    if expect_admin:
        browser.wait_visible("users-table")
        browser.wait(lambda: browser.text("account-name") == account.username, "the account name in the top bar")


def row_ids(browser) -> list[int]:
    if not browser.visible("users-table") or browser.el("users-table").get_attribute("aria-busy"):
        return []
    return [int(tr.get_attribute("data-user-id")) for tr in browser.css("#users-body tr")]


def wait_rows(browser, expected: list[int], what: str) -> None:
    browser.wait(lambda: row_ids(browser) == expected, f"rows {expected} ({what}); got {row_ids(browser)}")


def search(browser, text: str) -> None:
    field = browser.el("filter-q")
    field.clear()
    field.send_keys(text, Keys.ENTER)  # the keyboard submits the search form


def open_user(browser, user_id: int, username: str) -> None:
    link = browser.wait(lambda: next((a for a in browser.css(f'#users-body tr[data-user-id="{user_id}"] a.user-link')), None),
                        f"the link to user {user_id}")
    link.click()
    browser.wait(lambda: browser.visible("user-body") and browser.text("user-title") == username,
                 f"the page of {username}")


def save_and_wait(browser, pattern: str) -> None:
    browser.el("save-user").click()
    browser.wait_text("notice", pattern)


def api_ids(api, token: str, **params) -> list[int]:
    return api.list_ids(token, params)


# --- the walk-through of the issue ---------------------------------------------------------

def test_admin_finds_disables_enables_unlocks_and_promotes_a_user(api, admin, browser):
    marker = tag()
    target = api.new_member(username=f"{marker}bob", first_name="Bob", last_name="Builder")
    api.new_member(first_name="Bobby")  # a user the search must leave out

    sign_in(browser, api, admin.account)
    search(browser, marker)
    wait_rows(browser, [target.id], "the search")
    browser.wait_text("list-summary", r"of 1 user\b")
    open_user(browser, target.id, target.account.username)
    assert browser.el("edit-first-name").get_attribute("value") == "Bob"
    assert browser.visible("user-form") and browser.visible("delete-row") and browser.visible("sessions-row")

    # Disable, then enable again.
    active = browser.el("edit-active")
    assert active.is_selected()
    active.click()
    save_and_wait(browser, r"disabled")
    assert api.user_ok(admin.token, target.id)["active"] is False
    assert_problem(api.whoami(target.pair.access), 403, "account_disabled")
    browser.el("edit-active").click()
    save_and_wait(browser, r"enabled")
    assert api.user_ok(admin.token, target.id)["active"] is True

    # Lock it with wrong logins through the API, then unlock it in the page.
    for _ in range(LOCKOUT_THRESHOLD):
        assert_unauthorized(api.login({"username": target.account.username, "password": "wrong password!"}),
                            "invalid_credentials", presented=False)
    assert_problem(api.login({"username": target.account.username, "password": target.account.password}),
                   423, "account_locked")
    assert api.user_ok(admin.token, target.id)["locked_until"] is not None
    browser.driver.refresh()  # the session survives a reload (sessionStorage)
    browser.wait(lambda: browser.visible("unlock-user") and browser.text("user-title") == target.account.username,
                 "the Unlock button")
    assert re.search(r"Locked", browser.text("lock-state"))
    browser.click("unlock-user")
    browser.wait_text("notice", r"is unlocked")
    browser.wait_hidden("unlock-user")
    assert api.user_ok(admin.token, target.id)["locked_until"] is None
    api.login_as(target.account)

    # Promote: the API agrees, and the page stops offering edits for the new admin.
    Select(browser.el("edit-role")).select_by_value("ADMIN")
    save_and_wait(browser, r"promoted to admin")
    assert api.user_ok(admin.token, target.id)["role"] == "ADMIN"
    browser.wait_hidden("user-form")
    assert browser.wait_text("user-readonly", r"is an admin")
    assert not browser.visible("delete-row") and not browser.visible("sessions-row")
    assert not browser.visible("save-user")
    assert browser.console_problems() == []


def test_another_admin_can_be_unlocked_but_not_edited(api, admin, browser):
    other = api.new_admin()
    for _ in range(LOCKOUT_THRESHOLD):
        api.login({"username": other.account.username, "password": "wrong password!"})
    assert_problem(api.login({"username": other.account.username, "password": other.account.password}),
                   423, "account_locked")

    sign_in(browser, api, admin.account)
    browser.open(api.stack.url(f"/admin/#/users/{other.id}"))
    browser.wait(lambda: browser.visible("user-body") and browser.text("user-title") == other.account.username,
                 "the other admin's page")
    browser.wait_text("user-readonly", r"can't change, disable, demote or delete other admins")
    for hidden in ("user-form", "save-user", "edit-role", "edit-active", "delete-row", "delete-user",
                   "sessions-row", "revoke-sessions", "mark-verified"):
        assert not browser.visible(hidden), f"#{hidden} is offered for another admin"
    browser.click("unlock-user")
    browser.wait_text("notice", r"is unlocked")
    assert api.user_ok(admin.token, other.id)["locked_until"] is None
    api.login_as(other.account)
    assert browser.console_problems() == []


def test_user_account_is_refused_politely_and_logged_out(api, browser):
    member = api.new_member()
    sign_in(browser, api, member.account, expect_admin=False)
    text = browser.wait_text("notice", r"no access")
    assert member.account.username in text and "administrators" in text
    assert browser.visible("view-signin") and not browser.visible("view-list")
    assert not browser.visible("account")
    assert SESSION_KEY not in browser.session_storage()
    # The browser's session was logged out: only the API client's own session is left.
    sessions = assert_json(api.sessions(member.token), 200)["items"]
    assert [s for s in sessions if "HeadlessChrome" in (s["user_agent"] or "")] == [], sessions
    assert len(sessions) == 1 and sessions[0]["current"], sessions
    assert browser.console_problems() == []


def test_last_active_admin_cannot_demote_disable_or_delete_itself(stack_factory, browser):
    api = start_users_api(stack_factory)
    only = api.new_admin()
    sign_in(browser, api, only.account)
    browser.open(api.stack.url(f"/admin/#/users/{only.id}"))
    browser.wait(lambda: browser.visible("user-form") and browser.text("user-title") == only.account.username,
                 "the admin's own page")
    browser.wait_text("edit-role-hint", r"last active admin")
    assert not browser.el("edit-role").is_enabled() and not browser.el("edit-active").is_enabled()
    assert not browser.visible("delete-row")
    # Its own names stay editable.
    browser.fill("edit-last-name", "Lovelace")
    save_and_wait(browser, r"details saved")
    assert api.user_ok(only.token, only.id)["last_name"] == "Lovelace"

    # With a second active admin the controls come back.
    api.new_admin()
    browser.driver.refresh()
    browser.wait(lambda: browser.visible("user-form") and browser.el("edit-role").is_enabled(),
                 "the role control to be offered")
    assert browser.el("edit-active").is_enabled() and browser.visible("delete-row")
    assert browser.console_problems() == []


def test_own_email_change_asks_for_the_current_password(api, browser):
    me = api.new_admin()
    before = me.account.email
    wanted = f"{tag()}new@example.com"
    sign_in(browser, api, me.account)
    browser.open(api.stack.url(f"/admin/#/users/{me.id}"))
    browser.wait(lambda: browser.visible("user-form") and browser.text("user-title") == me.account.username,
                 "the admin's own page")
    assert not browser.visible("edit-current-password")
    browser.fill("edit-email", wanted)
    browser.wait_visible("edit-current-password")

    # Missing, then wrong: said in the form, and the API keeps the old address.
    browser.el("save-user").click()
    browser.wait_text("edit-current-password-error", r"current password")
    browser.fill("edit-current-password", "wrong password!")
    browser.el("save-user").click()
    browser.wait_text("edit-current-password-error", r"current password is wrong")
    assert re.search(r"current password is wrong", browser.text("error"))
    assert browser.el("edit-current-password").get_attribute("value") == ""
    assert api.user_ok(me.token, me.id)["email"] == before

    # The right one: saved, and the field goes away with the change.
    browser.fill("edit-current-password", me.account.password)
    save_and_wait(browser, r"details saved")
    assert api.user_ok(me.token, me.id)["email"] == wanted
    browser.wait_hidden("edit-current-password")
    assert browser.el("edit-email").get_attribute("value") == wanted

    # Locked by wrong ones elsewhere: the form says so, with the wait.
    for _ in range(LOCKOUT_THRESHOLD):
        api.login({"username": me.account.username, "password": "wrong password!"})
    browser.fill("edit-email", before)
    browser.fill("edit-current-password", me.account.password)
    browser.el("save-user").click()
    browser.wait_text("error", r"Try again in \d+ seconds")
    assert api.user_ok(me.token, me.id)["email"] == wanted
    assert browser.console_problems() == []


def test_create_and_delete_a_user(api, admin, browser):
    name = tag() + "new"
    sign_in(browser, api, admin.account)
    browser.click("new-user-link")
    browser.wait_visible("create-username")

    # The API's field messages land under their fields.
    expected = assert_problem(api.create_user(admin.token, {"username": name, "email": "not-an-email",
                                                             "password": "short"}), 422, "validation_failed")
    messages = {e["field"]: e["message"] for e in expected["errors"]}
    browser.fill("create-username", name)
    browser.fill("create-email", "not-an-email")
    browser.fill("create-password", "short")
    browser.el("create-submit").click()
    browser.wait_text("create-email-error", re.escape(messages["email"]))
    browser.wait_text("create-password-error", re.escape(messages["password"]))
    assert browser.text("error"), "the problem's detail is shown"

    browser.fill("create-email", f"{name}@example.com")
    browser.fill("create-password", DEFAULT_PASSWORD)
    browser.fill("create-first-name", "Grace")
    browser.el("create-submit").click()
    browser.wait(lambda: browser.visible("user-body") and browser.text("user-title") == name, "the new user's page")
    browser.wait_text("notice", r"was created")
    (created,) = api.listing(admin.token, {"q": name})["items"]
    assert (created["username"], created["email"], created["first_name"], created["role"], created["active"]) == (
        name, f"{name}@example.com", "Grace", "USER", True)

    # A conflict shows the problem's detail.
    conflict = assert_problem(api.create_user(admin.token, {"username": name, "email": f"other-{name}@example.com",
                                                             "password": DEFAULT_PASSWORD}), 409, "username_taken")
    browser.fill("edit-email", admin.account.email)
    assert not browser.visible("edit-current-password"), "another user's email needs no password"
    duplicate = assert_problem(api.patch_user(admin.token, created["id"], {"email": admin.account.email}),
                               409, "email_taken")
    browser.el("save-user").click()
    browser.wait_text("error", re.escape(duplicate["detail"]))
    assert conflict["detail"]

    # Delete: Escape cancels the confirmation, the confirm button deletes.
    browser.click("reset-user-form")
    browser.click("delete-user")
    browser.wait_visible("confirm-dialog")
    assert name in browser.text("confirm-title")
    assert browser.driver.switch_to.active_element.get_attribute("id") == "confirm-cancel"
    browser.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    browser.wait_hidden("confirm-dialog")
    assert api.user_ok(admin.token, created["id"])["id"] == created["id"]
    browser.click("delete-user")
    browser.wait_visible("confirm-dialog")
    browser.click("confirm-ok")
    browser.wait_text("notice", r"was deleted")
    browser.wait_visible("view-list")
    assert_problem(api.get_user(admin.token, created["id"]), 404, "user_not_found")
    assert browser.console_problems() == []


def test_list_search_filters_sorting_and_paging(api, admin, browser):
    marker = tag()
    ids = [api.created(admin.token, username=f"{marker}{letter}", first_name=f"N{letter}")["id"]
           for letter in "qwertyuiopas"]  # 12 users, not in alphabetical order of creation
    for user_id in ids[:3]:
        assert_json(api.patch_user(admin.token, user_id, {"active": False}), 200)
    assert_json(api.patch_user(admin.token, ids[5], {"role": "ADMIN"}), 200)

    sign_in(browser, api, admin.account)
    search(browser, marker)
    browser.wait_text("list-summary", r"of 12 users")
    Select(browser.el("filter-per-page")).select_by_value("10")
    wait_rows(browser, api_ids(api, admin.token, q=marker, per_page=10), "page 1 of 10")
    browser.wait_text("page-info", r"Page 1 of 2")
    assert not browser.el("page-prev").is_enabled()
    browser.click("page-next")
    wait_rows(browser, api_ids(api, admin.token, q=marker, per_page=10, page=2), "page 2")
    assert not browser.el("page-next").is_enabled()

    # Sorting by the username column: ascending, then descending (back to page 1).
    header = browser.css('#users-table th[data-sort="username"] button')[0]
    header.click()
    wait_rows(browser, api_ids(api, admin.token, q=marker, per_page=10, sort="username"), "username ascending")
    browser.css('#users-table th[data-sort="username"] button')[0].click()
    wait_rows(browser, api_ids(api, admin.token, q=marker, per_page=10, sort="-username"), "username descending")
    assert browser.css('#users-table th[data-sort="username"]')[0].get_attribute("aria-sort") == "descending"
    assert Select(browser.el("filter-sort")).first_selected_option.get_attribute("value") == "-username"

    Select(browser.el("filter-active")).select_by_value("false")
    wait_rows(browser, api_ids(api, admin.token, q=marker, per_page=10, sort="-username", active="false"),
              "disabled only")
    assert len(row_ids(browser)) == 3
    Select(browser.el("filter-active")).select_by_value("")
    Select(browser.el("filter-role")).select_by_value("ADMIN")
    wait_rows(browser, [ids[5]], "admins only")

    search(browser, marker + "-nobody")
    browser.wait_visible("list-empty")
    assert not browser.visible("users-table") and "No users match" in browser.text("list-empty")
    browser.click("clear-filters")
    browser.wait(lambda: len(row_ids(browser)) > 0 and browser.el("filter-q").get_attribute("value") == "",
                 "the unfiltered list")
    assert browser.console_problems() == []


def badge(browser, user_id: int) -> str:
    found = browser.css(f'#users-body tr[data-user-id="{user_id}"] .badge.email')
    return found[0].text if found else ""


def test_email_verification_badge_filter_mark_verified_and_resend(api, admin, mailbox, browser):
    marker = tag()
    pending = api.new_member(username=f"{marker}pending")  # registered: unverified, one mail
    verified = api.created(admin.token, username=f"{marker}verified", email_verified=True)
    assert (pending.account.user["email_verified"], verified["email_verified"]) == (False, True)
    verification_link(mailbox, pending.account.email, api.stack.base_url)

    sign_in(browser, api, admin.account)
    search(browser, marker)
    wait_rows(browser, [pending.id, verified["id"]], "the search")
    assert (badge(browser, pending.id), badge(browser, verified["id"])) == ("Unverified", "Verified")

    # The filter: the rows the API gives for email_verified, and the hash keeps it.
    for value, expected in (("true", [verified["id"]]), ("false", [pending.id])):
        Select(browser.el("filter-verified")).select_by_value(value)
        assert api_ids(api, admin.token, q=marker, email_verified=value) == expected
        wait_rows(browser, expected, f"email_verified={value}")
        assert f"email_verified={value}" in browser.url
    Select(browser.el("filter-verified")).select_by_value("")
    wait_rows(browser, [pending.id, verified["id"]], "either")

    # A verified user is offered neither control.
    open_user(browser, verified["id"], verified["username"])
    browser.wait_text("verification-state", r"is verified")
    assert not browser.visible("mark-verified") and not browser.visible("resend-verification")

    # Resend: the API's neutral message, and a new mail with a new link.
    unknown = "nobody-" + pending.account.email
    neutral = assert_json(api.post("/api/auth/email/resend", {"email": unknown}), 202)["message"]
    browser.open(api.stack.url(f"/admin/#/users/{pending.id}"))
    browser.wait(lambda: browser.text("user-title") == pending.account.username and browser.visible("mark-verified"),
                 "the unverified user's page")
    assert re.search(r"isn't verified", browser.text("verification-state"))
    assert [b.text for b in browser.css("#user-badges .badge.email")] == ["Unverified"]
    browser.click("resend-verification")
    assert neutral in browser.wait_text("notice", re.escape(neutral))
    mailbox.wait_for_messages(2, match=verification_mail_to(pending.account.email))

    # Mark verified: the API agrees, and the controls go.
    browser.click("mark-verified")
    browser.wait_text("notice", r"marked verified")
    assert api.user_ok(admin.token, pending.id)["email_verified"] is True
    browser.wait_hidden("mark-verified")
    assert not browser.visible("resend-verification")
    assert [b.text for b in browser.css("#user-badges .badge.email")] == ["Verified"]
    assert browser.console_problems() == []


def test_second_step_with_a_code(api, browser):
    admin = api.new_admin()
    authenticator, _ = enable_totp(api, admin.token)
    sign_in(browser, api, admin.account, authenticator=authenticator)
    stored = browser.session_storage()[SESSION_KEY]
    access = re.search(r'"access":"([^"]+)"', stored).group(1)
    assert claims(access)["amr"] == ["pwd", "otp"]
    assert browser.console_problems() == []


def mfa_badge(browser, user_id: int) -> str:
    found = browser.css(f'#users-body tr[data-user-id="{user_id}"] .badge.mfa')
    return found[0].text if found else ""


def test_two_factor_badge_filter_and_turn_off(api, admin, browser):
    marker = tag()
    on = api.new_member(username=f"{marker}on")
    enable_totp(api, on.token)
    off = api.new_member(username=f"{marker}off")

    sign_in(browser, api, admin.account)
    search(browser, marker)
    wait_rows(browser, [on.id, off.id], "the search")
    assert (mfa_badge(browser, on.id), mfa_badge(browser, off.id)) == ("2FA", "")

    # The filter: the rows the API gives for mfa_enabled, and the hash keeps it.
    for value, expected in (("true", [on.id]), ("false", [off.id])):
        Select(browser.el("filter-mfa")).select_by_value(value)
        assert api_ids(api, admin.token, q=marker, mfa_enabled=value) == expected
        wait_rows(browser, expected, f"mfa_enabled={value}")
        assert f"mfa_enabled={value}" in browser.url
    Select(browser.el("filter-mfa")).select_by_value("")
    wait_rows(browser, [on.id, off.id], "either")

    # Turn it off for a user: Escape cancels the confirmation, the confirm button turns it off.
    open_user(browser, on.id, on.account.username)
    browser.wait_text("mfa-state", r"is on")
    browser.click("reset-mfa")
    browser.wait_visible("confirm-dialog")
    assert "two-factor" in browser.text("confirm-title")
    browser.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    browser.wait_hidden("confirm-dialog")
    assert api.user_ok(admin.token, on.id)["mfa_enabled"] is True
    browser.click("reset-mfa")
    browser.click("confirm-ok")
    browser.wait_text("notice", r"two-factor sign-in is off")
    assert api.user_ok(admin.token, on.id)["mfa_enabled"] is False
    browser.wait_hidden("reset-mfa")
    browser.wait_text("mfa-state", r"is off")
    assert [b.text for b in browser.css("#user-badges .badge.mfa")] == []

    # A user promoted to admin since its page was shown: the server's refusal, and then
    # the page of an admin (no such button).
    promoted = api.new_member()
    enable_totp(api, promoted.token)
    browser.open(api.stack.url(f"/admin/#/users/{promoted.id}"))
    browser.wait(lambda: browser.text("user-title") == promoted.account.username and browser.visible("reset-mfa"),
                 "the page of a user with two-factor on")
    assert_json(api.patch_user(admin.token, promoted.id, {"role": "ADMIN"}), 200)
    refusal = assert_problem(api.delete(f"/api/users/{promoted.id}/mfa", token=admin.token), 403, "forbidden")
    browser.click("reset-mfa")
    browser.click("confirm-ok")
    browser.wait_text("error", re.escape(refusal["detail"]))
    assert api.user_ok(admin.token, promoted.id)["mfa_enabled"] is True
    browser.wait_text("user-readonly", r"is an admin")
    assert not browser.visible("reset-mfa")
    assert browser.console_problems() == []


def test_tokens_are_refreshed_before_they_expire_and_sign_out_logs_out(stack_factory, browser):
    api = start_users_api(stack_factory, ACCESS_TOKEN_TTL=3)
    admin = api.new_admin()
    sign_in(browser, api, admin.account)

    def access_token():
        stored = browser.session_storage().get(SESSION_KEY)
        return stored and re.search(r'"access":"([^"]+)"', stored).group(1)

    seen = [access_token()]
    for _ in range(2):  # two refreshes, each before the 3 s token expires
        browser.wait(lambda: access_token() not in seen, "a refreshed access token", timeout=8)
        seen.append(access_token())
    # Still signed in and working: a search goes through with the refreshed token.
    search(browser, admin.account.username)
    wait_rows(browser, [admin.id], "the search after refreshes")
    stored = browser.session_storage()[SESSION_KEY]
    refresh_token = re.search(r'"refresh":"([^"]+)"', stored).group(1)

    browser.click("sign-out")
    browser.wait_text("notice", r"signed out")
    assert browser.visible("view-signin")
    assert SESSION_KEY not in browser.session_storage()
    assert_unauthorized(api.refresh(refresh_token), "token_revoked")
    fresh = api.login_as(admin.account)
    sessions = assert_json(api.sessions(fresh.access), 200)["items"]
    assert [s for s in sessions if "HeadlessChrome" in (s["user_agent"] or "")] == [], sessions
    assert browser.console_problems() == []


def test_phone_width_has_no_horizontal_scrolling(api, admin, browser):
    sign_in(browser, api, admin.account)
    try:
        browser.size(*PHONE)
        browser.wait(lambda: browser.js("return window.innerWidth") <= PHONE[0], "the phone width")
        for hash_ in ("#/users", f"#/users/{admin.id}", "#/new"):
            browser.open(api.stack.url(f"/admin/{hash_}"))
            view = {"#/users": "users-table", "#/new": "create-form"}.get(hash_, "user-form")
            browser.wait_visible(view)
            overflow = browser.js("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{hash_}: {overflow}px of horizontal scrolling at phone width"
    finally:
        browser.size(1280, 900)
