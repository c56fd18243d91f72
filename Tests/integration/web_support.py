"""Headless Debian chromium driven through chromedriver by Selenium, for the tests of the
web pages (test_web_*.py): a module-scoped browser fixture, explicit waits, and the
browser console's errors (a CSP violation or a script error fails a test); the pages'
security headers and the verification mail's link; the test's own authenticator app
(pyotp) and the two steps of a sign-in with two-factor sign-in on.

Offline like the docs page's test: every host but 127.0.0.1 fails to resolve. Selenium
Manager never runs (the driver path is given, SE_OFFLINE is set). The browser is quit at
teardown, and chromedriver killed by its pid if quitting fails. WEB_TEST_SHOTS=DIR saves
a screenshot and the DOM of the page when a wait times out (DIR/failure.png, .html).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
import requests

from api_client import Account, Pair, assert_json
from smtp_server import is_verification_mail, to_recipient, verification_token
from support import assert_problem, wait_for

os.environ.setdefault("SE_OFFLINE", "true")

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # the browser fixture fails with a clear message instead
    webdriver = None
    TimeoutException = WebDriverException = Exception
    Service = By = Keys = Select = WebDriverWait = None

WAIT = 10  # seconds, every explicit wait
PAGE_LOAD_TIMEOUT = 20
DESKTOP = (1280, 900)
PHONE = (390, 844)

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

__all__ = ["Browser", "By", "Keys", "Select", "browser", "TimeoutException", "CSP", "PHONE", "DESKTOP",
           "assert_logged_without_token", "assert_security_headers", "verification_mail_to", "verification_link",
           "Authenticator", "enable_totp", "login_with_code", "second_step"]


def assert_security_headers(r) -> None:
    """The headers nginx sends with every page and asset (web-locations.conf)."""
    assert r.headers.get("Content-Security-Policy") == CSP, r.headers
    assert r.headers.get("X-Content-Type-Options") == "nosniff", r.headers
    assert r.headers.get("Referrer-Policy") == "no-referrer", r.headers
    assert r.headers.get("X-Request-ID"), r.headers


def assert_logged_without_token(stack, page: str) -> None:
    """nginx's access log has a request for page (whose links carry a token) with its path
    but without its query: neither a token sent now nor any seen before."""
    log = stack.run_dir / "log" / "nginx-access.log"

    def lines() -> list[str]:
        return [x for x in log.read_text(errors="replace").splitlines() if f'"GET {page} HTTP/1.1" 200 ' in x]

    before = len(lines())
    token = "this-token-must-not-be-logged"
    assert requests.get(stack.url(f"{page}?token={token}"), timeout=10).status_code == 200
    wait_for(lambda: len(lines()) > before, 10, f"the line of {page} in nginx's access log")  # written after the answer
    text = log.read_text(errors="replace")
    assert token not in text and f"{page}?" not in text


# --- the verification mail (contract §3 "Email verification") ---------------------------

def verification_mail_to(address: str):
    """A mailbox match for the verification mails to address."""
    to = to_recipient(address)
    return lambda m: to(m) and is_verification_mail(m)


def mailed_link(mailbox, address: str, public_base_url: str, is_kind, read_token, page: str,
                n: int = 1, known: tuple[str, ...] = ()) -> tuple[str, str]:
    """(link, token) of the mail of a kind (`is_reset_mail` read by `reset_token`, ...) to
    address whose token is not in `known`, once n of them arrived."""
    to = to_recipient(address)
    for mail in mailbox.wait_for_messages(n, match=lambda m: to(m) and is_kind(m)):
        token = read_token(mail, public_base_url)
        if token not in known:
            return f"{public_base_url}/{page}?token={token}", token
    raise AssertionError(f"no new {page} mail to {address} (known: {len(known)})")


def verification_link(mailbox, address: str, public_base_url: str, n: int = 1,
                      known: tuple[str, ...] = ()) -> tuple[str, str]:
    return mailed_link(mailbox, address, public_base_url, is_verification_mail, verification_token, "verify-email",
                       n, known)


# --- two-factor sign-in (contract §3 "Two-factor sign-in with TOTP") --------------------

STEP = 30  # seconds, RFC 6238's default period, the service's


class Authenticator:
    """The test's authenticator app for one secret: RFC 6238 codes computed by pyotp, an
    implementation independent of the service's. The service takes a step's code once per
    user and one step either side of now, so each code handed out is of a later step than
    the last one: now, else the next step (waiting for the clock when that is not yet
    within reach)."""

    def __init__(self, secret: str):
        self.totp = pyotp.TOTP(secret)
        self.last_step: int | None = None

    def code(self) -> str:
        now = int(time.time()) // STEP
        step = now if self.last_step is None else max(now, self.last_step + 1)
        wait_for(lambda: int(time.time()) // STEP >= step - 1, STEP + 5, f"TOTP step {step} to be within reach")
        self.last_step = step
        return self.totp.at(step * STEP)


def enable_totp(api, access_token: str) -> tuple[Authenticator, list[str]]:
    """Turns two-factor sign-in on through the API: (the authenticator, the recovery codes)."""
    started = assert_json(api.post("/api/auth/mfa/totp", token=access_token), 200)
    authenticator = Authenticator(started["secret"])
    confirmed = assert_json(api.post("/api/auth/mfa/totp/confirm", {"code": authenticator.code()},
                                     token=access_token), 200)
    assert confirmed["user"]["mfa_enabled"] is True, confirmed
    return authenticator, confirmed["recovery_codes"]


def login_with_code(api, account: Account, authenticator: Authenticator) -> Pair:
    """Both steps of a login through the API."""
    challenge = assert_problem(api.login({"username": account.username, "password": account.password}),
                               403, "mfa_required")
    return Pair(assert_json(api.post("/api/auth/login/mfa", {"mfa_token": challenge["mfa_token"],
                                                            "code": authenticator.code()}), 200))


def second_step(browser, code: str | None = None, recovery_code: str | None = None) -> None:
    """The sign-in page's second step (web/shared/sign-in.js): a code from the app, or
    after the switch a recovery code, typed and sent with the keyboard."""
    browser.wait_visible("mfa-code")
    assert not browser.visible("signin-form"), "step one stays on screen in step two"
    if recovery_code is not None:
        browser.click("mfa-switch")
        browser.wait_visible("mfa-recovery")
        assert browser.driver.switch_to.active_element.get_attribute("id") == "mfa-recovery"
        browser.fill("mfa-recovery", recovery_code + Keys.ENTER)
    else:
        assert browser.driver.switch_to.active_element.get_attribute("id") == "mfa-code"
        browser.fill("mfa-code", code + Keys.ENTER)


def find_binaries() -> tuple[str, str]:
    if webdriver is None:
        pytest.fail("python3 can't import selenium: install it with `scripts/install-deps test`", pytrace=False)
    chromium = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)
    driver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.access("/usr/bin/chromedriver", os.X_OK) else None)
    if not chromium or not driver:
        pytest.fail("chromium and chromedriver are needed: install them with `scripts/install-deps test` "
                    "(Debian packages chromium, chromium-driver)", pytrace=False)
    return chromium, driver


def start_driver(profile: Path, size=DESKTOP):
    chromium, driver_path = find_binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--password-store=basic",
                "--disable-features=Translate,OptimizationHints,MediaRouter,PasswordLeakDetection",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}", "--lang=en-US"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    log = str(profile.parent / "chromedriver.log")
    env = dict(os.environ, HOME=str(profile.parent))
    try:
        service = Service(executable_path=driver_path, log_output=log, env=env)
    except TypeError:  # Selenium < 4.11 (Debian 12's python3-selenium 4.8)
        service = Service(executable_path=driver_path, log_path=log, env=env)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT)
    driver.set_script_timeout(WAIT)
    return driver, service


class Browser:
    """A Selenium driver with the waits and lookups the web tests need."""

    def __init__(self, driver, service):
        self.driver = driver
        self.service = service

    # --- navigation -----------------------------------------------------------------
    def open(self, url: str) -> None:
        self.driver.get(url)

    def fresh(self, url: str) -> None:
        """Opens url with this origin's sessionStorage emptied (no session left over).
        The storage is cleared from a static file of the same origin, where no page script
        runs that could write its session back."""
        parts = urlsplit(url)
        self.driver.get(f"{parts.scheme}://{parts.netloc}/auth-web/shared/base.css")
        self.driver.execute_script("window.sessionStorage.clear();")
        self.driver.get(url)
        self.console_problems()  # forget earlier messages

    @property
    def url(self) -> str:
        return self.driver.current_url

    def size(self, width: int, height: int) -> None:
        self.driver.set_window_size(width, height)

    # --- lookups and waits -------------------------------------------------------------
    def el(self, element_id: str):
        return self.driver.find_element(By.ID, element_id)

    def css(self, selector: str):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def wait(self, predicate, what: str, timeout: float = WAIT):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05,
                                 ignored_exceptions=(WebDriverException,)).until(lambda d: predicate())
        except TimeoutException:
            if os.environ.get("WEB_TEST_SHOTS"):
                self.driver.save_screenshot(os.path.join(os.environ["WEB_TEST_SHOTS"], "failure.png"))
                Path(os.environ["WEB_TEST_SHOTS"], "failure.html").write_text(self.driver.page_source)
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; url {self.url}; "
                                 f"messages: {self.messages()!r}; console: {self.console_problems()!r}") from None

    def visible(self, element_id: str) -> bool:
        found = self.driver.find_elements(By.ID, element_id)
        return bool(found) and found[0].is_displayed()

    def wait_visible(self, element_id: str, timeout: float = WAIT):
        self.wait(lambda: self.visible(element_id), f"#{element_id} to be visible", timeout)
        return self.el(element_id)

    def wait_hidden(self, element_id: str, timeout: float = WAIT) -> None:
        self.wait(lambda: not self.visible(element_id), f"#{element_id} to be hidden", timeout)

    def text(self, element_id: str) -> str:
        found = self.driver.find_elements(By.ID, element_id)
        return found[0].text if found and found[0].is_displayed() else ""

    def wait_text(self, element_id: str, pattern: str, timeout: float = WAIT) -> str:
        regex = re.compile(pattern, re.IGNORECASE | re.DOTALL)
        self.wait(lambda: regex.search(self.text(element_id)), f"#{element_id} to match /{pattern}/", timeout)
        return self.text(element_id)

    def messages(self) -> dict[str, str]:
        return {i: self.text(i) for i in ("message", "notice", "error") if self.text(i)}

    # --- input --------------------------------------------------------------------------
    def fill(self, element_id: str, value: str) -> None:
        field = self.el(element_id)
        field.clear()
        field.send_keys(value)

    def click(self, element_id: str) -> None:
        self.wait_visible(element_id).click()

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def session_storage(self) -> dict:
        return self.js("const o = {}; for (let i = 0; i < sessionStorage.length; i++) {"
                       " const k = sessionStorage.key(i); o[k] = sessionStorage.getItem(k); } return o;")

    # --- console ------------------------------------------------------------------------
    def console_problems(self) -> list[str]:
        """Console errors since the last call: CSP refusals, script errors, failed loads.
        (A failed API call the page handles shows up as a network error line; those are
        left out: the tests provoke 4xx answers on purpose.)"""
        try:
            entries = self.driver.get_log("browser")
        except WebDriverException:
            return []
        problems = []
        for entry in entries:
            message = entry.get("message", "")
            if re.search(r"/api/\S+ - Failed to load resource: the server responded with a status of", message):
                continue
            if entry.get("level") == "SEVERE" or re.search(r"Content Security Policy|Refused to", message):
                problems.append(message)
        return problems

    def quit(self) -> None:
        pid = self.service.process.pid if self.service.process else None
        try:
            self.driver.quit()
        except Exception:  # noqa: BLE001 - fall back to the pid
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


@pytest.fixture(scope="module")
def browser():
    """One headless chromium for a test module, at desktop size; quit at teardown."""
    root = Path(tempfile.mkdtemp(prefix="afit-web-", dir="/tmp"))
    (root / "profile").mkdir()
    driver, service = start_driver(root / "profile")
    b = Browser(driver, service)
    try:
        yield b
    finally:
        b.quit()
        shutil.rmtree(root, ignore_errors=True)
