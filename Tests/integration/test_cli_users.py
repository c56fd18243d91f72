"""`auth-fcgi users` (issue 20): the break-glass command line on the service's database
(SQLite, or PostgreSQL with AUTH_TEST_DATABASE=postgresql): each subcommand, the API's rules
(last admin, --force, --yes, password rules), `--json`, the audit lines with "actor": "cli",
and the exit codes (0 done, 1 refused or not found, 2 usage or settings).

Accounts are made with create-admin and the API's register; their sessions, and what a change
does to them, are seen through the same binary answering API requests as a CGI program.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pyotp
import pytest

import support
from api_client import auth_env, unique
from smtp_server import FileMailbox, is_reset_mail, reset_token
from test_cgi import run_cgi
from test_cli import Pty, describe, err, out

RUN_TIMEOUT = 30
PUBLIC_BASE_URL = "http://cli.test"
PASSWORD = "Sturdy pass 42!"
NEW_PASSWORD = "Fresh start 77?"


class UsersCli:
    """The binary on one database, as a command and as a CGI program, with its audit log."""

    def __init__(self, binary: Path, directory: Path):
        self.binary = binary
        self.dir = directory
        self.log_file = directory / "audit.log"
        self.mailbox = FileMailbox(directory / "mail")
        self.env = support.service_env(directory, **auth_env(
            EMAIL_VERIFICATION="off", LOG_FILE=str(self.log_file), MAIL_URL=self.mailbox.url(),
            PUBLIC_BASE_URL=PUBLIC_BASE_URL))

    def run(self, *args, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([str(self.binary), *args], input=stdin.encode(), capture_output=True, cwd=self.dir,
                              env=self.env, timeout=RUN_TIMEOUT)

    def users(self, *args, stdin: str = "") -> subprocess.CompletedProcess:
        return self.run("users", *args, stdin=stdin)

    def api(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        """One API request, answered by the binary as a CGI program on this database."""
        data = json.dumps(body).encode() if body is not None else b""
        extra = {**self.env, **({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {})}
        return run_cgi(self.binary, self.dir, method, path, body=data, extra=extra)

    def admin(self, name: str | None = None) -> dict:
        name = name or unique("root")
        p = self.run("create-admin", "--username", name, "--email", f"{name}@example.com", stdin=PASSWORD + "\n")
        assert p.returncode == 0, describe(p)
        return self.show(name)

    def register(self, name: str | None = None) -> dict:
        name = name or unique("user")
        r = self.api("POST", "/api/auth/register",
                     {"username": name, "email": f"{name}@example.com", "password": PASSWORD})
        assert r.status == 201, r.body
        return r.json()["user"]

    def login(self, name: str, password: str = PASSWORD):
        return self.api("POST", "/api/auth/login", {"username": name, "password": password})

    def token(self, name: str) -> str:
        r = self.login(name)
        assert r.status == 200, r.body
        return r.json()["access_token"]

    def show(self, who) -> dict:
        p = self.users("show", str(who), "--json")
        assert p.returncode == 0, describe(p)
        return json.loads(out(p))["user"]

    def events(self, name: str) -> list[dict]:
        if not self.log_file.exists():
            return []
        lines = [json.loads(line) for line in self.log_file.read_text().splitlines()]
        return [e for e in lines if e["event"] == name]


@pytest.fixture
def cli(auth_bin, short_tmp):
    return UsersCli(auth_bin, short_tmp)


def only_event(cli: UsersCli, name: str) -> dict:
    events = cli.events(name)
    assert len(events) == 1, (name, events)
    assert events[0]["actor"] == "cli" and "user_id" not in events[0], events[0]
    return events[0]


# --- help and usage ------------------------------------------------------------------------

SUBCOMMANDS = ["list", "show", "set-role", "enable", "disable", "unlock", "revoke-sessions", "set-password",
               "reset-mfa", "delete"]


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
def test_each_subcommand_has_help(cli, subcommand):
    p = cli.users(subcommand, "--help")
    assert p.returncode == 0, describe(p)
    assert f"Usage: auth-fcgi users {subcommand}" in out(p), describe(p)
    assert "Exits 0" in out(p) and "1 when" in out(p) and "2 for" in out(p), describe(p)


def test_overview_help(cli):
    for args in (["users", "--help"], ["help", "users"]):
        p = cli.run(*args)
        assert p.returncode == 0, describe(p)
        for subcommand in SUBCOMMANDS:
            assert subcommand in out(p), describe(p)
    assert "users" in out(cli.run("--help"))


@pytest.mark.parametrize("args", [
    [],
    ["bogus"],
    ["list", "extra"],
    ["list", "--role", "ROOT"],
    ["list", "--active", "yes"],
    ["list", "--per-page", "101"],
    ["list", "--page", "0"],
    ["list", "--sort", "password"],
    ["list", "--force"],
    ["show"],
    ["show", "a", "b"],
    ["set-role", "alice"],
    ["set-role", "alice", "ROOT"],
    ["enable", "alice", "--force"],
    ["disable", "alice", "--force=yes"],
    ["delete", "alice"],
    ["unlock", "alice", "--json"],
    ["list", "--q"],
])
def test_usage_errors_exit_2_before_the_database(cli, args):
    p = cli.users(*args)
    assert p.returncode == 2, describe(p)
    assert err(p).strip() and not out(p), describe(p)
    if support.database_url(cli.dir).startswith("sqlite"):
        assert not (cli.dir / "auth.db").exists(), "a usage error touched the database"


def test_a_bad_setting_exits_2(cli):
    p = subprocess.run([str(cli.binary), "users", "list"], capture_output=True, cwd=cli.dir, timeout=RUN_TIMEOUT,
                       env={**cli.env, "LOCKOUT_THRESHOLD": "0"})
    assert p.returncode == 2 and "LOCKOUT_THRESHOLD" in err(p), describe(p)


@pytest.mark.parametrize("args", [["show", "999999"], ["show", "nobody_here"], ["enable", "999999"],
                                  ["set-role", "nobody_here", "ADMIN"], ["delete", "nobody_here", "--yes"]])
def test_unknown_user_exits_1(cli, args):
    cli.admin()
    p = cli.users(*args)
    assert p.returncode == 1, describe(p)
    assert re.search(r"no user has the (id|username)", err(p)), describe(p)


# --- list and show ----------------------------------------------------------------------------

def test_list_json_filters_sort_and_pages(cli):
    root = cli.admin(unique("aroot"))
    users = [cli.register(f"{unique('m')}{i}") for i in range(3)]
    p = cli.users("list", "--json")
    assert p.returncode == 0, describe(p)
    page = json.loads(out(p))
    assert (page["page"], page["per_page"], page["total"], page["pages"]) == (1, 20, 4, 1), page
    assert [u["id"] for u in page["items"]] == [root["id"]] + [u["id"] for u in users]
    assert "locked_until" in page["items"][0] and "password_hash" not in page["items"][0]

    admins = json.loads(out(cli.users("list", "--role", "ADMIN", "--json")))
    assert [u["username"] for u in admins["items"]] == [root["username"]]
    found = json.loads(out(cli.users("list", "--q", users[1]["username"].upper(), "--json")))
    assert [u["id"] for u in found["items"]] == [users[1]["id"]]
    paged = json.loads(out(cli.users("list", "--per-page=2", "--page", "2", "--sort", "-id", "--json")))
    assert (paged["total"], paged["pages"]) == (4, 2)
    assert [u["id"] for u in paged["items"]] == [users[0]["id"], root["id"]]
    inactive = json.loads(out(cli.users("list", "--active", "false", "--email-verified", "true", "--json")))
    assert inactive["items"] == [] and inactive["total"] == 0


def test_list_table(cli):
    root = cli.admin()
    user = cli.register()
    p = cli.users("list", "--sort", "-username")
    assert p.returncode == 0, describe(p)
    lines = out(p).splitlines()
    assert lines[0].split() == ["ID", "USERNAME", "EMAIL", "ROLE", "ACTIVE", "VERIFIED", "2FA", "LOCKED", "LAST", "LOGIN"]
    rows = [line.split() for line in lines[1:3]]
    expected = sorted([root, user], key=lambda u: u["username"], reverse=True)
    assert [row[:4] for row in rows] == [[str(u["id"]), u["username"], u["email"], u["role"]] for u in expected]
    assert lines[0].index("EMAIL") == lines[1].index(expected[0]["email"])  # aligned columns
    assert re.search(r"Page 1 of 1; 2 users match", out(p)), describe(p)


def test_show_by_id_and_username(cli):
    user = cli.register()
    by_id = cli.show(user["id"])
    assert by_id == cli.show(user["username"].upper())
    assert {k: by_id[k] for k in ("id", "username", "role", "active")} == \
        {k: user[k] for k in ("id", "username", "role", "active")}
    cli.token(user["username"])
    p = cli.users("show", user["username"])
    assert p.returncode == 0, describe(p)
    fields = dict(line.split(None, 1) for line in out(p).splitlines())
    assert fields["id"] == str(user["id"]) and fields["role"] == "USER" and fields["live_sessions"] == "1", fields
    assert fields["last_login_at"] != "never", fields


# --- changes -------------------------------------------------------------------------------------

def test_set_role_promotes_and_the_last_admin_rule(cli):
    root = cli.admin()
    user = cli.register()
    p = cli.users("set-role", user["username"], "ADMIN")
    assert p.returncode == 0, describe(p)
    assert "from USER to ADMIN" in out(p), describe(p)
    assert cli.show(user["id"])["role"] == "ADMIN"
    event = only_event(cli, "user_updated")
    assert (event["target_id"], event["changes"]) == (user["id"], {"role": "ADMIN"}), event

    # two admins: one may go; then the other is the last
    assert cli.users("set-role", str(root["id"]), "USER").returncode == 0
    p = cli.users("set-role", user["username"], "USER")
    assert p.returncode == 1 and "last active admin" in err(p) and "--force" in err(p), describe(p)
    assert cli.show(user["id"])["role"] == "ADMIN"
    assert len(cli.events("user_updated")) == 2

    p = cli.users("set-role", user["username"], "USER", "--force")
    assert p.returncode == 0, describe(p)
    assert "no active admin" in err(p), describe(p)
    assert cli.show(user["id"])["role"] == "USER"
    assert cli.events("user_updated")[-1]["force"] is True

    p = cli.users("set-role", user["username"], "USER")
    assert p.returncode == 0 and "already USER" in out(p), describe(p)
    assert len(cli.events("user_updated")) == 3  # nothing changed, nothing audited


def test_disable_revokes_sessions_and_voids_reset_tokens_then_enable(cli):
    cli.admin()
    user = cli.register()
    token = cli.token(user["username"])
    assert cli.api("POST", "/api/auth/password/forgot", {"email": user["email"]}).status == 202
    reset_token = mailed_reset_token(cli)

    p = cli.users("disable", str(user["id"]))
    assert p.returncode == 0, describe(p)
    assert "revoked 1 session" in out(p), describe(p)
    event = only_event(cli, "user_updated")
    assert (event["target_id"], event["changes"]) == (user["id"], {"active": False}), event
    assert cli.show(user["id"])["active"] is False
    assert problem_code(cli.api("GET", "/api/auth/whoami", token=token)) == (403, "account_disabled")
    assert problem_code(cli.login(user["username"])) == (403, "account_disabled")

    p = cli.users("enable", user["username"])
    assert p.returncode == 0 and "Enabled" in out(p), describe(p)
    assert cli.events("user_updated")[-1]["changes"] == {"active": True}
    assert problem_code(cli.api("GET", "/api/auth/whoami", token=token)) == (401, "token_revoked")
    reset = cli.api("POST", "/api/auth/password/reset", {"token": reset_token, "new_password": NEW_PASSWORD})
    assert problem_code(reset) == (400, "reset_token_invalid")
    assert cli.login(user["username"]).status == 200


def test_disable_the_last_admin_needs_force(cli):
    root = cli.admin()
    p = cli.users("disable", root["username"])
    assert p.returncode == 1 and "last active admin" in err(p), describe(p)
    assert cli.show(root["id"])["active"] is True and cli.events("user_updated") == []
    p = cli.users("disable", root["username"], "--force")
    assert p.returncode == 0, describe(p)
    assert cli.show(root["id"])["active"] is False
    # break glass: an admin is made again from the command line
    user = cli.register()
    assert cli.users("set-role", user["username"], "ADMIN").returncode == 0
    admin_token = cli.token(user["username"])
    assert cli.api("GET", "/api/users", token=admin_token).status == 200


def test_unlock(cli):
    cli.admin()
    user = cli.register()
    for _ in range(5):  # LOCKOUT_THRESHOLD
        assert cli.login(user["username"], "not the password").status == 401
    assert problem_code(cli.login(user["username"])) == (423, "account_locked")
    assert cli.show(user["id"])["locked_until"] is not None

    p = cli.users("unlock", user["username"])
    assert p.returncode == 0, describe(p)
    assert "it was locked until" in out(p), describe(p)
    assert only_event(cli, "user_unlocked")["target_id"] == user["id"]
    assert cli.show(user["id"])["locked_until"] is None
    assert cli.login(user["username"]).status == 200
    again = cli.users("unlock", str(user["id"]))
    assert again.returncode == 0 and "it was not locked" in out(again), describe(again)


def test_revoke_sessions(cli):
    cli.admin()
    user = cli.register()
    tokens = [cli.token(user["username"]) for _ in range(2)]
    p = cli.users("revoke-sessions", user["username"])
    assert p.returncode == 0, describe(p)
    assert "Revoked 2 sessions" in out(p), describe(p)
    assert only_event(cli, "user_sessions_revoked")["target_id"] == user["id"]
    for token in tokens:
        assert problem_code(cli.api("GET", "/api/auth/whoami", token=token)) == (401, "token_revoked")
    assert cli.login(user["username"]).status == 200


def test_set_password_from_stdin(cli):
    cli.admin()
    user = cli.register()
    token = cli.token(user["username"])
    p = cli.users("set-password", user["username"], stdin=NEW_PASSWORD + "\n")
    assert p.returncode == 0, describe(p)
    assert "revoked 1 session" in out(p) and f"Mailed a notice to {user['email']}" in out(p), describe(p)
    assert NEW_PASSWORD not in out(p) + err(p) + cli.log_file.read_text()
    assert only_event(cli, "password_changed")["target_id"] == user["id"]
    assert problem_code(cli.api("GET", "/api/auth/whoami", token=token)) == (401, "token_revoked")
    assert cli.login(user["username"], PASSWORD).status == 401
    assert cli.login(user["username"], NEW_PASSWORD).status == 200
    notices = cli.mailbox.messages(lambda m: m.subject == "Your password was changed")
    assert len(notices) == 1


def test_reset_mfa_turns_two_factor_off_and_mails_a_notice(cli):
    cli.admin()
    user = cli.register()
    token = cli.token(user["username"])
    secret = cli.api("POST", "/api/auth/mfa/totp", token=token).json()["secret"]
    r = cli.api("POST", "/api/auth/mfa/totp/confirm", {"code": pyotp.TOTP(secret).now()}, token=token)
    assert r.status == 200, r.body
    assert problem_code(cli.login(user["username"])) == (403, "mfa_required")
    listed = json.loads(out(cli.users("list", "--mfa-enabled", "true", "--json")))
    assert [u["id"] for u in listed["items"]] == [user["id"]]

    p = cli.users("reset-mfa", user["username"])
    assert p.returncode == 0, describe(p)
    assert "Turned two-factor sign-in off" in out(p) and f"Mailed a notice to {user['email']}" in out(p), describe(p)
    assert only_event(cli, "user_mfa_removed")["target_id"] == user["id"]
    assert cli.show(user["id"])["mfa_enabled"] is False
    assert cli.login(user["username"]).status == 200
    assert len(cli.mailbox.messages(lambda m: m.subject == "Two-factor sign-in was turned off")) == 1
    # Again: nothing to do, nothing audited or mailed.
    again = cli.users("reset-mfa", str(user["id"]))
    assert again.returncode == 0 and "nothing changed" in out(again), describe(again)
    assert len(cli.events("user_mfa_removed")) == 1


@pytest.mark.parametrize("password, message", [
    ("short", "at least"),
    ("p" * 129, "at most"),
    ("{username}", "differ from the username"),
    ("{email}", "differ from the email"),
])
def test_set_password_rules(cli, password, message):
    cli.admin()
    user = cli.register()
    password = password.format(username=user["username"].upper(), email=user["email"])
    p = cli.users("set-password", user["username"], stdin=password + "\n")
    assert p.returncode == 1, describe(p)
    assert message in err(p), describe(p)
    assert cli.events("password_changed") == []
    assert cli.login(user["username"]).status == 200


def test_set_password_in_a_terminal(cli):
    cli.admin()
    user = cli.register()
    pty = Pty([str(cli.binary), "users", "set-password", user["username"]], cli.dir, cli.env)
    try:
        dialogue = [("Password: ", 1, user["username"]),  # too similar: said so, and asked again
                    ("Password: ", 2, NEW_PASSWORD), ("Repeat password: ", 1, NEW_PASSWORD + "x"),  # a mismatch
                    ("Password: ", 3, NEW_PASSWORD), ("Repeat password: ", 2, NEW_PASSWORD)]
        for prompt, occurrence, answer in dialogue:
            pty.expect(prompt, occurrence=occurrence)
            pty.send(answer)
        rc = pty.wait()
        text = pty.output.decode(errors="replace")
        assert rc == 0, text
        assert "differ from the username" in text and "match" in text and "Set the password" in text, text
        assert NEW_PASSWORD.encode() not in pty.output, text
    finally:
        pty.close()
    assert cli.login(user["username"], NEW_PASSWORD).status == 200


def test_set_password_needs_a_password(cli):
    user = cli.admin()
    p = cli.users("set-password", user["username"], stdin="")
    assert p.returncode == 1 and "no password" in err(p), describe(p)


def test_delete_needs_yes_and_keeps_the_last_admin(cli):
    root = cli.admin()
    user = cli.register()
    token = cli.token(user["username"])
    p = cli.users("delete", user["username"])
    assert p.returncode == 2 and "--yes" in err(p), describe(p)
    assert cli.show(user["id"])["id"] == user["id"]

    p = cli.users("delete", user["username"], "--yes")
    assert p.returncode == 0 and "Deleted" in out(p), describe(p)
    assert only_event(cli, "user_deleted")["target_id"] == user["id"]
    assert cli.users("show", str(user["id"])).returncode == 1
    assert cli.api("GET", "/api/auth/whoami", token=token).status == 401

    p = cli.users("delete", str(root["id"]), "--yes")
    assert p.returncode == 1 and "last active admin" in err(p), describe(p)
    p = cli.users("delete", str(root["id"]), "--yes", "--force")
    assert p.returncode == 0 and "no active admin" in err(p), describe(p)
    assert json.loads(out(cli.users("list", "--json")))["total"] == 0


def test_the_api_keeps_its_last_admin_rule(cli):
    """The rule moved into the accounts core: the API still answers 409 last_admin."""
    root = cli.admin()
    token = cli.token(root["username"])
    r = cli.api("PATCH", f"/api/users/{root['id']}", {"role": "USER"}, token=token)
    assert problem_code(r) == (409, "last_admin")
    assert problem_code(cli.api("DELETE", f"/api/users/{root['id']}", token=token)) == (409, "last_admin")


# --- helpers ---------------------------------------------------------------------------------

def problem_code(resp) -> tuple[int, str | None]:
    return resp.status, json.loads(resp.body).get("code") if resp.body else None


def mailed_reset_token(cli: UsersCli) -> str:
    """The token of the one reset mail (a CGI request's mail has left when it ends)."""
    (mail,) = cli.mailbox.messages(is_reset_mail)
    return reset_token(mail, PUBLIC_BASE_URL)
