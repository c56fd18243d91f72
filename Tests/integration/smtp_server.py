"""Mail sinks for the password-reset tests (contract §3 "Forgot / reset", §4 MAIL_URL).

SmtpSink: a real SMTP server (aiosmtpd's Controller in a thread) on 127.0.0.1, on a port
bound at start (port 0 = any free one, so no race), that keeps every message it accepts
with its envelope, can refuse the next deliveries to a recipient with a 4xx/5xx reply,
can hold deliveries (accept DATA but not answer) until released, and can require AUTH.

FileMailbox: the directory of MAIL_URL=file:///dir, read as parsed messages.

Every wait is a bounded poll (support.wait_for).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import email.utils
import re
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

import support


@dataclass
class Received:
    """One message the server accepted (or a file the file transport wrote)."""
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes = field(repr=False)
    message: EmailMessage = field(repr=False)
    at: float = 0.0
    login: str | None = None
    name: str | None = None  # the file's name (file transport)

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()


def parse_message(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def _wait_messages(read, n: int, timeout: float, what: str, match=None) -> list[Received]:
    def enough():
        got = [m for m in read() if match is None or match(m)]
        return got if len(got) >= n else None
    return support.wait_for(enough, timeout, f"{n} {what}", interval=0.02)


def to_recipient(address: str):
    """A match for messages whose envelope or To names address (case-insensitive)."""
    address = address.lower()
    return lambda m: address in [r.lower() for r in m.rcpt_tos] or m.to.lower() == address


class _Controller(Controller):
    """Controller bound to a socket made here: port 0 gives a free port with no race,
    and a given port is bound with SO_REUSEADDR (taking over a port a test just closed)."""

    def __init__(self, handler, sock: socket.socket, **kwargs):
        self._sock = sock
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1], **kwargs)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


class SmtpSink:
    def __init__(self, port: int = 0, credentials: tuple[str, str] | None = None):
        self._lock = threading.Lock()
        self._messages: list[Received] = []
        self._attempts: list[tuple[str, list[str]]] = []  # every DATA (accepted or refused)
        self._refusals: dict[str, list[str]] = {}           # recipient -> replies to give
        self._released = threading.Event()
        self._released.set()
        self._holding = 0
        self.credentials = credentials
        self.logins: list[str] = []
        self._requested_port = port
        self.controller: _Controller | None = None
        self.port: int | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> "SmtpSink":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._requested_port))
        sock.listen(16)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        kwargs = {"ready_timeout": 10.0}
        if self.credentials:
            kwargs.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=False)
        self.controller = _Controller(self, sock, **kwargs)
        try:
            self.controller.start()
        except BaseException:
            sock.close()
            raise
        return self

    def stop(self) -> None:
        self._released.set()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def url(self, scheme: str = "smtp", starttls_optional: bool = True) -> str:
        """MAIL_URL for this server (with user:pass@ when it requires AUTH). The sink offers
        no STARTTLS, so with credentials the URL says ?starttls=optional unless told not to."""
        auth = f"{self.credentials[0]}:{self.credentials[1]}@" if self.credentials else ""
        query = "?starttls=optional" if self.credentials and starttls_optional else ""
        return f"{scheme}://{auth}127.0.0.1:{self.port}{query}"

    # --- behaviour ---------------------------------------------------------------------

    def refuse(self, recipient: str, count: int = 1, reply: str = "451 4.3.0 Try again later") -> None:
        """Answer the next `count` deliveries to recipient's DATA with `reply`."""
        with self._lock:
            self._refusals.setdefault(recipient.lower(), []).extend([reply] * count)

    def hold(self) -> None:
        """Take deliveries' data but send no reply to it until release()."""
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    @property
    def holding(self) -> int:
        """How many deliveries are waiting for a reply now."""
        with self._lock:
            return self._holding

    # --- what arrived --------------------------------------------------------------------

    def messages(self, match=None) -> list[Received]:
        with self._lock:
            got = list(self._messages)
        return [m for m in got if match is None or match(m)]

    def attempts(self, recipient: str | None = None) -> list[tuple[str, list[str]]]:
        with self._lock:
            got = list(self._attempts)
        if recipient is None:
            return got
        return [a for a in got if recipient.lower() in [r.lower() for r in a[1]]]

    def wait_for_messages(self, n: int, timeout: float = 10.0, match=None) -> list[Received]:
        """At least n messages (matching `match`), polling up to timeout seconds."""
        return _wait_messages(self.messages, n, timeout, "messages at the SMTP server", match)

    def wait_for_mail_to(self, address: str, n: int = 1, timeout: float = 10.0) -> list[Received]:
        return self.wait_for_messages(n, timeout, to_recipient(address))

    # --- aiosmtpd handler hooks -------------------------------------------------------------

    async def handle_DATA(self, server, session, envelope):
        rcpts = list(envelope.rcpt_tos)
        with self._lock:
            self._attempts.append((envelope.mail_from, rcpts))
            reply = None
            for r in rcpts:
                queue = self._refusals.get(r.lower())
                if queue:
                    reply = queue.pop(0)
                    break
            if reply is None and not self._released.is_set():
                self._holding += 1
                holding = True
            else:
                holding = False
        if reply is not None:
            return reply
        if holding:
            try:
                while not self._released.is_set():
                    await asyncio.sleep(0.02)
            finally:
                with self._lock:
                    self._holding -= 1
        raw = bytes(envelope.original_content or envelope.content)
        login = getattr(session, "auth_data", None)
        with self._lock:
            self._messages.append(Received(
                mail_from=envelope.mail_from, rcpt_tos=rcpts, raw=raw, message=parse_message(raw),
                at=time.monotonic(), login=login.decode() if isinstance(login, bytes) else login,
            ))
        return "250 2.0.0 OK"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if (user, password) == self.credentials:
                with self._lock:
                    self.logins.append(user)
                return AuthResult(success=True, auth_data=user)
        return AuthResult(success=False, handled=False)


