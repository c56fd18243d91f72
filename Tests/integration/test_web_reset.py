"""The password-reset and forgot-password pages (issue 11, items 1 and 3) in headless
chromium through nginx and the real backend, mail by the file transport:

- the mail's link end to end: the forgot page sends the mail, its link opens the reset
  page, the token leaves the address bar at once, the new password typed twice works
  for a login through the API (and the old one doesn't);
- a weak password shows the problem body's field messages under the field (and leaves
  the token usable); two different passwords are caught on the page;
- a used or replaced token, and a visit without a token, say so in words with a link to
  request a new mail;
- nginx's headers (CSP, nosniff, no-referrer, no-store) with plain requests, and an
  access log without the token; no page has inline script or style.
"""

from __future__ import annotations

import re

import pytest
import requests

from api_client import assert_json, assert_problem, assert_unauthorized, start_api
from smtp_server import is_reset_mail, mailbox, reset_token  # noqa: F401 (mailbox: fixture)
from support import REPO_ROOT, media_type
from web_support import (  # noqa: F401 - browser: fixture
    assert_logged_without_token, assert_security_headers, browser, mailed_link,
)

NEW_PASSWORD = "a brand new passphrase"



@pytest.fixture(scope="module")
def api(mailbox, module_stack_factory):
    return start_api(module_stack_factory, MAIL_URL=mailbox.url())


def mail_link(api, mailbox, email: str, n: int = 1, known: tuple[str, ...] = ()) -> tuple[str, str]:
    """The reset mail to email whose token is not in `known` (waits for n reset mails, not
    counting the verification mail of the registration): (its link, its token)."""
    return mailed_link(mailbox, email, api.stack.base_url, is_reset_mail, reset_token, "reset-password", n, known)


def forgot_by_api(api, email: str) -> None:
    assert_json(api.post("/api/auth/password/forgot", {"email": email}), 202)


def open_reset_link(browser, link: str, token: str) -> None:
    browser.fresh(link)
    browser.wait_visible("reset-form")
    # The token is gone from the address bar (and so from history) once the page read it.
    browser.wait(lambda: "token" not in browser.url, "the token to leave the address bar")
    assert token not in browser.url
    assert browser.url.endswith("/reset-password"), browser.url
    assert browser.js("return window.location.search") == ""


def submit_passwords(browser, password: str, again: str | None = None) -> None:
    browser.fill("new-password", password)
    browser.fill("confirm-password", password if again is None else again)
    browser.el("reset-submit").click()


def test_reset_from_the_mail_link_end_to_end(api, mailbox, browser):
    account = api.new_user()
    old_pair = api.login_as(account)

    # Ask for the mail through the forgot page: the neutral message, whatever the address.
    browser.fresh(api.stack.url("/forgot-password"))
    browser.fill("email", account.email)
    browser.el("forgot-submit").click()
    neutral = browser.wait_text("message", r"If an account uses this address")
    browser.fill("email", "nobody-" + account.email)
    browser.el("forgot-submit").click()
    browser.wait(lambda: browser.text("message") == neutral and not browser.el("forgot-submit").get_attribute("disabled"),
                 "the same message for an unknown address")

    link, token = mail_link(api, mailbox, account.email)
    assert link == f"{api.stack.base_url}/reset-password?token={token}"
    open_reset_link(browser, link, token)

    submit_passwords(browser, NEW_PASSWORD)
    browser.wait_text("message", r"password has been changed")
    assert browser.wait_visible("sign-in-link").text == "Sign in"
    assert not browser.visible("reset-form")
    assert browser.console_problems() == []

    # The API agrees: the new password logs in, the old one doesn't, old sessions are gone.
    api.login_as(account, password=NEW_PASSWORD)
    assert_unauthorized(api.login({"username": account.username, "password": account.password}),
                        "invalid_credentials", presented=False)
    assert_unauthorized(api.whoami(old_pair.access), "token_revoked")
    assert_problem(api.post("/api/auth/password/reset", {"token": token, "new_password": NEW_PASSWORD + "x"}),
                   400, "reset_token_invalid")


def test_weak_password_shows_the_field_messages_and_keeps_the_token(api, mailbox, browser):
    account = api.new_user()
    forgot_by_api(api, account.email)
    link, token = mail_link(api, mailbox, account.email)
    # The messages the API gives for these passwords (a 422 leaves the token usable).
    too_short = assert_problem(api.post("/api/auth/password/reset", {"token": token, "new_password": "short"}),
                               422, "validation_failed")["errors"]
    similar = assert_problem(api.post("/api/auth/password/reset",
                                      {"token": token, "new_password": account.username.upper()}),
                             422, "validation_failed")["errors"]
    assert [e["code"] for e in too_short] == ["too_short"] and [e["code"] for e in similar] == ["too_similar"]

    open_reset_link(browser, link, token)

    submit_passwords(browser, "short")
    field_error = browser.wait_text("new-password-error", re.escape(too_short[0]["message"]))
    assert browser.el("new-password").get_attribute("aria-invalid") == "true"
    assert "new-password-error" in browser.el("new-password").get_attribute("aria-describedby")
    assert field_error.strip() == too_short[0]["message"]
    assert browser.text("message"), "the problem's detail is shown too"

    submit_passwords(browser, account.username.upper())
    browser.wait_text("new-password-error", re.escape(similar[0]["message"]))

    # Two different passwords: caught on the page, nothing sent.
    submit_passwords(browser, NEW_PASSWORD, NEW_PASSWORD + "!")
    browser.wait_text("confirm-password-error", r"not the same")

    # The token survived the refusals.
    submit_passwords(browser, NEW_PASSWORD)
    browser.wait_text("message", r"password has been changed")
    api.login_as(account, password=NEW_PASSWORD)
    assert browser.console_problems() == []


