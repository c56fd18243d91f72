"""The executable's command line (issue 4): `serve` (default), `migrate`, `create-admin`,
`purge`, each with --help; exit 2 for usage errors; create-admin non-interactively (flags,
password on stdin) and driven in a pseudo-terminal like a person, then that admin logs
in over HTTP through nginx.

The binary runs directly with its working directory and DATABASE_URL in a temp dir.
"""

from __future__ import annotations

import errno
import os
import re
import select
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

import support
from api_client import assert_json, auth_env, unique
from users_support import UsersApi

RUN_TIMEOUT = 30
PASSWORD = "Sturdy pass 42!"


@pytest.fixture
def cli(auth_bin, short_tmp):
    return Cli(auth_bin, short_tmp)


class Cli:
    def __init__(self, binary: Path, directory: Path):
        self.binary = binary
        self.dir = directory
        self.db_path = directory / "auth.db"
        self.env = support.base_env(**auth_env(AUTH_ENV="development",
                                               DATABASE_URL=f"sqlite:///{self.db_path.resolve()}"))

    def run(self, *args, stdin: str | bytes | None = "", env: dict | None = None) -> subprocess.CompletedProcess:
        kw = {"stdin": subprocess.DEVNULL} if stdin == subprocess.DEVNULL else \
            {"input": stdin.encode() if isinstance(stdin, str) else stdin}
        return subprocess.run([str(self.binary), *args], capture_output=True, cwd=self.dir,
                              env={**self.env, **(env or {})}, timeout=RUN_TIMEOUT, **kw)

    def query(self, sql: str, params=()) -> list[tuple]:
        conn = sqlite3.connect(self.db_path, timeout=10)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def create_admin(self, username, email, password=PASSWORD, *extra):
        return self.run("create-admin", "--username", username, "--email", email, *extra, stdin=password + "\n")


def out(p: subprocess.CompletedProcess) -> str:
    return p.stdout.decode(errors="replace")


def err(p: subprocess.CompletedProcess) -> str:
    return p.stderr.decode(errors="replace")


def describe(p: subprocess.CompletedProcess) -> str:
    return f"exit {p.returncode}\nstdout: {out(p)!r}\nstderr: {err(p)!r}"


# --- help and usage errors -------------------------------------------------------------

@pytest.mark.parametrize("args, usage", [
    (["--help"], "serve"),
    (["-h"], "serve"),
    (["serve", "--help"], "serve"),
    (["migrate", "--help"], "migrate"),
    (["create-admin", "--help"], "create-admin"),
    (["purge", "--help"], "purge"),
    (["rotate-mfa-key", "--help"], "rotate-mfa-key"),
])
def test_help(cli, args, usage):
    p = cli.run(*args)
    assert p.returncode == 0, describe(p)
    text = out(p)
    assert re.search(r"(?i)usage", text), describe(p)
    usage_line = next(line for line in text.splitlines() if re.search(r"(?i)usage", line))
    assert usage in usage_line or (usage == "serve" and "auth-fcgi" in usage_line), describe(p)
    assert not cli.db_path.exists(), "--help touched the database"


def test_version_names_the_release_and_the_checkouts_commit(cli):
    p = cli.run("--version")
    assert p.returncode == 0, describe(p)
    match = re.fullmatch(r"auth-fcgi (\d+\.\d+\.\d+\S*)(?: \(commit ([0-9a-f]{12})(-dirty)?\))?\n", out(p))
    assert match, describe(p)
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=support.REPO_ROOT)
    assert head.returncode == 0, head.stderr  # make test builds from a checkout
    assert match.group(2) and head.stdout.startswith(match.group(2)), describe(p)
    assert out(cli.run("--help")).startswith(out(p)), "the help header is the version line"
    assert not cli.db_path.exists(), "--version touched the database"


def test_help_config_prints_the_settings_table(cli):
    p = cli.run("help", "config")
    assert p.returncode == 0, describe(p)
    lines = out(p).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("NAME "))
    default_at, values_at = lines[header].index("DEFAULT"), lines[header].index("VALUES")
    rows = {}
    for line in lines[header + 1:]:
        if not line.strip():
            break
        if not line.startswith(" "):  # a setting's line; its help follows, indented
            rows[line[:default_at].strip()] = (line[default_at:values_at].strip(), line[values_at:].strip())
    assert rows["DATABASE_URL"][0] == "sqlite:///var/auth.db", rows
    assert rows["JWT_SECRET_KEY"][0] == "unset", rows
    assert rows["MFA_SECRET_KEY"] == ("unset", "at least 32 bytes"), rows
    assert rows["ACCESS_TOKEN_TTL"] == ("900", "1-86400"), rows
    assert rows["FCGI_THREADS"] == ("4", "1-256"), rows
    assert rows["MAIL_FROM"][0] == "auth-fcgi <no-reply@localhost>", rows
    assert rows["LOG_LEVEL"] == ("info", "debug, info, warning, error"), rows
    assert len(rows) >= 25, rows
    assert all(len(line) <= 120 for line in lines), max(lines, key=len)
    assert not cli.db_path.exists(), "help config touched the database"