class BlackHole:
    """A TCP port that completes connections (listen backlog) but never accepts or
    answers: an SMTP server that hangs before its greeting. close() resets them."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def pending_connections(self) -> int:
        """Connections in the accept queue (ESTABLISHED, local port = ours), from /proc."""
        n = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except FileNotFoundError:
                continue
            for line in lines:
                parts = line.split()
                if parts[3] == "01" and int(parts[1].rsplit(":", 1)[1], 16) == self.port:
                    n += 1
        return n


class FileMailbox:
    """The directory of MAIL_URL=file:///dir: one .eml file per message."""

    def __init__(self, directory: Path):
        self.dir = Path(directory)

    def url(self) -> str:
        return f"file://{self.dir}"

    def names(self) -> list[str]:
        try:
            return sorted(p.name for p in self.dir.iterdir())
        except FileNotFoundError:
            return []

    def messages(self, match=None) -> list[Received]:
        got = []
        for name in self.names():
            if not name.endswith(".eml") or name.startswith("."):
                continue
            raw = (self.dir / name).read_bytes()
            msg = parse_message(raw)
            to = str(msg["To"] or "")
            got.append(Received(mail_from=str(msg["From"] or ""), rcpt_tos=[to], raw=raw, message=msg, name=name))
        return [m for m in got if match is None or match(m)]

    def wait_for_messages(self, n: int, timeout: float = 10.0, match=None) -> list[Received]:
        return _wait_messages(self.messages, n, timeout, f"mail files in {self.dir}", match)

    def wait_for_mail_to(self, address: str, n: int = 1, timeout: float = 10.0) -> list[Received]:
        return self.wait_for_messages(n, timeout, to_recipient(address))


# --- reading the service's mails (contract §3 "Forgot / reset", issue 5) ---------------------

MESSAGE_ID_RE = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")
URL_SAFE_RE = re.compile(r"^[A-Za-z0-9_-]+$")
TOKEN_LINE_RE = re.compile(r"^Reset token: (.*)$", re.MULTILINE)
VERIFICATION_LINE_RE = re.compile(r"^Verification token: (.*)$", re.MULTILINE)


# Registration mails a verification token under the default EMAIL_VERIFICATION=optional;
# tests that count reset mails and notices start their stacks with this, so it sends none.
NO_VERIFICATION_MAIL = {"EMAIL_VERIFICATION": "off"}


@pytest.fixture(scope="module")
def mailbox():
    """A `FileMailbox` for `MAIL_URL=file://…`, in a fresh temporary directory; its folder does
    not exist yet, so the service makes it."""
    root = Path(tempfile.mkdtemp(prefix="afit-mail-", dir="/tmp"))
    yield FileMailbox(root / "out")
    shutil.rmtree(root, ignore_errors=True)


