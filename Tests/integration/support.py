"""Process and HTTP helpers shared by the integration tests.

Every process a test starts is stopped by its PID (SIGTERM, bounded wait, SIGKILL as a
fallback); every wait is a bounded poll.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

REPO_ROOT = Path(__file__).resolve().parents[2]

POLL = 0.02  # poll interval, seconds
START_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
HEX32_RE = re.compile(r"^[0-9a-f]{32}$")

# Secrets only these tests use, so the backend starts whatever its config rules are.
TEST_JWT_SECRET = "integration-test-secret-key-0123456789abcdef"
TEST_MFA_SECRET = "integration-test-mfa-secret-key-0123456789abcdef"


class WaitTimeout(AssertionError):
    pass


def wait_for(predicate, timeout: float, what: str, interval: float = POLL):
    """Poll predicate() until it returns a truthy value; return that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- /proc --------------------------------------------------------------------------

def proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the comm field (index 0 = state), or None."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return data[data.rindex(")") + 2 :].split()


def pid_alive(pid: int) -> bool:
    """True while any thread of the process is alive (a zombie counts as exited).

    The thread-group leader of a killed multi-threaded process can be a zombie while
    its other threads are still on their way out (and one blocked in accept() can
    still take a connection), so every task is checked.
    """
    st = proc_stat(pid)
    if st is None:
        return False
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return False
    for tid in tids:
        try:
            data = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if data[data.rindex(")") + 2] not in ("Z", "X"):
            return True
    return False


def pgid_of(pid: int) -> int | None:
    st = proc_stat(pid)
    return int(st[2]) if st else None


def process_group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is pgid."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        st = proc_stat(int(entry))
        if st and int(st[2]) == pgid and pid_alive(int(entry)):
            members.append(int(entry))
    return sorted(members)


def children_of(pid: int) -> list[int]:
    """Live children of pid, read from /proc/<pid>/task/*/children."""
    kids: set[int] = set()
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return []
    for tid in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        kids.update(int(x) for x in text.split())
    return sorted(k for k in kids if pid_alive(k))


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except FileNotFoundError:
        return "?"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except FileNotFoundError:
        return "?"