def test_help_command(cli):
    top = cli.run("help")
    assert top.returncode == 0 and "help config" in out(top), describe(top)
    assert out(top) == out(cli.run("--help"))
    assert out(cli.run("help", "migrate")) == out(cli.run("migrate", "--help"))
    bad = cli.run("help", "nothing")
    assert bad.returncode == 2 and "nothing" in err(bad), describe(bad)


def test_create_admin_help_mentions_its_flags(cli):
    text = out(cli.run("create-admin", "--help"))
    for flag in ("--username", "--email", "--first-name", "--last-name"):
        assert flag in text, text


@pytest.mark.parametrize("args", [
    ["bogus"],
    ["create_admin"],
    ["serve", "--bogus"],
    ["migrate", "--bogus"],
    ["purge", "--force"],
    ["create-admin", "--nope", "x"],
    ["create-admin", "--username"],  # a flag without its value
    ["migrate", "extra"],
])
def test_usage_errors_exit_2(cli, args):
    p = cli.run(*args)
    assert p.returncode == 2, describe(p)
    assert err(p).strip(), describe(p)
    assert not cli.db_path.exists(), "a usage error touched the database"


# --- migrate and purge -------------------------------------------------------------------

def test_migrate_then_nothing_pending(cli):
    first = cli.run("migrate")
    assert first.returncode == 0, describe(first)
    assert out(first).strip(), describe(first)
    assert not re.search(r"(?i)no pending|nothing", out(first)), describe(first)
    tables = {r[0] for r in cli.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "sessions", "revoked_tokens"} <= tables, tables
    second = cli.run("migrate")
    assert second.returncode == 0, describe(second)
    assert re.search(r"(?i)no pending|nothing to|up to date", out(second)), describe(second)


def test_migrate_relative_sqlite_url_is_in_the_working_directory(cli):
    p = cli.run("migrate", env={"DATABASE_URL": "sqlite:///rel.db"})
    assert p.returncode == 0, describe(p)
    assert (cli.dir / "rel.db").is_file()


def test_migrate_without_key_in_production_refuses(cli):
    env = {"AUTH_ENV": "production", "JWT_SECRET_KEY": ""}
    p = subprocess.run([str(cli.binary), "migrate"], capture_output=True, cwd=cli.dir, timeout=RUN_TIMEOUT,
                       env={k: v for k, v in {**cli.env, **env}.items() if k != "JWT_SECRET_KEY"})
    assert p.returncode != 0, describe(p)
    assert "JWT_SECRET_KEY" in err(p), describe(p)


def count_of(text: str, word: str) -> int:
    m = re.search(r"(\d+)\D{0,40}?" + word, text, re.I) or re.search(word + r"\D{0,40}?(\d+)", text, re.I)
    assert m, f"no count of {word!r} in {text!r}"
    return int(m.group(1))


