"""PostgreSQL only (run with AUTH_TEST_DATABASE=postgresql; deselected otherwise): the
command line on PostgreSQL, DATABASE_URL forms, several nodes ("hosts") on one database
behind one nginx upstream, a node killed and the database restarted under a stream of
requests.

The rest of the suite runs on PostgreSQL too in that mode (every stack gets a fresh
database); this module covers what needs more than one backend or a server restart.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

import fcgi_client
import pg_support
import support
from api_client import DEFAULT_PASSWORD, FAST_ENV, auth_env, claims, unique
from support import assert_problem, wait_for

pytestmark = pytest.mark.postgresql

ADMIN_PASSWORD = "Sturdy pass 42!"


def fresh_database(server: pg_support.PostgresServer) -> str:
    name = "t_" + unique("")
    server.create_database(name)
    return name


def run_cli(auth_bin, cwd: Path, env: dict, *args, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([str(auth_bin), *args], input=stdin.encode(), capture_output=True, cwd=cwd, env=env,
                          timeout=60)


def describe(p: subprocess.CompletedProcess) -> str:
    return f"exit {p.returncode}\nstdout: {p.stdout.decode(errors='replace')!r}\n" \
           f"stderr: {p.stderr.decode(errors='replace')!r}"


# --- the command line and DATABASE_URL ------------------------------------------------------

def test_cli_migrate_purge_create_admin(auth_bin, short_tmp, database_server):
    url = database_server.url(fresh_database(database_server))
    env = support.base_env(**auth_env(AUTH_ENV="production", DATABASE_URL=url))

    # Nodes that start at once all migrate: each step is applied exactly once.
    procs = [subprocess.Popen([str(auth_bin), "migrate"], cwd=short_tmp, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(4)]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, outputs
    applied = "".join(out.decode() for out, _ in outputs)
    steps = ["accounts_and_sessions", "password_reset_tokens", "user_counts", "email_verification", "two_factor"]
    assert [applied.count(step) for step in steps] == [1] * len(steps), applied
    with pg_support.connect_url(url) as db:
        assert db.query("SELECT version, name FROM schema_migrations ORDER BY version") == list(enumerate(steps, 1))

    name = unique("Root")
    p = run_cli(auth_bin, short_tmp, env, "create-admin", "--username", name, "--email", f"{name}@Example.com",
                stdin=ADMIN_PASSWORD + "\n")
    assert p.returncode == 0, describe(p)
    p = run_cli(auth_bin, short_tmp, env, "create-admin", "--username", name.upper(), "--email", "x@example.com",
                stdin=ADMIN_PASSWORD + "\n")
    assert p.returncode != 0 and b"already taken" in p.stderr, describe(p)
    with pg_support.connect_url(url) as db:
        assert db.query("SELECT username, email, role, active FROM users") == [
            (name, f"{name.lower()}@example.com", "ADMIN", True)]
        uid = db.query("SELECT id FROM users")[0][0]
        now = int(time.time())
        for sid, expires, revoked in (("old", now - 86400, None), ("live", now + 86400, None),
                                      ("gone", now + 86400, now - 86400)):
            db.execute("INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, refresh_jti,"
                       " revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)", (sid, uid, now - 90000, now - 90000, expires,
                                                                      sid, revoked))
    p = run_cli(auth_bin, short_tmp, env, "purge")
    assert p.returncode == 0 and b"2 expired sessions" in p.stdout, describe(p)
    with pg_support.connect_url(url) as db:
        assert db.query("SELECT id FROM sessions") == [("live",)]
    assert pg_support.APP_PASSWORD.encode() not in p.stdout + p.stderr


def test_database_url_forms(auth_bin, short_tmp, database_server):
    """postgres:// and a unix socket directory (?host=/dir) work; the password is decoded."""
    role, password = quote(pg_support.APP_ROLE, safe=""), quote(pg_support.APP_PASSWORD, safe="")
    server = database_server
    for url in (f"postgresql:///{{db}}?host={server.root}&port={server.port}&user=postgres",
                f"postgresql://%2F{quote(str(server.root)[1:], safe='')}:{server.port}/{{db}}?user=postgres",
                f"postgres://{role}:{password}@localhost:{server.port}/{{db}}?sslmode=prefer"
                f"&connect_timeout=3&application_name=auth-test"):
        name = fresh_database(server)
        env = support.base_env(**auth_env(DATABASE_URL=url.format(db=name)))
        p = run_cli(auth_bin, short_tmp, env, "migrate")
        assert p.returncode == 0, describe(p)
        assert b"accounts_and_sessions" in p.stdout, describe(p)