def tcp_listening(port: int) -> bool:
    """Is anything listening on this TCP port (any address, v4 or v6)?"""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            parts = line.split()
            local, state = parts[1], parts[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                return True
    return False


def kill_quietly(pid: int, sig=signal.SIGKILL) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def stop_popen(proc: subprocess.Popen, timeout: float = STOP_TIMEOUT, sig=signal.SIGTERM) -> tuple[int, bool]:
    """Signal a child by PID and reap it. Returns (exit code, stopped_without_sigkill)."""
    if proc.poll() is not None:
        return proc.returncode, True
    kill_quietly(proc.pid, sig)
    try:
        return proc.wait(timeout=timeout), True
    except subprocess.TimeoutExpired:
        kill_quietly(proc.pid, signal.SIGKILL)
        return proc.wait(timeout=timeout), False


def wait_pid_gone(pid: int, timeout: float = STOP_TIMEOUT) -> bool:
    try:
        wait_for(lambda: not pid_alive(pid), timeout, f"pid {pid} to exit")
        return True
    except WaitTimeout:
        return False


def tail(path: Path, limit: int = 4000) -> str:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return "<no output file>"
    return data[-limit:].decode(errors="replace")


def base_env(**overrides) -> dict[str, str]:
    """The test process environment without variables that would steer the service."""
    drop_prefixes = ("FCGI_", "RATE_LIMIT_", "HTTP_", "CORS_", "JWT_", "LOG_", "MAIL_")
    drop = {
        "GATEWAY_INTERFACE", "REQUEST_METHOD", "PATH_INFO", "CONTENT_LENGTH", "CONTENT_TYPE",
        "QUERY_STRING", "REQUEST_URI", "SCRIPT_NAME", "SERVER_SOFTWARE", "REMOTE_ADDR",
        "DATABASE_URL", "AUTH_ENV", "RUN_DIR", "AUTH_FCGI_BIN", "LISTEN_FDS", "LISTEN_PID",
        "MAKEFLAGS", "MAKELEVEL", "MFLAGS",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith(drop_prefixes)}
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def database_url(data_dir: Path) -> str:
    """The data dir's database: its SQLite file, or with AUTH_TEST_DATABASE=postgresql its
    own database on the session's PostgreSQL server (pg_support)."""
    import pg_support

    if pg_support.BACKEND == "postgresql":
        assert pg_support.SERVER is not None, "AUTH_TEST_DATABASE=postgresql but no server was started"
        return pg_support.SERVER.url(pg_support.SERVER.database_for(data_dir))
    return f"sqlite:///{Path(data_dir).resolve()}/auth.db"


def service_env(data_dir: Path, **overrides) -> dict[str, str]:
    """Backend configuration that keeps all state inside data_dir (or its database)."""
    env = base_env(
        AUTH_ENV="development",
        JWT_SECRET_KEY=TEST_JWT_SECRET,
        MFA_SECRET_KEY=TEST_MFA_SECRET,
        DATABASE_URL=overrides.get("DATABASE_URL") or database_url(data_dir),
    )
    env.update({k: str(v) for k, v in overrides.items()})
    return env


# --- HTTP assertions ------------------------------------------------------------------

def header_values(resp: requests.Response, name: str) -> list[str]:
    return resp.raw.headers.getlist(name)


def media_type(resp) -> str:
    value = resp.headers.get("Content-Type") if isinstance(resp, requests.Response) else resp.header("Content-Type")
    return (value or "").split(";")[0].strip().lower()


def assert_problem(resp, status: int, code: str) -> dict:
    """A problem+json response of the contract's shape; returns the body."""
    if isinstance(resp, requests.Response):
        got_status, body_bytes = resp.status_code, resp.content
        rid = header_values(resp, "X-Request-ID")
    else:  # fcgi_client.CgiResponse
        got_status, body_bytes = resp.status, resp.body
        rid = resp.header_values("X-Request-ID")
    assert got_status == status, f"expected {status}, got {got_status}: {body_bytes[:500]!r}"
    assert media_type(resp) == "application/problem+json", f"Content-Type {media_type(resp)!r}"
    body = json.loads(body_bytes)
    assert body.get("status") == status, body
    assert body.get("code") == code, body
    for key in ("type", "title", "detail"):
        assert isinstance(body.get(key), str) and body[key], f"problem field {key!r} missing: {body}"
    assert len(rid) == 1 and REQUEST_ID_RE.match(rid[0]), f"X-Request-ID headers: {rid}"
    return body


# --- nginx --------------------------------------------------------------------------------

def private_nginx_conf(root: Path, http: str, user: str | None = None) -> str:
    """A whole nginx.conf for an nginx of its own under root (pid, error log and temp files
    there, in the foreground) with `http` in its http block; workers run as `user` when
    given (only root may). One worker per core, as Debian's nginx.conf and `make run` run."""
    temp = "\n".join(f'    {name}_temp_path "{root}/tmp/{name}";'
                     for name in ("client_body", "fastcgi", "proxy", "scgi", "uwsgi"))
    return f"""
{f"user {user};" if user else ""}
worker_processes auto;
daemon off;
master_process on;
pid "{root}/nginx.pid";
error_log "{root}/logs/error.log" warn;
events {{ worker_connections 256; }}
http {{
{temp}
{http}
}}
"""


# --- systemd units --------------------------------------------------------------------

def systemd_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as section -> key -> values, in order (comments and blank lines dropped)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key, []).append(value)
    return sections


# --- the backend, started directly ----------------------------------------------------

