"""The deployment kit besides CGI: the systemd units in conf/systemd/ (checked with
`systemd-analyze verify`, and their ExecStart= command lines run the way systemd would
run them, without systemd: an own socket, or socket activation with the listening socket
on fd 0 kept open across a restart), and the nginx worker-pool example
(conf/nginx/examples/upstream-pool.conf) under a real nginx with one backend stopped.
`nginx -t` on every nginx file is test_nginx_configs.py (scripts/check-nginx-configs).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import uuid
from pathlib import Path

import pytest
import requests

import fcgi_client
import support
from support import stop_popen, wait_for

CONF = support.REPO_ROOT / "conf"
SYSTEMD = CONF / "systemd"
UNITS = ["auth-fcgi.service", "auth-fcgi-socket.socket", "auth-fcgi-socket.service", "auth-fcgi@.service"]
INSTALLED_BIN = "/usr/local/bin/auth-fcgi"
RUN_DIR = "/run/auth-fcgi"
SOCKET = f"{RUN_DIR}/auth-fcgi.sock"


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """section -> key -> values, in order (comments and blank lines dropped)."""
    return support.systemd_unit(SYSTEMD / name)


def exec_start(name: str, auth_bin: Path, run_dir: Path, instance: str = "1") -> list[str]:
    """The unit's ExecStart= with the installed paths replaced by the test's."""
    (line,) = unit(name)["Service"]["ExecStart"]
    argv = shlex.split(line.replace("%i", instance))
    assert argv[0] == INSTALLED_BIN, f"{name}: ExecStart runs {argv[0]}, expected {INSTALLED_BIN}"
    return [str(auth_bin)] + [a.replace(RUN_DIR + "/", f"{run_dir}/") for a in argv[1:]]


# --- systemd units ---------------------------------------------------------------------

def test_systemd_analyze_verify(auth_bin, short_tmp):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed (Debian package systemd)")
    for name in UNITS:
        # verify checks that ExecStart's program exists: point it at the built binary.
        text = (SYSTEMD / name).read_text().replace(INSTALLED_BIN, str(auth_bin))
        (short_tmp / name).write_text(text)
    # verify also opens Documentation='s man page: the repository's, as if installed.
    (short_tmp / "man" / "man8").mkdir(parents=True)
    shutil.copy(support.REPO_ROOT / "docs" / "auth-fcgi.8", short_tmp / "man" / "man8")
    r = subprocess.run([tool, "verify", *[str(short_tmp / n) for n in UNITS]], capture_output=True,
                       env=support.base_env(SYSTEMD_LOG_LEVEL="info", MANPATH=str(short_tmp / "man")),
                       stdin=subprocess.DEVNULL, timeout=60)
    output = (r.stdout + r.stderr).decode(errors="replace")
    # verify exits 0 on unknown keys and bad values: any message is a finding.
    assert r.returncode == 0 and not output.strip(), output


def test_units_agree_with_each_other_and_nginx():
    service, sock, activated, template = (unit(n) for n in UNITS)
    upstream = (CONF / "nginx" / "auth-fcgi" / "upstream.conf").read_text()
    assert f"server unix:{SOCKET};" in upstream

    # The plain service opens the socket nginx's upstream.conf connects to.
    assert f"--listen unix:{SOCKET}" in service["Service"]["ExecStart"][0]
    assert service["Service"]["RuntimeDirectory"] == ["auth-fcgi"]

    # Socket activation: systemd's socket on fd 0, no --listen, and stdout/stderr not
    # inherited from stdin (that would be the listening socket).
    assert sock["Socket"]["ListenStream"] == [SOCKET]
    assert sock["Socket"]["SocketMode"] == ["0660"]
    assert sock["Socket"].get("Accept", ["no"]) == ["no"]
    svc = activated["Service"]
    assert svc["StandardInput"] == ["socket"]
    assert svc["StandardOutput"] == ["journal"] and svc["StandardError"] == ["journal"]
    assert "--listen" not in svc["ExecStart"][0]
    # RuntimeDirectory= would delete /run/auth-fcgi (and systemd's socket in it) on stop.
    assert "RuntimeDirectory" not in svc
    assert "auth-fcgi-socket.socket" in activated["Unit"]["Requires"]

    # The template's instances are the sockets of examples/upstream-pool.conf.
    pool = (CONF / "nginx" / "examples" / "upstream-pool.conf").read_text()
    assert f"--listen unix:{RUN_DIR}/%i.sock" in template["Service"]["ExecStart"][0]
    assert template["Service"]["RuntimeDirectoryPreserve"] == ["yes"]
    for i in (1, 2):
        assert re.search(rf"^\s*server unix:{RUN_DIR}/{i}\.sock\b", pool, re.M), f"pool lacks {i}.sock"

    for name, u in zip(UNITS, (service, sock, activated, template)):
        if "Service" not in u:
            continue
        s = u["Service"]
        for key, value in {"User": "auth-fcgi", "KillSignal": "SIGTERM", "NoNewPrivileges": "yes",
                           "ProtectSystem": "strict", "PrivateTmp": "yes", "ProtectHome": "yes",
                           "Restart": "on-failure", "WorkingDirectory": "/var/lib/auth-fcgi",
                           "StateDirectory": "auth-fcgi"}.items():
            assert s.get(key) == [value], f"{name}: {key}={s.get(key)}"
        # The Debian package's generated keys (optional: a manual install has none), then
        # the admin's settings, which win.
        assert s.get("EnvironmentFile") == ["-/etc/auth-fcgi/secrets.env", "/etc/auth-fcgi/env"], name


def start_like_systemd(argv, state: Path, stdin) -> subprocess.Popen:
    """As systemd starts the unit: working directory = the state directory, settings in
    the environment (EnvironmentFile=), output to the journal (files here)."""
    state.mkdir(parents=True, exist_ok=True)
    with open(state / "stdout", "wb") as out, open(state / "stderr", "wb") as err:
        return subprocess.Popen(argv, stdin=stdin, stdout=out, stderr=err, cwd=state,
                                env=support.service_env(state, AUTH_ENV="production"))


@pytest.mark.parametrize("name", ["auth-fcgi.service", "auth-fcgi@.service"])
def test_service_exec_start(auth_bin, short_tmp, name):
    """The unit's own command line listens where nginx connects and stops on KillSignal."""
    run = short_tmp / "run"
    run.mkdir()
    argv = exec_start(name, auth_bin, run)
    path = str(run / ("1.sock" if "@" in name else "auth-fcgi.sock"))
    proc = start_like_systemd(argv, short_tmp / "state", subprocess.DEVNULL)
    try:
        def ready():
            if proc.poll() is not None:
                raise AssertionError(f"exited {proc.returncode}: {support.tail(short_tmp / 'state' / 'stderr')}")
            return support.connectable(path)

        wait_for(ready, 20, f"{name} listening on {path}")
        assert fcgi_client.get(path).status == 200
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0  # TimeoutStopSec=30s
        assert not os.path.exists(path), "the backend left its socket behind"
    finally:
        stop_popen(proc)


