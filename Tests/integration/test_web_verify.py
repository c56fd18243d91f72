"""The email-verification page /verify-email (issue 17, "Web") in headless chromium
through nginx and the real backend, mail by the file transport:

- the mail's link end to end: registration mails the link, the page takes the token out
  of the address bar at once, verifies it and says so with a link to sign in; the API
  then shows `email_verified: true`, and the token is spent;
- a link voided by a newer one, and a used one, are explained in words with a form that
  asks for a new link: it shows the neutral message, and the new mail's link works;
- a request that fails (the network) keeps the token for "Try again";
- a visit without a token explains and offers the same form (the same message for an
  unknown address; an empty field is caught on the page);
- nginx's headers (CSP, nosniff, no-referrer, no-store), and its access log keeps the
  path of the page but not the token.
"""

from __future__ import annotations

import pytest
import requests

from api_client import assert_json, assert_problem, start_api
from smtp_server import mail_barrier, mailbox  # noqa: F401 - the fixture
from support import media_type
from web_support import (  # noqa: F401 - browser: fixture
    assert_logged_without_token, assert_security_headers, browser, verification_link, verification_mail_to,
)

NEUTRAL = r"If an account with an address still to verify uses this one, a mail with a new link is on its way"
INVALID = r"can't be used any more: it has expired, it was already used, or a newer link"


@pytest.fixture(scope="module")
def api(mailbox, module_stack_factory):
    return start_api(module_stack_factory, MAIL_URL=mailbox.url(), EMAIL_VERIFICATION="optional")


def open_link(browser, link: str, token: str) -> None:
    """Opens the mail's link; the token leaves the address bar (and so history) at once."""
    browser.fresh(link)
    browser.wait(lambda: "token" not in browser.url, "the token to leave the address bar")
    assert token not in browser.url
    assert browser.url.endswith("/verify-email"), browser.url
    assert browser.js("return window.location.search") == ""


def email_verified(api, account) -> bool:
    return api.whoami_ok(api.login_as(account).access)["email_verified"]


def ask_for_new_link(browser, address: str) -> str:
    browser.fill("resend-email", address)
    browser.el("resend-submit").click()
    return browser.wait_text("message", NEUTRAL)


def test_verify_from_the_mail_link_end_to_end(api, mailbox, browser):
    account = api.new_user()
    assert account.user["email_verified"] is False
    link, token = verification_link(mailbox, account.email, api.stack.base_url)

    open_link(browser, link, token)
    text = browser.wait_text("message", r"is verified")
    assert account.email in text
    assert browser.text("title") == "Email address verified"
    sign_in = browser.wait_visible("sign-in-link")
    assert sign_in.text == "Sign in" and sign_in.get_attribute("href") == api.stack.url("/")
    assert not browser.visible("resend-form") and not browser.visible("loading")
    assert browser.console_problems() == []

    # The API agrees, and the token is spent.
    assert email_verified(api, account) is True
    assert_problem(api.post("/api/auth/email/verify", {"token": token}), 400, "verification_token_invalid")


def test_voided_and_used_links_are_explained_and_a_new_link_can_be_asked_for(api, mailbox, browser):
    account = api.new_user()
    first_link, first_token = verification_link(mailbox, account.email, api.stack.base_url)
    assert_json(api.post("/api/auth/email/resend", {"email": account.email}), 202)  # voids the first link
    _, second_token = verification_link(mailbox, account.email, api.stack.base_url, n=2, known=(first_token,))

    open_link(browser, first_link, first_token)
    browser.wait_text("message", INVALID)
    assert browser.wait_visible("resend-form")
    assert browser.driver.switch_to.active_element.get_attribute("id") == "resend-email"
    assert not browser.visible("sign-in-link")
    assert email_verified(api, account) is False

    # The form on the page mails a new link, and that one works.
    ask_for_new_link(browser, account.email)
    third_link, third_token = verification_link(mailbox, account.email, api.stack.base_url, n=3,
                                                known=(first_token, second_token))
    open_link(browser, third_link, third_token)
    browser.wait_text("message", r"is verified")
    assert email_verified(api, account) is True

    # Used now: the same link again is explained too, and a verified address gets no mail.
    open_link(browser, third_link, third_token)
    browser.wait_text("message", INVALID)
    ask_for_new_link(browser, account.email)
    mail_barrier(api, mailbox, account.email)
    assert len(mailbox.messages(verification_mail_to(account.email))) == 3
    assert browser.console_problems() == []


def test_a_failed_request_keeps_the_token_for_another_try(api, mailbox, browser):
    account = api.new_user()
    link, token = verification_link(mailbox, account.email, api.stack.base_url)
    # The browser can't reach the verify endpoint (as when the network drops): the page
    # says so and offers to try again with the token it keeps (no longer in the URL).
    browser.driver.execute_cdp_cmd("Network.enable", {})
    browser.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/api/auth/email/verify"]})
    try:
        open_link(browser, link, token)
        browser.wait_text("message", r"can't be reached")
        browser.wait_visible("retry")
        assert not browser.visible("resend-form")
    finally:
        browser.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    browser.console_problems()  # the blocked request's console line
    assert email_verified(api, account) is False

    browser.click("retry")
    browser.wait_text("message", r"is verified")
    assert not browser.visible("retry")
    assert email_verified(api, account) is True
    assert browser.console_problems() == []


def test_page_without_a_token_offers_a_new_link(api, mailbox, browser):
    browser.fresh(api.stack.url("/verify-email"))
    browser.wait_text("message", r"needs the link from your verification mail")
    assert browser.wait_visible("resend-form") and not browser.visible("loading")

    browser.el("resend-submit").click()  # empty: caught on the page
    browser.wait_text("resend-email-error", r"Enter your email address")

    # The same message for an address without an account, and no mail for it.
    unknown = "nobody-verify@example.com"
    neutral = ask_for_new_link(browser, unknown)
    account = api.new_user()
    verification_link(mailbox, account.email, api.stack.base_url)
    browser.fresh(api.stack.url("/verify-email"))
    assert ask_for_new_link(browser, account.email) == neutral
    verification_link(mailbox, account.email, api.stack.base_url, n=2)
    assert mailbox.messages(verification_mail_to(unknown)) == []
    assert browser.console_problems() == []


def test_security_headers_and_the_access_log_leaves_the_token_out(api):
    for path in ("/verify-email", "/verify-email?token=abc"):
        r = requests.get(api.stack.url(path), timeout=10)
        assert r.status_code == 200, (path, r.status_code)
        assert media_type(r) == "text/html", (path, r.headers.get("Content-Type"))
        assert_security_headers(r)
        assert r.headers.get("Cache-Control") == "no-store", (path, r.headers)
        assert '<script type="module" src="/auth-web/verify-email/verify.js"></script>' in r.text
    r = requests.get(api.stack.url("/auth-web/verify-email/verify.js"), timeout=10)
    assert r.status_code == 200 and media_type(r) == "text/javascript", r.headers
    assert_security_headers(r)
    assert requests.get(api.stack.url("/auth-web/verify-email/index.html"), timeout=10).status_code == 404
    # Nor the mailed tokens the browser opened earlier in this module.
    assert_logged_without_token(api.stack, "/verify-email")