class Backend:
    """auth-fcgi started directly on a unix socket in a temp dir."""

    def __init__(self, binary: Path, workdir: Path, args: list[str] | None = None, env: dict | None = None):
        self.binary = Path(binary)
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.socket_path = str(self.workdir / "b.sock")
        self.args = args or []
        self.env = service_env(self.workdir, **(env or {}))
        self.stdout_path = self.workdir / "backend.stdout"
        self.stderr_path = self.workdir / "backend.stderr"
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def start(self, timeout: float = START_TIMEOUT) -> "Backend":
        cmd = [str(self.binary), "serve", "--listen", f"unix:{self.socket_path}", *self.args]
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=self.env, cwd=self.workdir)
        wait_for(self._ready, timeout, f"backend to accept on {self.socket_path}")
        # The readiness probes connected and hung up at once; the backend takes such a
        # connection and closes it a moment later. Tests that count the backend's sockets
        # start once only the listening socket is left.
        wait_for(lambda: all(socket_fd_count(p) == 1 for p in [self.pid, *children_of(self.pid)]), timeout,
                 "the backend to close the readiness probe's connection")
        return self

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(
                f"backend exited with {self.proc.returncode} during start-up; stderr:\n{tail(self.stderr_path)}"
            )
        return connectable(self.socket_path)

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        if self.proc is None:
            return 0
        rc, clean = stop_popen(self.proc, timeout)
        assert clean, f"backend pid {self.proc.pid} ignored SIGTERM for {timeout}s (SIGKILLed)"
        return rc

    def stderr(self) -> str:
        return tail(self.stderr_path)


def connectable(address) -> bool:
    family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.connect(address)
        return True
    except (FileNotFoundError, ConnectionRefusedError, ConnectionResetError, socket.timeout, OSError):
        return False
    finally:
        s.close()


# --- the whole stack: scripts/serve-local (nginx + backend) --------------------------

class Stack:
    """scripts/serve-local with a temp RUN_DIR and a free HTTP_PORT."""

    def __init__(self, run_dir: Path, binary: Path, env: dict | None = None, command: list[str] | None = None):
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.output_path = self.run_dir.parent / (self.run_dir.name + ".serve-local.out")
        self.command = command or [str(REPO_ROOT / "scripts" / "serve-local")]
        self.env = service_env(
            self.run_dir,
            HTTP_PORT=self.port,
            RUN_DIR=self.run_dir,
            AUTH_FCGI_BIN=binary,
            # Tests read nginx's access log right after their requests: each line written
            # as its request ends (`make run` buffers it).
            NGINX_ACCESS_LOG_BUFFER="off",
        )
        self.env.update({k: str(v) for k, v in (env or {}).items()})
        self.proc: subprocess.Popen | None = None
        self.pgid: int | None = None
        self._stopped = False

    def start(self, timeout: float = START_TIMEOUT) -> "Stack":
        script = Path(self.command[0])
        assert script.exists(), f"{script} does not exist"
        assert os.access(script, os.X_OK), f"{script} is not executable"
        with open(self.output_path, "wb") as out:
            self.proc = subprocess.Popen(
                self.command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                env=self.env, cwd=REPO_ROOT, start_new_session=True,
            )
        self.pgid = self.proc.pid
        try:
            wait_for(self._healthy, timeout, f"GET {self.base_url}/api/health == 200 through nginx")
        except BaseException:
            self.stop(check=False)
            raise
        return self

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"serve-local exited with {self.proc.returncode} before it was ready:\n{self.output()}")
        try:
            return requests.get(self.base_url + "/api/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def output(self) -> str:
        return tail(self.output_path)

    @property
    def backend_pid_file(self) -> Path:
        return self.run_dir / "run" / "backend.pid"

    def backend_pid(self) -> int:
        text = wait_for(lambda: self.backend_pid_file.exists() and self.backend_pid_file.read_text().strip(),
                        5, f"{self.backend_pid_file}")
        return int(text)

    def members(self) -> list[int]:
        return process_group_members(self.pgid)

    def nginx_pids(self) -> list[int]:
        return [p for p in self.members() if comm(p) == "nginx"]

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self, timeout: float = STOP_TIMEOUT, check: bool = True) -> int | None:
        """SIGTERM serve-local; assert it exits 0 and leaves no process of its group."""
        if self.proc is None or self._stopped:
            return None
        self._stopped = True
        rc, clean = stop_popen(self.proc, timeout)
        leftovers = []
        try:
            wait_for(lambda: not self.members(), timeout, "serve-local's process group to exit")
        except WaitTimeout:
            leftovers = [(p, cmdline(p)) for p in self.members()]
            for p, _ in leftovers:
                kill_quietly(p)
        if check:
            assert clean, f"serve-local ignored SIGTERM for {timeout}s (SIGKILLed); output:\n{self.output()}"
            assert not leftovers, f"processes left after serve-local stopped: {leftovers}"
            assert rc == 0, f"serve-local exited {rc} on SIGTERM; output:\n{self.output()}"
        return rc