class ActivationSocket:
    """Plays systemd for auth-fcgi-socket.*: owns the listening socket (mode 0660, kept
    open the whole time) and starts the service's ExecStart with it on fd 0."""

    def __init__(self, auth_bin: Path, directory: Path):
        run = directory / "run"
        run.mkdir()
        self.state = directory / "state"
        self.path = str(run / "auth-fcgi.sock")
        self.argv = exec_start("auth-fcgi-socket.service", auth_bin, run)
        assert not any(a.startswith("--listen") for a in self.argv)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o660)
        self.sock.listen(128)
        self.procs: list[subprocess.Popen] = []

    def start_service(self) -> subprocess.Popen:
        self.procs.append(start_like_systemd(self.argv, self.state, self.sock.fileno()))
        return self.procs[-1]

    def queued_request(self, request_id: str) -> fcgi_client.FcgiConnection:
        """A connection made and a request sent while no backend runs: both must succeed
        (the connection waits in the backlog) and nothing answers yet."""
        conn = fcgi_client.FcgiConnection(self.path, timeout=20)
        conn.start(fcgi_client.standard_params(request_id=request_id))
        conn.end_stdin()
        assert not conn.readable_within(0.3), "something answered with no backend running"
        return conn

    def stop_service(self, proc: subprocess.Popen) -> None:
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0  # TimeoutStopSec=30s

    def close(self) -> None:
        self.sock.close()
        for p in self.procs:
            stop_popen(p)


@pytest.fixture
def activation(auth_bin, short_tmp):
    a = ActivationSocket(auth_bin, short_tmp)
    yield a
    a.close()


def test_socket_activation_serves_the_queued_connection(activation):
    """systemd starts the service on the first connection, which waits in the backlog
    until the backend accepts it."""
    with activation.queued_request("queued-1") as conn:
        proc = activation.start_service()
        r = conn.read_response(timeout=20)
    assert r.status == 200 and r.header("X-Request-ID") == "queued-1"
    assert fcgi_client.get(activation.path).status == 200
    activation.stop_service(proc)
    # Output went to stdout/stderr (the journal), never to the socket.
    assert b"worker_started" in (activation.state / "stderr").read_bytes()


def test_socket_activation_socket_survives_a_stop(activation):
    """`systemctl stop/restart auth-fcgi-socket.service`: the backend exits on SIGTERM, the
    socket stays systemd's, and a connection made meanwhile is answered by the next backend."""
    proc = activation.start_service()
    assert fcgi_client.request(activation.path, fcgi_client.standard_params(), timeout=20).status == 200
    activation.stop_service(proc)
    st = os.stat(activation.path)
    assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o660, "socket file changed or removed"
    try:
        conn = activation.queued_request("after-restart")
    except ConnectionRefusedError:
        pytest.fail("the listening socket refuses connections after the backend stopped")
    with conn:
        activation.start_service()
        r = conn.read_response(timeout=20)
    assert r.status == 200 and r.header("X-Request-ID") == "after-restart"


# --- nginx worker pool ---------------------------------------------------------------------