@pytest.mark.parametrize("url, message", [
    ("postgresql://{role}:{password}@127.0.0.1:{port}/{db}?sslmode=sometimes", "sslmode"),
    ("postgresql://{role}:{password}@127.0.0.1:{port}/{db}?sslmod=require", "sslmod"),
    ("postgresql://{role}:{password}@127.0.0.1:99999/{db}", "port"),
    ("postgresql://{role}:wrong%20password@127.0.0.1:{port}/{db}", "password authentication failed"),
])
def test_bad_database_url_is_one_line_without_the_password(auth_bin, short_tmp, database_server, url, message):
    url = url.format(role=quote(pg_support.APP_ROLE, safe=""), password=quote(pg_support.APP_PASSWORD, safe=""),
                     port=database_server.port, db="postgres")
    env = support.base_env(**auth_env(DATABASE_URL=url))
    p = run_cli(auth_bin, short_tmp, env, "serve", "--listen", f"unix:{short_tmp}/x.sock")
    err = p.stderr.decode(errors="replace")
    assert p.returncode == 2, describe(p)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "DATABASE_URL" in lines[0] and message in lines[0], describe(p)
    for secret in (pg_support.APP_PASSWORD, quote(pg_support.APP_PASSWORD, safe=""), "wrong password",
                   "wrong%20password"):
        assert secret not in err, err


def test_development_keys_are_kept_in_var(auth_bin, short_tmp, database_server):
    url = database_server.url(fresh_database(database_server))
    env = support.base_env(**{k: v for k, v in auth_env(AUTH_ENV="development", DATABASE_URL=url).items()
                              if k not in ("JWT_SECRET_KEY", "MFA_SECRET_KEY")})
    p = run_cli(auth_bin, short_tmp, env, "migrate")
    assert p.returncode == 0, describe(p)
    keys = [short_tmp / "var" / name for name in ("jwt-secret.key", "mfa-secret.key")]
    for key in keys:
        assert key.is_file() and stat.S_IMODE(key.stat().st_mode) == 0o600, key
    first = [key.read_bytes() for key in keys]
    assert first[0] != first[1]
    assert run_cli(auth_bin, short_tmp, env, "migrate").returncode == 0
    assert [key.read_bytes() for key in keys] == first


# --- several nodes behind one nginx upstream -------------------------------------------------