def serve_local_refusal(auth_bin: Path, run_dir: Path, **env) -> list[str]:
    """Runs scripts/serve-local with env on top of the service environment, expecting it to
    refuse to start: asserts it exits 2 (fails the test if it starts instead) and returns
    the non-empty lines of its stderr."""
    proc = subprocess.Popen(
        [str(REPO_ROOT / "scripts" / "serve-local")], cwd=REPO_ROOT,
        env=service_env(run_dir, RUN_DIR=run_dir, HTTP_PORT=free_port(), AUTH_FCGI_BIN=auth_bin, **env),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        stop_popen(proc)
        raise AssertionError(f"serve-local started with {env!r}")
    lines = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
    assert proc.returncode == 2, (proc.returncode, lines)
    return lines

def socket_fd_count(pid: int) -> int:
    """How many sockets the process has open (grows by one when it accepts a connection).
    Connections to the session's PostgreSQL server don't count: they come and go with the
    backend's database use, not with its clients."""
    import pg_support

    database_sockets = pg_support.SERVER.client_socket_inodes() if pg_support.SERVER else set()
    n = 0
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except FileNotFoundError:
        return 0
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:") and target not in database_sockets:
            n += 1
    return n


EXIT_RECORDER = """#!/bin/bash
# Test helper used as AUTH_FCGI_BIN: runs the real backend as a child, records its pid
# and exit code (the backend is serve-local's child, so the test can't reap it), and
# forwards SIGTERM/SIGINT to it. When the backend exits without this wrapper having
# been signalled (a test stopped the backend itself), the wrapper stays until it is
# signalled, so serve-local keeps nginx running with the backend down.
"$REAL_AUTH_FCGI_BIN" "$@" <&0 &
child=$!
signalled=0
echo "$child" > "$EXIT_RECORD_DIR/real.pid"
trap 'signalled=1; kill -TERM "$child" 2>/dev/null' TERM
trap 'signalled=1; kill -INT "$child" 2>/dev/null' INT
while :; do
    wait "$child"
    rc=$?
    kill -0 "$child" 2>/dev/null || break
done
echo "$rc" > "$EXIT_RECORD_DIR/real.rc.tmp" && mv "$EXIT_RECORD_DIR/real.rc.tmp" "$EXIT_RECORD_DIR/real.rc"
if [ "$signalled" = 0 ]; then
    sleep 3600 &
    sleeper=$!
    trap 'kill "$sleeper" 2>/dev/null; exit "$rc"' TERM INT
    wait "$sleeper"
fi
exit "$rc"
"""


class BackendWrapper:
    """AUTH_FCGI_BIN for serve-local that records the real backend's pid and exit code
    and keeps serve-local (and so nginx) running when a test stops the backend."""

    def __init__(self, directory: Path, real_binary: Path):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / "auth-fcgi-wrapper"
        self.path.write_text(EXIT_RECORDER)
        self.path.chmod(0o755)
        self.env = {"REAL_AUTH_FCGI_BIN": str(real_binary), "EXIT_RECORD_DIR": str(self.dir)}

    def real_pid(self) -> int:
        f = self.dir / "real.pid"
        return int(wait_for(lambda: f.exists() and f.read_text().strip(), 5, str(f)))

    def exit_code(self, timeout: float = STOP_TIMEOUT) -> int:
        f = self.dir / "real.rc"
        return int(wait_for(lambda: f.exists() and f.read_text().strip(), timeout, "the backend's exit code"))


class SourceAddressAdapter(HTTPAdapter):
    """Connections from a given loopback address (127.0.0.0/8 is all loopback), e.g. to stay
    within nginx's per-client-address rate limits."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)
