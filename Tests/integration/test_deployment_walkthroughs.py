"""Deployment walkthroughs: every way of running the backend that README.md's Deployment
section documents, run from the README's own marked commands (readme_walkthrough) on a
fresh directory tree, then used through nginx with the faults the README describes: a
SIGTERM under load (the owned socket of `--listen`, the inherited one of spawn-fcgi and
of socket activation), a worker SIGKILLed under `--workers`, a pool member SIGKILLed
(two PostgreSQL nodes with AUTH_TEST_DATABASE=postgresql).

walkthrough_tree.py says exactly how the commands run "literally": the system roots are
moved into the tree, the user auth-fcgi is a throwaway system user, `$EDITOR` writes the
settings below, `systemctl` is recorded and the test plays systemd. The CGI walkthroughs
have their own test; the Debian package is test_debian_package.py's.

Root only (it creates a system user and runs nginx's workers as www-data): CI runs as
root. The PostgreSQL run repeats only the pool test, on PostgreSQL nodes.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest
import requests

import pg_support
import support
from api_client import DEFAULT_PASSWORD
from support import wait_for
from test_postgres import Stream
from readme_walkthrough import walkthrough_names
from walkthrough_tree import Tree

ADMIN = "admin"  # as in the README's create-admin line
MAIL_FROM = "Example accounts <no-reply@example.com>"
# nginx's error-log lines of a request that reached the backend and got no answer (nginx
# sends such an idempotent request again when it was on a kept connection)...
BROKEN = re.compile(r"recv\(\) failed|readv\(\) failed|prematurely closed|reset by peer|broken pipe", re.I)
# ...and of one whose connection was refused before anything was sent.
REFUSED = re.compile(r"connect\(\) to \S+ failed|no live upstreams")

@pytest.fixture
def tree(short_tmp, auth_bin):
    if os.geteuid() != 0:
        pytest.skip("needs root: creates a system user and runs nginx's workers as www-data (CI runs as root)")
    t = Tree(short_tmp, auth_bin)
    try:
        yield t
    finally:
        t.cleanup()


@pytest.fixture
def sqlite_only():
    if pg_support.BACKEND == "postgresql":
        pytest.skip("a one-host walkthrough on its SQLite database: the SQLite run covers it")


def settings(t: Tree, **extra) -> dict[str, str]:
    """The settings file's lines as the README shows them (MAIL_FROM quoted, as a value
    with spaces and `<` must be)."""
    return {
        "JWT_SECRET_KEY": support.TEST_JWT_SECRET,
        "MFA_SECRET_KEY": support.TEST_MFA_SECRET,
        "DATABASE_URL": f"sqlite:///{t.path('/var/lib/auth-fcgi')}/auth.db",
        "PUBLIC_BASE_URL": t.base_url,
        "MAIL_URL": f"file://{t.path('/var/lib/auth-fcgi')}/mail",
        "MAIL_FROM": f"'{MAIL_FROM}'",
        "PASSWORD_COST": "1",
        **extra,
    }


def install(t: Tree, *walkthroughs: str, **extra_settings) -> None:
    """The shared steps (binary, user, settings, the first admin, nginx's files), then the
    named walkthroughs."""
    t.write_settings(settings(t, **extra_settings))
    t.run("install")
    t.run("create-admin", stdin=DEFAULT_PASSWORD + "\n")
    t.run("nginx")
    for name in walkthroughs:
        t.run(name)


def mode_owner(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


def admin_token(t: Tree) -> str:
    r = requests.post(t.url("/api/auth/login"), json={"username": ADMIN, "password": DEFAULT_PASSWORD}, timeout=15)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def wait_listening(path: Path, proc: subprocess.Popen | None = None) -> None:
    def ready():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the service exited {proc.returncode}:\n{support.tail(proc.journal)}")
        return support.connectable(str(path))

    wait_for(ready, support.START_TIMEOUT, f"the backend to listen on {path}")


def assert_nothing_lost(t: Tree, stream: Stream) -> tuple[int, int]:
    """Every answer is a 200, or nginx's 503 backend_unavailable for a request whose
    connection was refused before anything was sent: with one server, nginx logs one
    refusal per such request, so a 503 more than the refusals is a request that reached
    the backend and was lost. Returns (200s, 503s)."""
    results = stream.results
    errors = [r for r in results if r[5] is not None]
    assert not errors, f"{len(errors)} requests failed at the HTTP level: {errors[:5]}"
    bad = [r for r in results if not (r[3] == 200 or (r[3] == 503 and r[4] == "backend_unavailable"))]
    assert not bad, f"unexpected answers: {bad[:5]}"
    log = t.nginx_errors()
    refused = sum(1 for line in log if REFUSED.search(line))
    unavailable = sum(1 for r in results if r[3] == 503)
    broken = [line for line in log if BROKEN.search(line)]
    assert unavailable <= refused, (f"{unavailable - refused} requests reached the backend and were lost "
                                    f"({unavailable} 503s, {refused} refused connections); nginx:\n"
                                    + "\n".join(broken[:5]))
    return len(results) - unavailable, unavailable


def test_every_marked_walkthrough_is_run_by_a_test():
    """A README block marked as a walkthrough that no test runs could drift unseen: each
    name must be quoted in some integration test."""
    tests = "".join(path.read_text() for path in Path(__file__).parent.glob("test_*.py"))
    unrun = [name for name in walkthrough_names() if f'"{name}"' not in tests]
    assert not unrun, f"README walkthroughs no test runs: {unrun}"


# --- nginx + snippets + the systemd service (--listen) --------------------------------------

def test_nginx_and_the_systemd_service(tree, sqlite_only):
    t = tree
    install(t, "systemd-service")
    assert t.systemctl_calls()[-2:] == ["daemon-reload", "enable --now auth-fcgi"]
    proc = t.start_unit("auth-fcgi.service")
    sock = t.path("/run/auth-fcgi") / "auth-fcgi.sock"
    wait_listening(sock, proc)
    t.start_nginx()

    user = pwd.getpwnam(t.user)
    www = grp.getgrnam("www-data").gr_gid
    assert mode_owner(t.path("/etc/auth-fcgi") / "env") == (0o640, 0, user.pw_gid)
    assert mode_owner(t.path("/var/lib/auth-fcgi")) == (0o750, user.pw_uid, user.pw_gid)
    assert mode_owner(t.path("/var/lib/auth-fcgi") / "auth.db") == (0o600, user.pw_uid, user.pw_gid)
    assert mode_owner(t.path("/run/auth-fcgi")) == (0o2750, user.pw_uid, www)
    assert mode_owner(sock) == (0o660, user.pw_uid, www)

    # The admin the README's create-admin made signs in through the site; the refresh
    # token goes in the Authorization header.
    r = requests.post(t.url("/api/auth/login"), json={"username": ADMIN, "password": DEFAULT_PASSWORD}, timeout=15)
    assert r.status_code == 200, r.text
    pair = r.json()
    assert pair["user"]["role"] == "ADMIN"
    r = requests.get(t.url("/api/auth/whoami"), headers={"Authorization": f"Bearer {pair['access_token']}"},
                     timeout=15)
    assert r.status_code == 200 and r.json()["user"]["username"] == ADMIN, r.text
    r = requests.post(t.url("/api/auth/refresh"), json={"refresh_token": pair["refresh_token"]}, timeout=15)
    support.assert_problem(r, 401, "token_missing")
    r = requests.post(t.url("/api/auth/refresh"), headers={"Authorization": f"Bearer {pair['refresh_token']}"},
                      timeout=15)
    assert r.status_code == 200, r.text

    # The static files the nginx walkthrough installs; Swagger UI is the admin's to add.
    for path in ("/", "/admin/", "/reset-password", "/api/docs/"):
        r = requests.get(t.url(path), timeout=15)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html"), (path, r.status_code)
    assert requests.get(t.url("/api/docs/swagger-ui/swagger-ui-bundle.js"), timeout=15).status_code == 404
    t.stop_unit(proc)
    assert not sock.exists(), "the service left its socket behind"


def test_sigterm_under_load_owned_socket(tree, sqlite_only):
    """`systemctl stop` (SIGTERM) of the --listen service while requests stream in."""
    t = tree
    install(t, "systemd-service")
    proc = t.start_unit("auth-fcgi.service")
    wait_listening(t.path("/run/auth-fcgi") / "auth-fcgi.sock", proc)
    t.start_nginx()
    with Stream(t, admin_token(t), threads=12) as stream:
        stream.wait_more(300)
        t.stop_unit(proc)
        stream.wait_more(50)
    ok, unavailable = assert_nothing_lost(t, stream)
    print(f"owned socket: {ok} answered 200, {unavailable} refused after the stop")


# --- spawn-fcgi (the socket inherited on fd 0) --------------------------------------------

def spawned_backend(t: Tree) -> int:
    pid_file = t.path("/run/auth-fcgi") / "auth-fcgi.pid"
    pid = int(wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), 10, str(pid_file)))
    wait_listening(t.path("/run/auth-fcgi") / "auth-fcgi.sock")
    return pid


def test_spawn_fcgi(tree, sqlite_only):
    t = tree
    install(t, "spawn-fcgi")
    pid = spawned_backend(t)
    t.start_nginx()
    user = pwd.getpwnam(t.user)
    state = t.path("/var/lib/auth-fcgi")
    assert Path(f"/proc/{pid}/cwd").resolve() == state
    assert Path(f"/proc/{pid}/exe").resolve() == t.path("/usr/local/bin") / "auth-fcgi"
    status = Path(f"/proc/{pid}/status").read_text()
    assert re.search(rf"^Uid:\s+{user.pw_uid}\s", status, re.M), status
    assert re.search(r"^Umask:\s+0077$", status, re.M), status
    # Its environment is the settings file and what the command sets, not the caller's.
    names = {entry.split(b"=", 1)[0].decode() for entry in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
             if entry}
    assert names <= set(settings(t)) | {"PATH", "LOG_FILE", "PWD"}, names
    sock = t.path("/run/auth-fcgi") / "auth-fcgi.sock"
    assert mode_owner(sock) == (0o660, user.pw_uid, grp.getgrnam("www-data").gr_gid)
    assert mode_owner(t.path("/run/auth-fcgi")) == (0o750, user.pw_uid, grp.getgrnam("www-data").gr_gid)

    token = admin_token(t)
    r = requests.get(t.url("/api/auth/whoami"), headers={"Authorization": f"Bearer {token}"}, timeout=15)
    assert r.status_code == 200, r.text
    # The quoted MAIL_FROM arrived whole: a reset mail's sender.
    r = requests.post(t.url("/api/auth/password/forgot"), json={"email": "admin@example.com"}, timeout=15)
    assert r.status_code == 202, r.text
    mail = wait_for(lambda: list((state / "mail").glob("*.eml")), 15, "the reset mail")
    assert f"From: {MAIL_FROM}" in mail[0].read_text(errors="replace").splitlines()
    # The log goes to LOG_FILE (spawn-fcgi sends standard error to /dev/null).
    log = t.path("/var/log/auth-fcgi") / "auth.log"
    assert mode_owner(log)[:2] == (0o600, user.pw_uid) and b"login" in log.read_bytes()

    t.run("spawn-fcgi-stop")
    assert support.wait_pid_gone(pid), "the backend ignored the README's kill -TERM"


def test_sigterm_under_load_inherited_socket(tree, sqlite_only):
    """spawn-fcgi's backend owns the only copy of its inherited socket: on SIGTERM it
    serves the connections queued on it before it exits. (Two threads, so that
    connections do queue at the SIGTERM.) Fails on a server that closes the inherited
    socket at once (issue #23, item 2)."""
    t = tree
    install(t, "spawn-fcgi", FCGI_THREADS="2")
    pid = spawned_backend(t)
    t.start_nginx()
    with Stream(t, admin_token(t), threads=12) as stream:
        stream.wait_more(300)
        t.run("spawn-fcgi-stop")
        assert support.wait_pid_gone(pid, 30), "the backend did not exit on SIGTERM"
        stream.wait_more(50)
    ok, unavailable = assert_nothing_lost(t, stream)
    print(f"inherited socket: {ok} answered 200, {unavailable} refused after the stop")


# --- systemd socket activation --------------------------------------------------------------

def test_socket_activation_restart_under_load(tree, sqlite_only):
    """`systemctl restart auth-fcgi-socket.service` under load: the socket stays
    systemd's, so nothing is refused and nothing is lost; the next backend serves what
    queued meanwhile."""
    t = tree
    install(t, "socket-activation")
    assert t.systemctl_calls()[-2:] == ["daemon-reload", "enable --now auth-fcgi-socket.socket"]
    listening = t.listen_socket("auth-fcgi-socket.socket")
    try:
        proc = t.start_unit("auth-fcgi-socket.service", stdin=listening.fileno())
        t.start_nginx()
        with Stream(t, admin_token(t), threads=12) as stream:
            stream.wait_more(300)
            t.stop_unit(proc)
            queued = stream.count()
            t.start_unit("auth-fcgi-socket.service", stdin=listening.fileno())
            stream.wait_more(300)
        ok, unavailable = assert_nothing_lost(t, stream)
        assert unavailable == 0, f"{unavailable} requests refused with systemd holding the socket"
        print(f"socket activation: {ok} answered 200 across a restart ({queued} before the new backend)")
    finally:
        listening.close()


# --- --workers N ---------------------------------------------------------------------------

def test_workers_with_a_worker_sigkilled(tree, sqlite_only):
    """FCGI_WORKERS=2 and a restart, as the README says; one worker SIGKILLed under load:
    only requests in flight on it may fail (503), the supervisor replaces it."""
    t = tree
    install(t, "systemd-service")
    proc = t.start_unit("auth-fcgi.service")
    sock = t.path("/run/auth-fcgi") / "auth-fcgi.sock"
    wait_listening(sock, proc)
    t.run("workers")
    assert t.systemctl_calls()[-1] == "restart auth-fcgi"
    t.stop_unit(proc)
    proc = t.start_unit("auth-fcgi.service")
    wait_listening(sock, proc)
    workers = wait_for(lambda: len(support.children_of(proc.pid)) == 2 and support.children_of(proc.pid), 15,
                       "two workers")
    t.start_nginx()
    victim = workers[0]
    with Stream(t, admin_token(t), threads=8) as stream:
        stream.wait_more(300)
        t_kill = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        replaced = wait_for(lambda: (kids := support.children_of(proc.pid)) and len(kids) == 2
                            and victim not in kids and time.monotonic(), 15, "a new worker")
        stream.wait_more(300)
    results = stream.results
    errors = [r for r in results if r[5] is not None]
    assert not errors, errors[:5]
    failed = [r for r in results if r[3] != 200]
    assert all(r[3] == 503 and r[4] == "backend_unavailable" for r in failed), failed[:5]
    # At most the requests the victim was serving: one per client thread.
    assert len(failed) <= len(stream.threads), failed
    assert all(r[1] >= t_kill for r in failed) and all(r[3] == 200 for r in results if r[0] > replaced)
    assert replaced - t_kill < 5, f"the worker was replaced after {replaced - t_kill:.2f}s"
    print(f"--workers 2: {len(results)} requests, {len(failed)} failed with the killed worker, "
          f"replaced in {replaced - t_kill:.3f}s")
    t.stop_unit(proc)


# --- a pool of backends (two PostgreSQL nodes with AUTH_TEST_DATABASE=postgresql) -----------

def test_pool_with_a_member_sigkilled(tree):
    """auth-fcgi@1 and @2 behind examples/upstream-pool.conf, one SIGKILLed under a
    stream of GETs: nginx sends every request it can't get answered to the other, so
    all are 200. On SQLite both share the host's database; with
    AUTH_TEST_DATABASE=postgresql both are nodes of one PostgreSQL database."""
    t = tree
    database = {}
    if pg_support.BACKEND == "postgresql":
        database["DATABASE_URL"] = support.database_url(t.root)
    install(t, "systemd-service", "pool", **database)
    calls = t.systemctl_calls()
    assert calls[-4:] == ["daemon-reload", "disable --now auth-fcgi", "enable --now auth-fcgi@1 auth-fcgi@2",
                          "reload nginx"], calls
    nodes = {}
    for i in ("1", "2"):
        nodes[i] = t.start_unit("auth-fcgi@.service", instance=i)
        wait_listening(t.path("/run/auth-fcgi") / f"{i}.sock", nodes[i])
    t.start_nginx()
    with Stream(t, admin_token(t), threads=8) as stream:
        stream.wait_more(300)
        os.kill(nodes["1"].pid, signal.SIGKILL)
        nodes["1"].wait(timeout=10)
        stream.wait_more(300)
    results = stream.results
    failed = [r for r in results if r[3] != 200]
    assert not failed, f"{len(failed)} of {len(results)} GETs failed: {failed[:5]}"
    print(f"pool ({pg_support.BACKEND}): {len(results)} GETs, all 200")
    t.stop_unit(nodes["2"])