def test_used_or_replaced_link_is_explained(api, mailbox, browser):
    account = api.new_user()
    forgot_by_api(api, account.email)
    first_link, first_token = mail_link(api, mailbox, account.email)
    forgot_by_api(api, account.email)  # a newer request voids the first link
    second_link, second_token = mail_link(api, mailbox, account.email, n=2, known=(first_token,))
    assert second_token != first_token

    for link, token in ((first_link, first_token), (second_link, second_token)):
        if token == second_token:  # used: spent through the API
            assert_json(api.post("/api/auth/password/reset", {"token": token, "new_password": NEW_PASSWORD}), 200)
        open_reset_link(browser, link, token)
        submit_passwords(browser, "another fine passphrase")
        text = browser.wait_text("message", r"expired.*already used.*newer link")
        assert "Request a new link" in text
        assert not browser.visible("reset-form")
        new_link = browser.wait_visible("request-new").find_element("css selector", "a")
        assert new_link.get_attribute("href") == api.stack.url("/forgot-password")
    # Neither attempt changed the password.
    api.login_as(account, password=NEW_PASSWORD)


def test_page_without_a_token_points_to_the_forgot_page(api, browser):
    browser.fresh(api.stack.url("/reset-password"))
    browser.wait_text("message", r"needs the link from your password-reset mail")
    assert not browser.visible("reset-form")
    browser.wait_visible("request-new")
    assert browser.console_problems() == []


PAGES = ["/reset-password", "/reset-password?token=abc", "/forgot-password", "/admin/", "/account/"]
ASSETS = {
    "/auth-web/shared/base.css": "text/css",
    "/auth-web/shared/api.js": "text/javascript",
    "/auth-web/shared/ui.js": "text/javascript",
    "/auth-web/shared/link-token.js": "text/javascript",
    "/auth-web/shared/mail-request.js": "text/javascript",
    "/auth-web/shared/messages.js": "text/javascript",
    "/auth-web/shared/session.js": "text/javascript",
    "/auth-web/shared/sign-in.js": "text/javascript",
    "/auth-web/shared/app.css": "text/css",
    "/auth-web/reset-password/reset.js": "text/javascript",
    "/auth-web/forgot-password/forgot.js": "text/javascript",
    "/auth-web/admin/admin.js": "text/javascript",
    "/auth-web/admin/admin.css": "text/css",
    "/auth-web/account/account.js": "text/javascript",
    "/auth-web/account/account.css": "text/css",
}


def test_security_headers(api):
    for path in PAGES:
        r = requests.get(api.stack.url(path), timeout=10)
        assert r.status_code == 200, (path, r.status_code)
        assert media_type(r) == "text/html", (path, r.headers.get("Content-Type"))
        assert_security_headers(r)
        assert r.headers.get("Cache-Control") == "no-store", (path, r.headers)
        assert "<script" in r.text and 'type="module"' in r.text
    for path, mime in ASSETS.items():
        r = requests.get(api.stack.url(path), timeout=10)
        assert r.status_code == 200, (path, r.status_code)
        assert media_type(r) == mime, (path, r.headers.get("Content-Type"))
        assert_security_headers(r)

    r = requests.get(api.stack.url("/admin"), allow_redirects=False, timeout=10)
    assert r.status_code == 301 and r.headers["Location"] == "/admin/", (r.status_code, r.headers)
    for path in ("/auth-web/admin/index.html", "/auth-web/no-such.js"):
        assert requests.get(api.stack.url(path), timeout=10).status_code == 404, path
    # The access log keeps the reset page's path, not its token.
    assert_logged_without_token(api.stack, "/reset-password")
    # The API keeps its own headers (the web locations don't touch /api/).
    health = requests.get(api.stack.url("/api/health"), timeout=10)
    assert health.status_code == 200 and "Content-Security-Policy" not in health.headers


def test_pages_have_no_inline_script_or_style():
    pages = sorted((REPO_ROOT / "web").rglob("*.html"))
    assert len(pages) == 6, pages  # the five pages and the front page
    for page in pages:
        html = page.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"{page}: inline script {tag}"
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), f"{page}: script with a body"
        assert "<style" not in html and not re.search(r"\sstyle\s*=", html), f"{page}: inline style"
        assert not re.search(r"\son[a-z]+\s*=", html), f"{page}: inline event handler"
        for ref in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"(?i)^(https?:)?//", ref), f"{page} loads {ref} from elsewhere"
    for script in (REPO_ROOT / "web").rglob("*.js"):
        text = script.read_text()
        assert "innerHTML" not in text and "eval(" not in text, script
        assert not re.search(r"""["'](https?:)?//""", text), f"{script} refers to another origin"