def token_bits_ok(token: str) -> bool:
    """URL-safe and long enough for ≥ 128 random bits: ≥ 32 hex digits, or ≥ 22
    characters of the base64url alphabet."""
    if not URL_SAFE_RE.match(token):
        return False
    if re.fullmatch(r"[0-9a-fA-F]+", token):
        return len(token) >= 32
    return len(token) >= 22


def assert_mail_headers(mail: Received, mail_from: str, to: str) -> None:
    """RFC 5322 headers of a service mail: From (MAIL_FROM), To, Subject, Date, Message-ID."""
    msg = mail.message
    for name in ("From", "To", "Subject", "Date", "Message-ID"):
        assert len(msg.get_all(name) or []) == 1, f"{name} header: {msg.get_all(name)!r}\n{mail.raw[:800]!r}"
    assert str(msg["From"]) == mail_from, msg["From"]
    assert str(msg["To"]).lower() == to.lower(), msg["To"]
    assert str(msg["Subject"]).strip(), "empty Subject"
    date = email.utils.parsedate_to_datetime(str(msg["Date"]))
    assert date.tzinfo is not None, msg["Date"]
    assert abs(date.timestamp() - time.time()) < 300, f"Date {msg['Date']} is not now"
    assert MESSAGE_ID_RE.match(str(msg["Message-ID"]).strip()), msg["Message-ID"]
    assert msg.get_content_type() == "text/plain", msg.get_content_type()
    assert b"\r\n" in mail.raw or b"\n" in mail.raw


def mailed_token(mail: Received, public_base_url: str, line_re: re.Pattern, page: str) -> str:
    """The token of a token mail: one line `<Label> token: <token>` (line_re) and the link
    `${PUBLIC_BASE_URL}/<page>?token=<token>` with the same token."""
    text = mail.text.replace("\r\n", "\n")
    tokens = line_re.findall(text)
    assert len(tokens) == 1, f"expected one {line_re.pattern!r} line in:\n{text}"
    token = tokens[0].strip()
    assert token_bits_ok(token), f"token {token!r} is not URL-safe or has < 128 bits"
    links = re.findall(rf"\S*/{page}\?token=\S*", text)
    assert links == [f"{public_base_url}/{page}?token={token}"], (links, public_base_url, token)
    return token


def reset_token(mail: Received, public_base_url: str) -> str:
    return mailed_token(mail, public_base_url, TOKEN_LINE_RE, "reset-password")


def verification_token(mail: Received, public_base_url: str) -> str:
    """Contract §3 "Email verification" (v2): `Verification token: <token>`, `/verify-email`."""
    return mailed_token(mail, public_base_url, VERIFICATION_LINE_RE, "verify-email")


def is_verification_mail(mail: Received) -> bool:
    return bool(VERIFICATION_LINE_RE.search(mail.text.replace("\r\n", "\n")))


def token_mails(mailbox, address: str, is_kind) -> list[Received]:
    """The mails of a kind (`is_reset_mail`, `is_verification_mail`) to address so far."""
    to = to_recipient(address)
    return mailbox.messages(lambda m: to(m) and is_kind(m))


def next_token_mail(mailbox, address: str, is_kind, seen=frozenset()) -> Received:
    """Waits for a mail of a kind to address whose file name is not in `seen` (the names of
    those there before, from `token_mails`) and returns it."""
    to = to_recipient(address)
    mails = mailbox.wait_for_messages(len(seen) + 1, match=lambda m: to(m) and is_kind(m))
    (mail,) = [m for m in mails if m.name not in seen]
    return mail


def mail_barrier(api, mailbox, address: str) -> None:
    """Asks `api` for a reset mail to `address` (an active account's) and waits for it. The
    service's follow-ups and its mail queue are first in, first out: once it is there, every
    mail due before it would be too, so a test can then assert that none came."""
    seen = {m.name for m in token_mails(mailbox, address, is_reset_mail)}
    answer = api.post("/api/auth/password/forgot", {"email": address})
    assert answer.status_code == 202, answer.text
    next_token_mail(mailbox, address, is_reset_mail, seen)


def is_reset_mail(mail: Received) -> bool:
    return bool(TOKEN_LINE_RE.search(mail.text.replace("\r\n", "\n")))


def assert_not_logged(log_path: Path, secrets) -> None:
    """None of the secrets appears in the log file."""
    data = Path(log_path).read_bytes().decode(errors="replace")
    leaked = [s for s in secrets if s and s in data]
    assert not leaked, f"secrets in the service log: {leaked}"