def test_purge_prints_counts(cli):
    assert cli.run("migrate").returncode == 0
    now = int(time.time())
    conn = sqlite3.connect(cli.db_path, timeout=10, isolation_level=None)
    try:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(users)")}
        row = {"username": "purgee", "email": "purgee@example.com", "password_hash": "x", "role": "USER",
               "active": 1, "created_at": now, "updated_at": now, "failed_logins": 0}
        if "search_text" in columns:
            row["search_text"] = "purgee\x1fpurgee@example.com\x1f\x1f"
        uid = conn.execute(f"INSERT INTO users ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                           tuple(row.values())).lastrowid
        sessions = [("old", now - 90 * 86400, now - 60 * 86400, None),       # expired long ago
                    ("gone", now - 86400, now + 86400, now - 86400),          # revoked a day ago
                    ("live", now - 60, now + 86400, None)]
        for sid, created, expires, revoked in sessions:
            conn.execute("INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, refresh_jti,"
                         " revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)", (sid, uid, created, created, expires, sid, revoked))
        for jti, expires in (("j1", now - 7200), ("j2", now - 86400), ("j3", now + 3600)):
            conn.execute("INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)", (jti, expires))
    finally:
        conn.close()

    p = cli.run("purge")
    assert p.returncode == 0, describe(p)
    text = out(p)
    assert count_of(text, "revocation") == 2, describe(p)
    assert count_of(text, "session") == 2, describe(p)
    assert cli.query("SELECT id FROM sessions") == [("live",)]
    assert cli.query("SELECT jti FROM revoked_tokens") == [("j3",)]
    again = cli.run("purge")
    assert again.returncode == 0, describe(again)
    assert count_of(out(again), "revocation") == 0 and count_of(out(again), "session") == 0, describe(again)


def test_purge_on_a_fresh_database(cli):
    p = cli.run("purge")
    assert p.returncode == 0, describe(p)
    assert count_of(out(p), "session") == 0, describe(p)


# --- create-admin, non-interactive --------------------------------------------------------

def admin_row(cli, username):
    return cli.query("SELECT username, email, role, active, first_name, last_name FROM users"
                     " WHERE lower(username) = lower(?)", (username,))


def test_create_admin_from_flags_and_stdin(cli):
    name = unique("Root")
    p = cli.create_admin(name, f"{name.upper()}@Example.COM", PASSWORD, "--first-name", "Zoë", "--last-name=Ünal")
    assert p.returncode == 0, describe(p)
    assert name in out(p), describe(p)
    assert PASSWORD not in out(p) + err(p)
    assert admin_row(cli, name) == [(name, f"{name.lower()}@example.com", "ADMIN", 1, "Zoë", "Ünal")]
    hash_ = cli.query("SELECT password_hash FROM users WHERE username = ?", (name,))[0][0]
    assert PASSWORD not in hash_ and hash_.startswith("$")


def test_create_admin_password_line_ending(cli):
    name = unique("crlf")
    p = cli.run("create-admin", "--username", name, "--email", f"{name}@example.com", stdin=PASSWORD + "\r\n")
    assert p.returncode == 0, describe(p)
    p = cli.run("create-admin", "--username", name + "x", "--email", f"{name}x@example.com", stdin=PASSWORD)
    assert p.returncode == 0, describe(p)  # no final newline
    assert len(cli.query("SELECT id FROM users WHERE role = 'ADMIN'")) == 2


def test_create_admin_taken_username_and_email(cli):
    name = unique("taken")
    assert cli.create_admin(name, f"{name}@example.com").returncode == 0
    p = cli.create_admin(name.upper(), f"other.{name}@example.com")
    assert p.returncode != 0, describe(p)
    assert re.search(r"(?i)username", err(p)) and re.search(r"(?i)taken|exists|already|in use", err(p)), describe(p)
    p = cli.create_admin(unique("other"), f"{name.upper()}@example.com")
    assert p.returncode != 0, describe(p)
    assert re.search(r"(?i)email", err(p)) and re.search(r"(?i)taken|exists|already|registered|in use", err(p)), \
        describe(p)
    assert len(cli.query("SELECT id FROM users")) == 1


@pytest.mark.parametrize("flags, password, field", [
    (["--username", "ab", "--email", "ab@example.com"], PASSWORD, "username"),
    (["--username", "_bad", "--email", "bad@example.com"], PASSWORD, "username"),
    (["--username", "x" * 33, "--email", "long@example.com"], PASSWORD, "username"),
    (["--username", "goodname", "--email", "not-an-email"], PASSWORD, "email"),
    (["--username", "goodname", "--email", "good@example.com"], "short", "password"),
    (["--username", "goodname", "--email", "good@example.com"], "p" * 129, "password"),
    (["--username", "goodname", "--email", "good@example.com"], "GOODNAME", "password"),
    (["--username", "goodname", "--email", "good@example.com", "--first-name", "f" * 65], PASSWORD, "first"),
    (["--username", "goodname", "--email", "good@example.com", "--last-name", "tab\there"], PASSWORD, "last"),
])
def test_create_admin_invalid_fields(cli, flags, password, field):
    p = cli.run("create-admin", *flags, stdin=password + "\n")
    assert p.returncode != 0, describe(p)
    assert field in err(p).lower(), describe(p)
    assert PASSWORD not in out(p) + err(p)
    if cli.db_path.exists():
        assert cli.query("SELECT count(*) FROM users") == [(0,)]


def test_create_admin_reports_every_field_at_once(cli):
    p = cli.run("create-admin", "--username", "ab", "--email", "nope", stdin="short\n")
    assert p.returncode != 0, describe(p)
    for field in ("username", "email", "password"):
        assert field in err(p).lower(), describe(p)


def test_create_admin_non_interactive_needs_flags_and_password(cli):
    p = cli.run("create-admin", "--email", "x@example.com", stdin=PASSWORD + "\n")
    assert p.returncode != 0 and "username" in err(p).lower(), describe(p)
    p = cli.run("create-admin", "--username", "someone", stdin=PASSWORD + "\n")
    assert p.returncode != 0 and "email" in err(p).lower(), describe(p)
    p = cli.run("create-admin", "--username", "someone", "--email", "someone@example.com", stdin="")
    assert p.returncode != 0 and "password" in err(p).lower(), describe(p)
    p = cli.run("create-admin", "--username", "someone", "--email", "someone@example.com", stdin=subprocess.DEVNULL)
    assert p.returncode != 0, describe(p)
    if cli.db_path.exists():
        assert cli.query("SELECT count(*) FROM users") == [(0,)]


# --- create-admin in a pseudo-terminal, then over HTTP --------------------------------------

class Pty:
    """A child on a pseudo-terminal: bounded reads of everything it writes."""

    def __init__(self, argv, cwd, env):
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.output = b""
        self.closed = False

    def _read_some(self, timeout: float) -> None:
        if self.closed:
            return
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return
        try:
            chunk = os.read(self.master, 4096)
        except OSError as e:  # EIO: the child closed its side
            if e.errno != errno.EIO:
                raise
            chunk = b""
        if chunk:
            self.output += chunk
        else:
            self.closed = True

    def expect(self, text: str, occurrence: int = 1, timeout: float = 10.0) -> None:
        """Waits until `text` has appeared `occurrence` times in the output."""
        needle = text.encode()
        deadline = time.monotonic() + timeout
        while self.output.count(needle) < occurrence:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.closed:
                raise AssertionError(f"no {text!r} (#{occurrence}) in the pty output: {self.output!r}")
            self._read_some(min(remaining, 0.5))

    def send(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def wait(self, timeout: float = 15.0) -> int:
        deadline = time.monotonic() + timeout
        while not self.closed and time.monotonic() < deadline:
            self._read_some(0.2)
        return self.proc.wait(timeout=max(1.0, deadline - time.monotonic()))

    def close(self) -> None:
        if self.proc.poll() is None:
            support.stop_popen(self.proc, timeout=5)
        os.close(self.master)


def test_create_admin_in_a_terminal_then_login_over_http(cli, stack_factory):
    name = unique("Person")
    email = f"{name}@Example.com"
    mismatch = "Another pass 99?"
    pty = Pty([str(cli.binary), "create-admin"], cli.dir, cli.env)
    try:
        pty.expect("Username: ")
        pty.send("ab")  # too short: said so, and asked again
        pty.expect("Username: ", occurrence=2)
        between = pty.output.split(b"Username: ")[1].decode(errors="replace").lower()
        assert "username" in between or "short" in between or "3" in between, pty.output
        pty.send(name)
        pty.expect("Email: ")
        pty.send(email)
        pty.expect("First name (optional): ")
        pty.send("Zoë")
        pty.expect("Last name (optional): ")
        pty.send("")
        pty.expect("Password: ")
        pty.send(PASSWORD)
        pty.expect("Repeat password: ")
        pty.send(mismatch)  # mismatch: said so, and the password asked again
        pty.expect("Password: ", occurrence=2)
        pty.send(PASSWORD)
        pty.expect("Repeat password: ", occurrence=2)
        pty.send(PASSWORD)
        rc = pty.wait()
        text = pty.output.decode(errors="replace")
        assert rc == 0, text
        assert name in text and re.search(r"(?i)created", text), text
        assert re.search(r"(?i)match", text), f"no word about the mismatch: {text!r}"
        # the names typed at visible prompts are echoed; the passwords never are
        assert name in text.split("Email: ")[0]
        assert PASSWORD.encode() not in pty.output, text
        assert mismatch.encode() not in pty.output, text
    finally:
        pty.close()

    rows = admin_row(cli, name)
    assert rows == [(name, email.lower(), "ADMIN", 1, "Zoë", None)], rows

    # the same database and key, served through nginx
    stack = stack_factory(env=auth_env(DATABASE_URL=cli.env["DATABASE_URL"], JWT_SECRET_KEY=cli.env["JWT_SECRET_KEY"]))
    api = UsersApi(stack)
    pair = assert_json(api.login({"username": name, "password": PASSWORD}), 200)
    assert pair["user"]["role"] == "ADMIN" and pair["user"]["first_name"] == "Zoë"
    body = api.listing(pair["access_token"])
    assert [u["username"] for u in body["items"]] == [name]
    assert body["items"][0]["role"] == "ADMIN" and "locked_until" in body["items"][0]
    assert_json(api.login({"email": email, "password": PASSWORD}), 200)


def test_create_admin_in_a_terminal_asks_only_what_flags_miss_and_stops_at_end_of_input(cli):
    name = unique("flags")
    pty = Pty([str(cli.binary), "create-admin", "--username", name, "--email", f"{name}@example.com",
               "--first-name", "F", "--last-name", "L"], cli.dir, cli.env)
    try:
        pty.expect("Password: ")
        assert b"Username: " not in pty.output and b"Email: " not in pty.output, pty.output
        assert b"(optional)" not in pty.output, pty.output
        os.write(pty.master, b"\x04")  # Ctrl-D: end of input at the hidden prompt
        rc = pty.wait()
        assert rc != 0, pty.output
    finally:
        pty.close()
    if cli.db_path.exists():
        assert cli.query("SELECT count(*) FROM users") == [(0,)]