def find_nginx() -> str:
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(path, os.X_OK):
        pytest.fail("nginx is not installed (scripts/install-deps test)")
    return path


def pool_nginx(root: Path, port: int, run: Path) -> Path:
    """A production layout (conf/nginx/auth-fcgi/ copied to conf/auth-fcgi/) with
    examples/upstream-pool.conf as upstream.conf, its two sockets moved to `run`."""
    conf = root / "conf"
    (conf / "auth-fcgi").mkdir(parents=True)
    for f in (CONF / "nginx" / "auth-fcgi").glob("*.conf"):
        shutil.copy2(f, conf / "auth-fcgi" / f.name)
    pool = (CONF / "nginx" / "examples" / "upstream-pool.conf").read_text()
    rendered, n = re.subn(rf"^(\s*server unix:){RUN_DIR}/", rf"\g<1>{run}/", pool, flags=re.M)
    assert n == 2, f"upstream-pool.conf: expected 2 active unix servers, found {n}"
    (conf / "auth-fcgi" / "upstream.conf").write_text(rendered)
    for d in ("logs", "tmp"):
        (root / d).mkdir()
    user = "root" if os.geteuid() == 0 else None  # else workers run as nobody
    (conf / "nginx.conf").write_text(support.private_nginx_conf(root, f"""
    include auth-fcgi/http.conf;
    include auth-fcgi/rate-limits.conf;
    include auth-fcgi/upstream.conf;
    access_log "{root}/logs/access.log" auth_fcgi;
    server {{
        listen 127.0.0.1:{port};
        include auth-fcgi/api-locations.conf;
        location / {{ return 404; }}
    }}""", user))
    return conf / "nginx.conf"


def test_upstream_pool_fails_over(auth_bin, short_tmp, backend_factory):
    """Two backends on their own sockets sharing one database, as auth-fcgi@1 and @2:
    with one stopped, every request (POST included) is answered by the other."""
    run = short_tmp / "run"
    run.mkdir()
    db = f"sqlite:///{short_tmp}/shared.db"
    backends = {}
    for i in (1, 2):
        b = backend_factory(env={"DATABASE_URL": db, "PASSWORD_COST": "1"}, start=False)
        b.socket_path = str(run / f"{i}.sock")
        backends[i] = b.start()

    port = support.free_port()
    root = short_tmp / "nginx"
    conf = pool_nginx(root, port, run)
    nginx = find_nginx()
    check = subprocess.run([nginx, "-t", "-p", f"{root}/", "-c", str(conf), "-e", "stderr"], capture_output=True,
                           env=support.base_env(), timeout=30)
    assert check.returncode == 0, check.stderr.decode()
    out = open(root / "nginx.out", "wb")
    proc = subprocess.Popen([nginx, "-p", f"{root}/", "-c", str(conf), "-e", "stderr"], stdin=subprocess.DEVNULL,
                            stdout=out, stderr=subprocess.STDOUT, env=support.base_env(), start_new_session=True)
    out.close()
    base = f"http://127.0.0.1:{port}"
    try:
        def up():
            if proc.poll() is not None:
                raise AssertionError(f"nginx exited {proc.returncode}: {support.tail(root / 'nginx.out')}")
            try:
                return requests.get(base + "/api/health", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_for(up, 20, "nginx with the pool to answer /api/health")
        for _ in range(4):
            assert requests.get(base + "/api/health", timeout=10).status_code == 200

        assert backends[1].stop() == 0
        assert not os.path.exists(backends[1].socket_path)
        s = requests.Session()
        for _ in range(6):
            r = s.get(base + "/api/health", timeout=10)
            assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
        name = f"pool{uuid.uuid4().hex[:10]}"
        password = "correct horse battery"
        for _ in range(3):  # POSTs too: a refused connect means nothing was sent yet
            r = s.post(base + "/api/auth/register", timeout=15,
                       json={"username": name, "email": f"{name}@example.com", "password": password})
            assert r.status_code == 201, f"{r.status_code} {r.text[:300]}"
            login = s.post(base + "/api/auth/login", json={"username": name, "password": password}, timeout=15)
            assert login.status_code == 200, f"{login.status_code} {login.text[:300]}"
            token = login.json()["access_token"]
            who = s.get(base + "/api/auth/whoami", headers={"Authorization": f"Bearer {token}"}, timeout=15)
            assert who.status_code == 200 and who.json()["user"]["username"] == name
            name = f"pool{uuid.uuid4().hex[:10]}"
        # nginx did try the stopped backend (and moved on): the failover was exercised.
        errors = (root / "logs" / "error.log").read_text()
        assert f"{run}/1.sock" in errors, f"nginx never tried the stopped backend:\n{errors[-2000:]}"
    finally:
        rc, clean = stop_popen(proc, sig=signal.SIGQUIT)
        try:
            wait_for(lambda: not support.process_group_members(proc.pid), 10, "nginx workers to exit")
        finally:
            for p in support.process_group_members(proc.pid):
                support.kill_quietly(p)
    assert clean and rc == 0, f"nginx exit {rc}: {support.tail(root / 'nginx.out')}"
