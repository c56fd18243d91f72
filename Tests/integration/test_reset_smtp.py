"""Forgot / reset through nginx with a real SMTP server (contract §3 "Forgot / reset",
§4 MAIL_URL/MAIL_FROM, §5 "Password reset"; issue 5).

The module's stack sends mail to an aiosmtpd server (smtp_server.SmtpSink) that requires
AUTH with the credentials of MAIL_URL. Other tests here start their own stack against an
SMTP port that hangs or where nothing listens.
"""

import statistics
import time

import pytest

import support
from api_client import Api, assert_json, assert_problem, assert_unauthorized, start_api, unique
from smtp_server import (
    NO_VERIFICATION_MAIL, BlackHole, SmtpSink, assert_mail_headers, assert_not_logged, is_reset_mail, reset_token, to_recipient,
)

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

MAIL_FROM = "Auth Service <auth@example.org>"
ENVELOPE_FROM = "auth@example.org"
SMTP_USER, SMTP_PASSWORD = "mailer", "smtp-Pa55word-xyz"
NEW_PASSWORD = "a fresh reset passphrase"
FORGOT = "/api/auth/password/forgot"
RESET = "/api/auth/password/reset"


@pytest.fixture(scope="module")
def sink():
    s = SmtpSink(credentials=(SMTP_USER, SMTP_PASSWORD)).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def api(sink, module_stack_factory) -> Api:
    # sink first: it is stopped after the stack, so no mail is left undelivered
    return start_api(module_stack_factory, MAIL_URL=sink.url(), MAIL_FROM=MAIL_FROM, LOCKOUT_THRESHOLD=3,
                     **NO_VERIFICATION_MAIL)


def forgot(api, email):
    return api.post(FORGOT, {"email": email})


def assert_accepted(resp) -> dict:
    body = assert_json(resp, 202)
    assert set(body) == {"message"} and isinstance(body["message"], str) and body["message"], body
    return body


def request_token(api, sink, account, n=1) -> str:
    """Forgot for the account; the token of its n-th reset mail."""
    assert_accepted(forgot(api, account.email))
    mails = sink.wait_for_messages(n, match=lambda m: to_recipient(account.email)(m) and is_reset_mail(m))
    return reset_token(mails[n - 1], api.stack.base_url)


def reset(api, token, password=NEW_PASSWORD):
    return api.post(RESET, {"token": token, "new_password": password})


def assert_reset_ok(resp) -> None:
    body = assert_json(resp, 200)
    assert set(body) == {"message"} and isinstance(body["message"], str) and body["message"], body


def notices(sink, account):
    return sink.messages(lambda m: to_recipient(account.email)(m) and not is_reset_mail(m))


def assert_notice(mail, account, *secrets):
    assert_mail_headers(mail, MAIL_FROM, account.email)
    assert mail.mail_from == ENVELOPE_FROM and mail.rcpt_tos == [account.email]
    assert "changed" in (mail.subject + mail.text).lower(), (mail.subject, mail.text)
    for s in secrets:
        assert s not in mail.text and s not in mail.subject


def test_forgot_mail_reset_login_and_old_sessions_revoked(api, sink):
    account = api.new_user()
    first, second = api.login_as(account), api.login_as(account, by="email")

    resp = forgot(api, account.email)
    assert_accepted(resp)
    mails = sink.wait_for_mail_to(account.email)
    assert len(mails) == 1, mails
    mail = mails[0]
    # the envelope, and AUTH with MAIL_URL's user:pass
    assert mail.mail_from == ENVELOPE_FROM, mail.mail_from
    assert mail.rcpt_tos == [account.email], mail.rcpt_tos
    assert mail.login == SMTP_USER
    assert_mail_headers(mail, MAIL_FROM, account.email)
    token = reset_token(mail, api.stack.base_url)
    assert api.stack.base_url == f"http://127.0.0.1:{api.stack.port}"  # serve-local's PUBLIC_BASE_URL default

    # stored only as a hash: the raw token is nowhere in the database files
    db_files = api.db.files()
    assert db_files
    for f in db_files:
        assert token.encode() not in f.read_bytes(), f"raw reset token stored in {f.name}"
    (stored,) = api.db.query("SELECT token_hash FROM reset_tokens WHERE user_id = ?", (account.id,))
    assert stored[0] != token and token not in str(stored[0])

    assert_reset_ok(reset(api, token))

    # the new password works, the old one doesn't
    api.login_as(account, password=NEW_PASSWORD)
    assert_unauthorized(api.login({"username": account.username, "password": account.password}),
                        "invalid_credentials", presented=False)
    # every session from before is revoked
    for pair in (first, second):
        assert_unauthorized(api.whoami(pair.access), "token_revoked")
        assert_unauthorized(api.refresh(pair.refresh), "token_revoked")
    # single use
    assert_problem(reset(api, token, "yet another passphrase"), 400, "reset_token_invalid")
    api.login_as(account, password=NEW_PASSWORD)

    # the "your password was changed" notice (ASVS 6.3.7)
    (notice,) = sink.wait_for_messages(1, match=lambda m: to_recipient(account.email)(m) and not is_reset_mail(m))
    assert_notice(notice, account, token, NEW_PASSWORD, account.password)
    assert str(notice.message["Message-ID"]) != str(mail.message["Message-ID"])

    assert_not_logged(api.stack.output_path, [token, NEW_PASSWORD, account.password, SMTP_PASSWORD])