class Cluster:
    """`count` backends ("nodes", each with its own socket and 4 threads) on one database,
    behind one nginx whose upstream lists them all. nginx's config is rendered by
    scripts/lib/common.sh (as serve-local renders it) with the upstream replaced."""

    def __init__(self, root: Path, auth_bin: Path, database_url: str, count: int = 2, env: dict | None = None):
        self.root = root
        self.run_dir = root / "nginx-run"
        self.port = support.free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = auth_env(DATABASE_URL=database_url, FCGI_THREADS="4", **(env or {}))
        self.nodes = [support.Backend(auth_bin, root / f"n{i}", env=self.env) for i in range(count)]
        self.nginx: subprocess.Popen | None = None
        self.nodes_log = self.run_dir / "log" / "nodes.log"

    def start(self) -> "Cluster":
        # All nodes at once: they migrate the fresh database concurrently.
        for node in self.nodes:
            with open(node.stdout_path, "wb") as out, open(node.stderr_path, "wb") as err:
                node.proc = subprocess.Popen(
                    [str(node.binary), "serve", "--listen", f"unix:{node.socket_path}", *node.args],
                    stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=node.env, cwd=node.workdir)
        for node in self.nodes:
            wait_for(node._ready, support.START_TIMEOUT, f"node {node.socket_path}")
        self._render_nginx()
        log = open(self.root / "nginx.out", "wb")
        self.nginx = subprocess.Popen(
            [find_nginx(), "-p", f"{self.run_dir}/nginx/", "-c", "nginx.conf", "-e", "stderr"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

        def up():
            if self.nginx.poll() is not None:
                raise AssertionError(f"nginx exited: {support.tail(self.root / 'nginx.out')}")
            try:
                return requests.get(self.base_url + "/api/health", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_for(up, support.START_TIMEOUT, "nginx in front of the nodes")
        return self

    def _render_nginx(self) -> None:
        env = support.base_env(RUN_DIR=self.run_dir, HTTP_PORT=self.port, CORS_ORIGINS="", NGINX_ACCESS_LOG_BUFFER="off",
                               RATE_LIMIT_LOGIN="100000r/s", RATE_LIMIT_FORGOT="100000r/s",
                               RATE_LIMIT_REGISTER="100000r/s", RATE_LIMIT_RESEND="100000r/s",
                               AUTH_FCGI_SOCKET=self.root / "unused.sock")
        r = subprocess.run(["bash", "-c", 'set -euo pipefail; source scripts/lib/common.sh; check_nginx_settings; '
                            'render_local_nginx'],
                           cwd=support.REPO_ROOT, env=env, capture_output=True, timeout=30)
        assert r.returncode == 0, r.stderr.decode(errors="replace")
        servers = "".join(f'    server "unix:{node.socket_path}" max_fails=1 fail_timeout=10s;\n'
                          for node in self.nodes)
        # Connection reuse as shipped (keepalive beside fastcgi_keep_conn on).
        (self.run_dir / "nginx" / "auth-fcgi" / "upstream.conf").write_text(
            f"upstream auth_fcgi {{\n{servers}    keepalive 32;\n}}\n")
        conf = self.run_dir / "nginx" / "nginx.conf"
        text = conf.read_text()
        anchor = "auth-fcgi/upstream.conf\";"
        assert anchor in text, text
        # Which node answered each request (a retried one lists both).
        text = text.replace(anchor, anchor + f"""
    log_format pg_nodes '$upstream_addr $status';
    access_log "{self.nodes_log}" pg_nodes;""", 1)
        conf.write_text(text)

    def url(self, path: str) -> str:
        return self.base_url + path

    def node_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        try:
            lines = self.nodes_log.read_text().splitlines()
        except FileNotFoundError:
            return counts
        for line in lines:
            for addr in line.rsplit(" ", 1)[0].split(", "):
                counts[addr] = counts.get(addr, 0) + 1
        return counts

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            support.stop_popen(self.nginx, sig=signal.SIGQUIT)
        for node in self.nodes:
            if node.proc is not None and node.proc.poll() is None:
                support.stop_popen(node.proc)


def find_nginx() -> str:
    for candidate in ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"):
        if os.access(candidate, os.X_OK):
            return candidate
    import shutil
    found = shutil.which("nginx")
    assert found, "nginx not found"
    return found


@pytest.fixture
def cluster_factory(short_tmp, auth_bin):
    made: list[Cluster] = []

    def make(database_url: str, count: int = 2, env: dict | None = None) -> Cluster:
        c = Cluster(short_tmp / f"c{len(made)}", auth_bin, database_url, count, env)
        made.append(c)
        return c.start()

    yield make
    for c in made:
        c.stop()


def node_request(node: support.Backend, method: str, path: str, token: str | None = None, body=None):
    """A request straight to one node over FastCGI, bypassing nginx's choice."""
    data = json.dumps(body).encode() if body is not None else b""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    params = fcgi_client.standard_params(method, path, body_length=len(data),
                                         content_type="application/json" if body is not None else None,
                                         headers=headers)
    return fcgi_client.request(node.socket_path, params, data, timeout=15)


def test_a_token_from_one_node_works_on_the_other(cluster_factory, database_server):
    c = cluster_factory(database_server.url(fresh_database(database_server)))
    a, b = c.nodes
    name = unique()
    r = node_request(a, "POST", "/api/auth/register",
                     body={"username": name, "email": f"{name}@example.com", "password": DEFAULT_PASSWORD})
    assert r.status == 201, r.body
    r = node_request(b, "POST", "/api/auth/register",
                     body={"username": name.upper(), "email": f"x{name}@example.com", "password": DEFAULT_PASSWORD})
    assert r.status == 409 and r.json()["code"] == "username_taken", r.body

    login = node_request(a, "POST", "/api/auth/login", body={"username": name, "password": DEFAULT_PASSWORD})
    assert login.status == 200, login.body
    first = login.json()
    # Accepted by the other node...
    r = node_request(b, "GET", "/api/auth/whoami", token=first["access_token"])
    assert r.status == 200 and r.json()["user"]["username"] == name, r.body
    # ...refreshed there...
    r = node_request(b, "POST", "/api/auth/refresh", token=first["refresh_token"])
    assert r.status == 200, r.body
    second = r.json()
    assert claims(second["access_token"])["sid"] == claims(first["access_token"])["sid"]
    r = node_request(a, "GET", "/api/auth/sessions", token=second["access_token"])
    assert r.status == 200 and len(r.json()["items"]) == 1, r.body
    # ...the rotated-out refresh token is reuse on the first node (and revokes the session)...
    r = node_request(a, "POST", "/api/auth/refresh", token=first["refresh_token"])
    assert r.status == 401 and r.json()["code"] == "token_revoked", r.body
    r = node_request(b, "GET", "/api/auth/whoami", token=second["access_token"])
    assert r.status == 401 and r.json()["code"] == "token_revoked", r.body

    # ...and a logout on one node is seen by the other at once.
    third = node_request(b, "POST", "/api/auth/login", body={"username": name, "password": DEFAULT_PASSWORD}).json()
    assert node_request(a, "GET", "/api/auth/whoami", token=third["access_token"]).status == 200
    assert node_request(a, "POST", "/api/auth/logout", token=third["access_token"]).status == 204
    r = node_request(b, "GET", "/api/auth/whoami", token=third["access_token"])
    assert r.status == 401 and r.json()["code"] == "token_revoked", r.body
    r = node_request(b, "POST", "/api/auth/refresh", token=third["refresh_token"])
    assert r.status == 401, r.body

    # Through nginx, requests reach both nodes.
    for _ in range(20):
        assert requests.get(c.url("/api/health"), timeout=10).status_code == 200
    counts = c.node_counts()
    assert all(counts.get(f"unix:{n.socket_path}", 0) > 0 for n in c.nodes), counts


def test_lockout_counts_across_nodes(cluster_factory, database_server):
    c = cluster_factory(database_server.url(fresh_database(database_server)), env={"LOCKOUT_THRESHOLD": "4"})
    name = unique()
    body = {"username": name, "email": f"{name}@example.com", "password": DEFAULT_PASSWORD}
    assert node_request(c.nodes[0], "POST", "/api/auth/register", body=body).status == 201
    for i in range(3):
        r = node_request(c.nodes[i % 2], "POST", "/api/auth/login", body={"username": name, "password": "wrong!!!!"})
        assert r.status == 401, r.body
    r = node_request(c.nodes[1], "POST", "/api/auth/login", body={"username": name, "password": "wrong!!!!"})
    assert r.status in (401, 423), r.body
    r = node_request(c.nodes[0], "POST", "/api/auth/login", body={"username": name, "password": DEFAULT_PASSWORD})
    assert r.status == 423 and r.json()["code"] == "account_locked", r.body


class Stream:
    """Client threads looping over idempotent GETs through nginx, recording every answer."""

    def __init__(self, cluster: Cluster, token: str, threads: int = 4):
        self.cluster = cluster
        self.token = token
        self.results: list[tuple] = []  # (t0, t1, path, status, code, error)
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, index: int) -> None:
        paths = ["/api/health", "/api/users/me", "/api/auth/whoami", "/api/auth/sessions"]
        with requests.Session() as s:
            n = index
            while not self.stop_event.is_set():
                path = paths[n % len(paths)]
                n += 1
                t0 = time.monotonic()
                try:
                    r = s.get(self.cluster.url(path), headers={"Authorization": f"Bearer {self.token}"},
                              timeout=20)
                    code = None
                    if r.status_code != 200:
                        try:
                            code = r.json().get("code")
                        except ValueError:
                            code = "<not json>"
                    item = (t0, time.monotonic(), path, r.status_code, code, None)
                except Exception as e:  # a reset, a timeout or a truncated response
                    item = (t0, time.monotonic(), path, None, None, repr(e))
                with self.lock:
                    self.results.append(item)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in self.threads)

    def count(self) -> int:
        with self.lock:
            return len(self.results)

    def wait_more(self, n: int, timeout: float = 20.0) -> None:
        target = self.count() + n
        wait_for(lambda: self.count() >= target, timeout, f"{n} more responses")


def logged_in(cluster: Cluster) -> str:
    name = unique()
    body = {"username": name, "email": f"{name}@example.com", "password": DEFAULT_PASSWORD}
    assert requests.post(cluster.url("/api/auth/register"), json=body, timeout=10).status_code == 201
    r = requests.post(cluster.url("/api/auth/login"), json={"username": name, "password": DEFAULT_PASSWORD},
                      timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def test_sigkill_one_node_under_a_stream_of_gets(cluster_factory, database_server):
    c = cluster_factory(database_server.url(fresh_database(database_server)))
    token = logged_in(c)
    victim = c.nodes[0]
    with Stream(c, token) as stream:
        stream.wait_more(200)
        t_kill = time.monotonic()
        os.kill(victim.pid, signal.SIGKILL)
        victim.proc.wait(timeout=10)
        stream.wait_more(300)
    results = stream.results
    failed = [r for r in results if r[3] != 200]
    assert not failed, f"{len(failed)} of {len(results)} GETs failed: {failed[:5]}"
    after = [r for r in results if r[0] > t_kill]
    assert len(after) >= 300
    counts = c.node_counts()
    assert counts.get(f"unix:{victim.socket_path}", 0) > 0 and counts.get(f"unix:{c.nodes[1].socket_path}", 0) > 0, \
        counts
    print(f"{len(results)} GETs, all 200; per node {counts}")


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_database_restart_under_a_stream_of_requests(cluster_factory, mode):
    """The database goes away (a clean or an immediate shutdown) and comes back: requests
    meanwhile get 503 database_unavailable quickly (none hangs), and 200 again once it is
    back, on fresh connections (every node thread reconnects by itself)."""
    # Its own server (the session's keeps running), durable: an immediate stop is a crash.
    server = pg_support.PostgresServer(durable=True).start()
    try:
        c = cluster_factory(server.url(fresh_database(server)))
        token = logged_in(c)
        with Stream(c, token) as stream:
            stream.wait_more(100)
            t_stop = time.monotonic()
            server.stop(mode)
            t_down = time.monotonic()
            # While it is down: /api/health says so, fast.
            t0 = time.monotonic()
            r = requests.get(c.url("/api/health"), timeout=20)
            assert time.monotonic() - t0 < 3
            assert_problem(r, 503, "database_unavailable")
            stream.wait_more(100)
            t_start = time.monotonic()
            server.start()
            t_up = time.monotonic()
            stream.wait_more(200)
        results = stream.results

        errors = [r for r in results if r[5] is not None]
        assert not errors, f"requests failed at the HTTP level: {errors[:5]}"
        slow = [r for r in results if r[1] - r[0] > 6]
        assert not slow, f"requests that hung: {slow[:5]}"
        bad = [r for r in results if not (r[3] == 200 or (r[3] == 503 and r[4] == "database_unavailable"))]
        assert not bad, f"unexpected answers: {bad[:5]}"
        before = [r for r in results if r[1] < t_stop]
        assert before and all(r[3] == 200 for r in before)
        during = [r for r in results if r[0] > t_down and r[1] < t_start]
        assert len(during) >= 50 and all(r[3] == 503 for r in during), \
            f"{len(during)} during the outage: {[r[3] for r in during][:20]}"
        after = [r for r in results if r[0] > t_up]
        assert len(after) >= 150 and all(r[3] == 200 for r in after), \
            f"after the restart: {[(r[2], r[3], r[4]) for r in after if r[3] != 200][:10]}"
        print(f"{len(results)} requests: {len(before)} before, {len(during)} during the outage (503), "
              f"{len(after)} after the restart (200)")
    finally:
        server.destroy()


def test_a_database_down_at_start_exits_1_for_a_retry(auth_bin, short_tmp, free_port):
    """Not a bad setting (exit 2, which systemd doesn't restart on): the server may be back
    in a moment."""
    env = support.base_env(**auth_env(DATABASE_URL=f"postgresql://auth:pw@127.0.0.1:{free_port}/auth?connect_timeout=2"))
    p = run_cli(auth_bin, short_tmp, env, "serve", "--listen", f"unix:{short_tmp}/x.sock")
    assert p.returncode == 1, describe(p)
    lines = [line for line in p.stderr.decode(errors="replace").splitlines() if line.strip()]
    assert len(lines) == 1 and "database unavailable" in lines[0] and "pw@" not in lines[0], describe(p)
