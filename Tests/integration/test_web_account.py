"""The account page at /account/ (issue 18) in headless chromium through nginx and the
real backend; after each step the API agrees:

- a user signs in, turns two-factor sign-in on (the QR code is an image of the server's
  SVG; the key shown on the page, read by the test, gives the codes: pyotp computes
  them), a wrong code first; the 10 recovery codes are shown once, copied (the clipboard
  holds them) and downloaded (a .txt file holds them); signs out, signs in with a code
  (the token's amr is ["pwd", "otp"]), signs out, signs in with a recovery code; turns
  two-factor sign-in off (a wrong password first; a notice is mailed), then the password
  alone signs in;
- the second step: a wrong code is said at the field; an mfa_token used elsewhere sends
  the page back to step one; wrong codes lock the account and the page says when to retry;
- the session list marks the current session, another one is signed out from it; the
  password change (wrong current password, differing repeats, then right) keeps this
  session and ends the others;
- an unverified address gets a "resend verification mail" button (a mail arrives), a
  verified one none;
- /account redirects to /account/; phone width: no horizontal scrolling; signing out
  takes the recovery codes and the key out of the page.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from api_client import DEFAULT_PASSWORD, assert_json, assert_no_content, assert_unauthorized, claims
from smtp_server import is_verification_mail, mailbox, to_recipient  # noqa: F401 - the fixture
from support import assert_problem, wait_for
from users_support import LOCKOUT_THRESHOLD, start_users_api
from web_support import (  # noqa: F401 - browser
    PHONE, Authenticator, Keys, browser, enable_totp, second_step, verification_link,
)

SESSION_KEY = "auth-fcgi-account.session"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture(scope="module")
def api(mailbox, module_stack_factory):
    return start_users_api(module_stack_factory, MAIL_URL=mailbox.url())


# --- page helpers ----------------------------------------------------------------------

def sign_in(browser, api, account, password: str | None = None) -> None:
    """Step one on a fresh page (no session left in this tab)."""
    browser.fresh(api.stack.url("/account/"))
    browser.wait_visible("signin-login")
    browser.fill("signin-login", account.username)
    browser.fill("signin-password", password or account.password)
    browser.el("signin-submit").click()


def wait_signed_in(browser, account) -> None:
    browser.wait(lambda: browser.visible("view-account") and browser.text("account-name") == account.username,
                 "the account page")


def sign_out(browser) -> None:
    browser.click("sign-out")
    browser.wait_text("notice", r"signed out")
    browser.wait_visible("signin-login")
    assert SESSION_KEY not in browser.session_storage()


def stored_access(browser) -> str:
    return json.loads(browser.session_storage()[SESSION_KEY])["access"]


def wrong_code(authenticator: Authenticator) -> str:
    """A 6-digit code of none of the steps the service would accept now."""
    now = int(time.time())
    valid = {authenticator.totp.at(now + delta) for delta in (-60, -30, 0, 30, 60)}
    return next(c for c in ("000000", "123456", "999999") if c not in valid)


def session_rows(browser) -> list[dict]:
    if browser.el("sessions-list").get_attribute("aria-busy"):
        return []
    return [{"id": li.get_attribute("data-session-id"), "current": li.get_attribute("data-current") == "true",
             "text": li.text} for li in browser.css("#sessions-list li.session")]


def horizontal_overflow(browser) -> int:
    return browser.js("return document.documentElement.scrollWidth - window.innerWidth")


# --- the walk-through of the issue ---------------------------------------------------------

def test_enroll_sign_in_with_a_code_and_a_recovery_code_then_turn_off(api, mailbox, browser, tmp_path):
    member = api.new_member()
    account = member.account
    sign_in(browser, api, account)
    wait_signed_in(browser, account)
    assert claims(stored_access(browser))["amr"] == ["pwd"]
    browser.wait_visible("mfa-off")

    # Turn on: the QR code is an image of the server's SVG, not SVG markup in the page.
    browser.click("mfa-start")
    browser.wait_visible("mfa-enroll")
    shown = browser.text("mfa-secret")
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", shown), shown
    secret = shown.replace(" ", "")
    assert len(secret) == 32, secret  # 160 bits, base32 without padding
    qr = browser.el("mfa-qr")
    assert qr.is_displayed() and qr.get_attribute("src").startswith("data:image/svg+xml"), qr.get_attribute("src")[:60]
    assert "QR code" in qr.get_attribute("alt")
    browser.wait(lambda: browser.js("return arguments[0].complete && arguments[0].naturalWidth > 0", qr),
                 "the QR code image to be drawn")
    assert browser.css("main svg") == []
    assert browser.driver.switch_to.active_element.get_attribute("id") == "mfa-confirm-code"

    # A wrong code: said at the field, and two-factor sign-in stays off.
    authenticator = Authenticator(secret)
    browser.fill("mfa-confirm-code", wrong_code(authenticator) + Keys.ENTER)
    browser.wait_text("mfa-confirm-code-error", r"wrong")
    assert api.whoami_ok(member.token)["mfa_enabled"] is False

    # The right one (typed with the app's space): on, and the recovery codes, once.
    code = authenticator.code()
    browser.fill("mfa-confirm-code", f"{code[:3]} {code[3:]}" + Keys.ENTER)
    browser.wait_visible("mfa-codes")
    assert api.whoami_ok(member.token)["mfa_enabled"] is True
    codes = [li.text for li in browser.css("#mfa-codes-list li")]
    assert len(codes) == 10 and len(set(codes)) == 10, codes
    assert "only time" in browser.text("mfa-codes")
    browser.wait(lambda: "Two-factor on" in browser.text("profile-badges"), "the profile's two-factor badge")

    # Copy: the clipboard holds the codes.
    browser.driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": api.stack.base_url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    browser.click("mfa-codes-copy")
    browser.wait_text("two-factor-message", r"codes are copied")
    clipboard = browser.driver.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], (e) => arguments[0]('failed: ' + e));")
    assert clipboard.split("\n") == codes, clipboard

    # Download: a .txt file with every code.
    browser.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.click("mfa-codes-download")
    download = tmp_path / f"recovery-codes-{account.username}.txt"
    wait_for(lambda: download.is_file() and not list(tmp_path.glob("*.crdownload")), 10, "the downloaded codes")
    lines = download.read_text().splitlines()
    assert [line for line in lines if line in codes] == codes, lines
    assert account.username in lines[0]

    # Saved: the codes leave the page.
    browser.click("mfa-codes-done")
    browser.wait_visible("mfa-on")
    assert browser.css("#mfa-codes-list li") == [] and not browser.visible("mfa-codes")
    sign_out(browser)

    # Sign in with a code from the app.
    sign_in(browser, api, account)
    second_step(browser, code=authenticator.code())
    wait_signed_in(browser, account)
    assert claims(stored_access(browser))["amr"] == ["pwd", "otp"]
    browser.wait_visible("mfa-on")
    sign_out(browser)

    # Sign in with a recovery code; it is spent.
    sign_in(browser, api, account)
    second_step(browser, recovery_code=codes[0])
    wait_signed_in(browser, account)
    assert claims(stored_access(browser))["amr"] == ["pwd", "otp"]
    challenge = assert_problem(api.login({"username": account.username, "password": account.password}),
                               403, "mfa_required")
    assert_unauthorized(api.post("/api/auth/login/mfa", {"mfa_token": challenge["mfa_token"],
                                                         "recovery_code": codes[0]}), "mfa_code_invalid", presented=False)

    # Turn off: a wrong password is refused at the field, the right one turns it off.
    browser.click("mfa-disable")
    browser.wait_visible("mfa-password")
    assert browser.driver.switch_to.active_element.get_attribute("id") == "mfa-password"
    browser.fill("mfa-password", "wrong password!" + Keys.ENTER)
    browser.wait_text("mfa-password-error", r"password")
    assert api.whoami_ok(member.token)["mfa_enabled"] is True
    browser.fill("mfa-password", account.password + Keys.ENTER)
    browser.wait_visible("mfa-off")
    browser.wait_text("two-factor-message", r"is off")
    assert api.whoami_ok(member.token)["mfa_enabled"] is False
    to = to_recipient(account.email)
    mailbox.wait_for_messages(1, match=lambda m: to(m) and not is_verification_mail(m))  # the notice
    sign_out(browser)

    # The password alone signs in again.
    sign_in(browser, api, account)
    wait_signed_in(browser, account)
    assert claims(stored_access(browser))["amr"] == ["pwd"]
    assert browser.console_problems() == []


def capture_login_answers(browser) -> None:
    """Keeps the answers of /api/auth/login* in window.__answers (the page's fetch, wrapped
    by the test), so that the test can read the mfa_token the page holds."""
    browser.js("""
        const original = window.fetch;
        window.__answers = [];
        window.fetch = async (...args) => {
          const response = await original(...args);
          if (String(args[0]).startsWith('/api/auth/login')) window.__answers.push(await response.clone().json());
          return response;
        };""")


def wrong_code_refused(browser, code: str) -> None:
    browser.fill("mfa-code", code + Keys.ENTER)
    browser.wait(lambda: browser.el("mfa-code").get_attribute("value") == "" and
                 re.search(r"wrong", browser.text("mfa-code-error")), "the wrong code to be refused")


def test_second_step_wrong_code_used_token_and_lockout(api, browser):
    member = api.new_member()
    account = member.account
    authenticator, recovery_codes = enable_totp(api, member.token)

    browser.fresh(api.stack.url("/account/"))
    capture_login_answers(browser)
    browser.fill("signin-login", account.username)
    browser.fill("signin-password", account.password + Keys.ENTER)
    browser.wait_visible("mfa-code")
    assert browser.js("return window.__answers.length") == 1
    mfa_token = browser.js("return window.__answers[0].mfa_token")

    # A wrong code, and one that isn't 6 digits (said by the page itself).
    wrong_code_refused(browser, wrong_code(authenticator))
    browser.fill("mfa-code", "12345" + Keys.ENTER)
    browser.wait_text("mfa-code-error", r"6 digits")
    assert browser.js("return window.__answers.length") == 2  # only the wrong code was sent

    # The mfa_token is used elsewhere: the page goes back to step one and says why (the
    # token is refused before any code is looked at).
    assert_json(api.post("/api/auth/login/mfa", {"mfa_token": mfa_token, "code": authenticator.code()}), 200)
    browser.fill("mfa-code", wrong_code(authenticator) + Keys.ENTER)
    browser.wait_text("notice", r"expired or was already completed.*sign in again")
    browser.wait_visible("signin-form")
    assert not browser.visible("mfa-form")
    assert browser.el("signin-login").get_attribute("value") == account.username
    assert browser.driver.switch_to.active_element.get_attribute("id") == "signin-password"

    # Wrong codes count toward the lockout; then even a right recovery code gets the wait.
    browser.fill("signin-password", account.password + Keys.ENTER)
    browser.wait_visible("mfa-code")
    for _ in range(LOCKOUT_THRESHOLD):
        wrong_code_refused(browser, wrong_code(authenticator))
    browser.click("mfa-switch")
    browser.fill("mfa-recovery", recovery_codes[0] + Keys.ENTER)
    browser.wait_text("error", r"Try again in \d+ seconds")
    browser.wait_visible("signin-form")
    assert_problem(api.login({"username": account.username, "password": account.password}), 423, "account_locked")
    assert SESSION_KEY not in browser.session_storage()
    assert browser.console_problems() == []


def test_sessions_list_revoke_and_password_change(api, browser):
    member = api.new_member()
    account = member.account
    elsewhere = api.login_as(account, user_agent=FIREFOX)
    sign_in(browser, api, account)
    wait_signed_in(browser, account)

    browser.wait(lambda: len(session_rows(browser)) == 3, "three sessions")
    rows = session_rows(browser)
    listed = assert_json(api.sessions(member.token), 200)["items"]
    assert [r["id"] for r in rows] == [s["id"] for s in listed]  # newest first, as the API
    (current,) = [r for r in rows if r["current"]]
    assert current["id"] == claims(stored_access(browser))["sid"] and "This session" in current["text"]
    (firefox,) = [r for r in rows if r["id"] == elsewhere.sid]
    assert "Firefox on Linux" in firefox["text"]

    # Sign out the Firefox session from the list.
    browser.css(f'#sessions-list li[data-session-id="{elsewhere.sid}"] button')[0].click()
    browser.wait_text("sessions-message", r"Firefox on Linux is signed out")
    browser.wait(lambda: len(session_rows(browser)) == 2, "two sessions")
    assert_unauthorized(api.refresh(elsewhere.refresh), "token_revoked")

    # Change the password: a wrong current password, then differing repeats, then right.
    browser.fill("password-current", "wrong password!")
    browser.fill("password-new", "a new password 1")
    browser.fill("password-repeat", "a new password 1")
    browser.click("password-submit")
    browser.wait_text("password-current-error", r"current password is wrong")
    browser.fill("password-current", account.password)
    browser.fill("password-repeat", "a new password 2")
    browser.click("password-submit")
    browser.wait_text("password-repeat-error", r"differ")
    api.login_as(account)  # unchanged
    browser.fill("password-repeat", "a new password 1")
    browser.click("password-submit")
    browser.wait_text("password-message", r"password is changed")
    browser.wait(lambda: [r["current"] for r in session_rows(browser)] == [True], "only this session left")
    assert_problem(api.login({"username": account.username, "password": account.password}), 401,
                   "invalid_credentials")
    again = api.login_as(account, password="a new password 1")
    assert_unauthorized(api.refresh(member.pair.refresh), "token_revoked")

    # This session goes on with the new pair, across a reload (next to the one just made).
    browser.driver.refresh()
    wait_signed_in(browser, account)
    browser.wait(lambda: {(r["id"], r["current"]) for r in session_rows(browser)} == {
        (claims(stored_access(browser))["sid"], True), (again.sid, False)}, "this session after a reload")
    assert_no_content(api.logout(stored_access(browser)))
    assert browser.console_problems() == []


def test_resend_verification_mail(api, mailbox, browser):
    member = api.new_member()  # registered: unverified, one mail
    account = member.account
    _, first = verification_link(mailbox, account.email, api.stack.base_url)
    neutral = assert_json(api.post("/api/auth/email/resend", {"email": "nobody-" + account.email}), 202)["message"]

    sign_in(browser, api, account)
    wait_signed_in(browser, account)
    browser.wait_visible("verify-card")
    assert "Email not verified" in browser.text("profile-badges")
    browser.click("resend-verification")
    assert neutral in browser.wait_text("verify-message", re.escape(neutral))
    _, second = verification_link(mailbox, account.email, api.stack.base_url, n=2, known=(first,))

    # Verified (with the newest link): no button any more.
    assert_json(api.post("/api/auth/email/verify", {"token": second}), 200)
    browser.driver.refresh()
    browser.wait(lambda: "Email verified" in browser.text("profile-badges"), "the verified badge")
    assert not browser.visible("verify-card") and not browser.visible("resend-verification")
    assert browser.console_problems() == []


def test_redirect_and_phone_width(api, browser):
    r = api.get("/account")
    assert r.status_code == 200 and r.history and r.history[0].status_code == 301, (r.status_code, r.history)
    assert r.history[0].headers["Location"] == "/account/"

    member = api.new_member()
    api.login_as(member.account, user_agent=FIREFOX)
    try:
        browser.size(*PHONE)
        browser.wait(lambda: browser.js("return window.innerWidth") <= PHONE[0], "the phone width")
        sign_in(browser, api, member.account)
        wait_signed_in(browser, member.account)
        browser.wait(lambda: len(session_rows(browser)) == 3, "three sessions")
        assert horizontal_overflow(browser) <= 0
        browser.click("mfa-start")
        browser.wait_visible("mfa-qr")
        assert horizontal_overflow(browser) <= 0, "the enrollment at phone width"
        browser.fill("mfa-confirm-code", Authenticator(browser.text("mfa-secret").replace(" ", "")).code() + Keys.ENTER)
        browser.wait_visible("mfa-codes")
        assert horizontal_overflow(browser) <= 0, "the recovery codes at phone width"
    finally:
        browser.size(1280, 900)
    # Signing out with the codes on screen takes them (and the key) out of the page.
    sign_out(browser)
    assert browser.css("#mfa-codes-list li") == []
    assert browser.js("return document.getElementById('mfa-secret').textContent") == ""
    assert browser.console_problems() == []


def test_no_session_in_storage_after_a_refused_password(api, browser):
    account = api.new_user()
    sign_in(browser, api, account, password=DEFAULT_PASSWORD + "x")
    browser.wait_text("error", r"\S")
    assert browser.visible("signin-form") and not browser.visible("mfa-form")
    assert browser.el("signin-password").get_attribute("value") == ""
    assert SESSION_KEY not in browser.session_storage()