def test_each_forgot_sends_a_new_token(api, sink):
    account = api.new_user()
    tokens = [request_token(api, sink, account, n) for n in (1, 2, 3)]
    assert len(set(tokens)) == 3, tokens
    # only the newest one works
    for old in tokens[:2]:
        assert_problem(reset(api, old), 400, "reset_token_invalid")
    assert_reset_ok(reset(api, tokens[2]))
    api.login_as(account, password=NEW_PASSWORD)


def test_forgot_matches_email_case_insensitively(api, sink):
    account = api.new_user(email=f"{unique('Mixed')}@Example.COM")
    assert_accepted(forgot(api, account.email.upper()))
    (mail,) = sink.wait_for_mail_to(account.email)
    assert mail.rcpt_tos == [account.email]
    assert_reset_ok(reset(api, reset_token(mail, api.stack.base_url)))


def test_reset_clears_a_lockout(api, sink):
    account = api.new_user()
    for _ in range(3):
        assert_unauthorized(api.login({"username": account.username, "password": "wrong password!"}),
                            "invalid_credentials", presented=False)
    assert_problem(api.login({"username": account.username, "password": account.password}), 423, "account_locked")

    token = request_token(api, sink, account)
    assert_reset_ok(reset(api, token))
    pair = api.login_as(account, password=NEW_PASSWORD)
    api.whoami_ok(pair.access)
    # the failure counter starts again from zero
    for _ in range(2):
        assert_unauthorized(api.login({"username": account.username, "password": "wrong password!"}),
                            "invalid_credentials", presented=False)
    api.login_as(account, password=NEW_PASSWORD)


def test_password_change_sends_a_notice(api, sink):
    account = api.new_user()
    pair = api.login_as(account)
    r = api.change_password(pair.access, {"current_password": account.password, "new_password": NEW_PASSWORD})
    assert_json(r, 200)
    (notice,) = sink.wait_for_messages(1, match=lambda m: to_recipient(account.email)(m))
    assert not is_reset_mail(notice)
    assert_notice(notice, account, NEW_PASSWORD, account.password)
    assert_not_logged(api.stack.output_path, [NEW_PASSWORD, account.password])


def test_no_mail_for_unknown_or_disabled_accounts(api, sink):
    disabled = api.new_user()
    api.db.set_active(disabled.id, False)
    unknown = f"{unique('nobody')}@example.com"
    known = api.new_user()

    r_unknown = forgot(api, unknown)
    r_disabled = forgot(api, disabled.email)
    assert r_unknown.status_code == r_disabled.status_code == 202
    assert r_unknown.content == r_disabled.content
    assert_accepted(r_unknown)
    assert_accepted(r_disabled)
    assert r_unknown.headers["Content-Type"] == r_disabled.headers["Content-Type"]

    # a later mail for a real account arrives: nothing was sent for the first two
    r_known = forgot(api, known.email)
    assert r_known.content == r_unknown.content
    sink.wait_for_mail_to(known.email)
    for address in (unknown, disabled.email):
        assert sink.messages(to_recipient(address)) == []
        assert sink.attempts(address) == []
    assert api.db.query("SELECT COUNT(*) FROM reset_tokens WHERE user_id = ?", (disabled.id,)) == [(0,)]


def test_forgot_takes_the_same_time_for_known_and_unknown_emails(api, sink):
    known = api.new_user()
    unknown = f"{unique('nobody')}@example.com"
    times = {"known": [], "unknown": []}
    for _ in range(8):
        for kind, email in (("known", known.email), ("unknown", unknown)):
            t0 = time.perf_counter()
            assert_accepted(forgot(api, email))
            times[kind].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    assert max(max(v) for v in times.values()) < 1.0, times
    assert abs(med["known"] - med["unknown"]) < 0.05, med
    sink.wait_for_mail_to(known.email, n=8)


def test_refused_delivery_is_retried(api, sink):
    account = api.new_user()
    sink.refuse(account.email, 1, "451 4.3.0 Try again later")
    t0 = time.monotonic()
    resp = forgot(api, account.email)
    assert time.monotonic() - t0 < 1.0
    assert_accepted(resp)
    request_id = resp.headers["X-Request-ID"]
    # first retry after 2 s
    (mail,) = sink.wait_for_mail_to(account.email, timeout=15)
    assert mail.at - t0 >= 1.5, "delivered again without waiting"
    assert len(sink.attempts(account.email)) == 2, sink.attempts(account.email)
    token = reset_token(mail, api.stack.base_url)
    assert_reset_ok(reset(api, token))
    # the failure is logged with the request id, without the mail's content or credentials
    log = api.stack.output_path.read_text(errors="replace")
    failed = [line for line in log.splitlines() if "mail_failed" in line and request_id in line]
    assert failed, f"no mail_failed log line with request id {request_id}:\n{log[-3000:]}"
    assert_not_logged(api.stack.output_path, [token, SMTP_PASSWORD, NEW_PASSWORD])


# --- SMTP servers that hang or aren't there: forgot still answers at once ---------------------

def timed_forgot(api, email):
    t0 = time.perf_counter()
    resp = forgot(api, email)
    elapsed = time.perf_counter() - t0
    assert_accepted(resp)
    assert elapsed < 0.5, f"forgot took {elapsed:.2f}s"
    return resp


def test_forgot_answers_at_once_while_the_smtp_server_hangs(stack_factory):
    hole = BlackHole()
    sink = None
    try:
        api = start_api(stack_factory, MAIL_URL=f"smtp://127.0.0.1:{hole.port}", MAIL_FROM=MAIL_FROM,
                        **NO_VERIFICATION_MAIL)
        accounts = [api.new_user() for _ in range(3)]
        timed_forgot(api, accounts[0].email)
        # the mailer is now stuck in a connection that gets no greeting
        support.wait_for(lambda: hole.pending_connections() >= 1, 5, "the mailer to connect to the hanging server")
        for a in accounts[1:]:
            timed_forgot(api, a.email)
        r = api.get("/api/health")
        assert r.status_code == 200
        # the server comes back on the same port: every mail is delivered on a retry
        hole.close()
        sink = SmtpSink(port=hole.port).start()
        for a in accounts:
            (mail,) = sink.wait_for_mail_to(a.email, timeout=20)
            assert_reset_ok(reset(api, reset_token(mail, api.stack.base_url)))
        for a in accounts:  # the notices, before the server stops
            sink.wait_for_mail_to(a.email, n=2)
    finally:
        hole.close()
        if sink:
            sink.stop()


def test_forgot_answers_at_once_when_nothing_listens(stack_factory):
    port = support.free_port()
    api = start_api(stack_factory,
                    MAIL_URL=f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{port}?starttls=optional",
                    MAIL_FROM=MAIL_FROM, **NO_VERIFICATION_MAIL)
    account = api.new_user()
    resp = timed_forgot(api, account.email)
    request_id = resp.headers["X-Request-ID"]
    log_path = api.stack.output_path

    def failure_logged():
        text = log_path.read_text(errors="replace")
        return [line for line in text.splitlines() if "mail_failed" in line and request_id in line]
    support.wait_for(failure_logged, 10, "a mail_failed log line with the request id")
    timed_forgot(api, f"{unique('nobody')}@example.com")
    assert api.get("/api/health").status_code == 200

    with SmtpSink(port=port, credentials=(SMTP_USER, SMTP_PASSWORD)) as sink:
        (mail,) = sink.wait_for_mail_to(account.email, timeout=20)
        token = reset_token(mail, api.stack.base_url)
        assert_reset_ok(reset(api, token))
        sink.wait_for_messages(2, match=to_recipient(account.email))  # the notice, before the server stops
    assert_not_logged(log_path, [token, SMTP_PASSWORD, NEW_PASSWORD])


# --- STARTTLS with credentials (contract §5 Security (v2)) -----------------------------------

def test_credentials_are_never_sent_to_a_server_without_starttls(stack_factory):
    """The sink offers no STARTTLS: without ?starttls=optional the mail fails (logged) before
    AUTH, so neither the SMTP password nor the reset token crosses the wire in cleartext."""
    with SmtpSink(credentials=(SMTP_USER, SMTP_PASSWORD)) as sink:
        api = start_api(stack_factory, MAIL_URL=sink.url(starttls_optional=False), MAIL_FROM=MAIL_FROM,
                        **NO_VERIFICATION_MAIL)
        account = api.new_user()
        request_id = timed_forgot(api, account.email).headers["X-Request-ID"]

        def failure_logged():
            text = api.stack.output_path.read_text(errors="replace")
            return [line for line in text.splitlines() if "mail_failed" in line and request_id in line]
        (line, *_) = support.wait_for(failure_logged, 10, "a mail_failed log line with the request id")
        assert "SSL" in line or "TLS" in line, line
        assert sink.logins == [] and sink.attempts() == [] and sink.messages() == []
        assert_not_logged(api.stack.output_path, [SMTP_PASSWORD])
