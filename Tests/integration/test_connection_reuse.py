"""Connection reuse between nginx and the backend (issue 22), through real nginx with the
shipped snippets (`fastcgi_keep_conn on`, upstream `keepalive 32`) via scripts/serve-local.

- nginx reuses its backend connections: many sequential requests, few connections; with
  NGINX_FASTCGI_KEEP_CONN=off no connection outlives its request;
- idle kept connections pin no backend thread: more of them than threads, and requests
  are still answered at once;
- a worker SIGKILLed with kept connections: idle, no GET is lost (nginx drops or retries a
  connection to the dead worker); under load, the failures are the requests in flight on
  it, POSTs fail only as 503 `backend_unavailable` and are never written twice;
- SIGTERM with logins in flight on kept connections: each completes, the backend exits 0
  and closes its idle kept connections, so nginx answers 503 at once rather than hang.

Backend connections are counted from /proc: the unix sockets the backend processes hold
that are bound to its listening path (/proc/net/unix) and are not the listener itself.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

import support
from api_client import Api, Account, assert_json, auth_env, unique
from support import assert_problem, children_of, wait_for

TIMEOUT = 10  # seconds, every request: the old one-connection-per-thread server hangs past it
# Logins that overlap: the default cost (a login hashes for ~45 ms on the 2-core machine),
# no rate limit (simultaneous logins beyond limit_req's burst get 429) and a lockout
# threshold above the simultaneous logins of one account (each counts as a failure until
# its hash matches: 423 past 5).
HASHED = {"PASSWORD_COST": "5", "RATE_LIMIT_LOGIN": "off", "LOCKOUT_THRESHOLD": "100"}


# --- helpers ------------------------------------------------------------------------------

def socket_path(stack: support.Stack) -> str:
    return os.path.realpath(stack.run_dir / "run" / "auth-fcgi.sock")


def backend_processes(stack: support.Stack) -> list[int]:
    """The backend and its workers (with FCGI_WORKERS)."""
    pid = stack.backend_pid()
    return [pid, *children_of(pid)]


def accepted_inodes(path: str) -> set[int]:
    """Inodes of the connections accepted on the unix socket at path (not the listener,
    whose flags carry __SO_ACCEPTCON)."""
    inodes = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) == 8 and fields[7] == path and not int(fields[3], 16) & 0x10000:
            inodes.add(int(fields[6]))
    return inodes


def held_connections(stack: support.Stack, pids: list[int] | None = None) -> dict[int, set[int]]:
    """pid -> the inodes of the FastCGI connections that backend process holds open."""
    accepted = accepted_inodes(socket_path(stack))
    held = {}
    for pid in pids or backend_processes(stack):
        inodes = set()
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except FileNotFoundError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:[") and int(target[8:-1]) in accepted:
                inodes.add(int(target[8:-1]))
        held[pid] = inodes
    return held


def all_held(stack: support.Stack) -> set[int]:
    return set().union(*held_connections(stack).values())


def burst(n: int, call) -> list:
    """call(i) for i in 0..n-1 on n threads released together; the results in order."""
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait(timeout=TIMEOUT)
        return call(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def login(stack: support.Stack, account: Account) -> requests.Response:
    return requests.post(stack.url("/api/auth/login"), json={"username": account.username,
                                                             "password": account.password}, timeout=TIMEOUT)


def assert_logged_in(r: requests.Response) -> None:
    """A whole login answer: 200 and the JSON body with both tokens."""
    body = assert_json(r, 200)
    assert body.get("access_token") and body.get("refresh_token"), body


def nginx_workers(stack: support.Stack) -> int:
    return len(stack.nginx_pids()) - 1  # the master's workers


def kill_and_wait(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    assert support.wait_pid_gone(pid, 10), f"worker {pid} survived SIGKILL"


def runnable_threads(pid: int) -> int:
    """Threads of pid that are running or waiting for a core (state R): hashing a password,
    for a login (HashingSlots lets one per core hash at a time, the others sleep)."""
    count = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue
        count += stat[stat.rindex(")") + 2] == "R"
    return count


# --- reuse happens ---------------------------------------------------------------------------

def test_sequential_requests_share_few_backend_connections(stack_factory):
    """40 requests one after another: the backend holds a connection between them (nginx
    cached it) and sees no more connections than nginx has workers."""
    st = stack_factory()
    seen: set[int] = set()
    with requests.Session() as http:
        for i in range(40):
            r = http.get(st.url("/api/health"), timeout=TIMEOUT)
            assert r.status_code == 200, r.text
            held = all_held(st)
            assert held, f"request {i}: the backend holds no connection after the answer (none kept)"
            seen |= held
    assert len(seen) <= nginx_workers(st), f"{len(seen)} backend connections for 40 sequential requests"


def test_without_reuse_each_request_has_its_own_connection(stack_factory):
    """NGINX_FASTCGI_KEEP_CONN=off (scripts/bench's comparison): each connection is closed
    once its request is answered, so the next request needs a new one."""
    st = stack_factory(env={"NGINX_FASTCGI_KEEP_CONN": "off"})
    with requests.Session() as http:
        for i in range(10):
            assert http.get(st.url("/api/health"), timeout=TIMEOUT).status_code == 200
            wait_for(lambda: not all_held(st), 5, f"request {i}'s backend connection to be closed")


# --- idle kept connections pin no thread -------------------------------------------------------

def test_idle_kept_connections_pin_no_thread(stack_factory):
    """A backend with 2 threads; 16 simultaneous logins make nginx open (and then cache) a
    connection each. With at least 8 of them idle and kept, requests are still answered at
    once, and another burst too. (The one-connection-per-thread server hangs here: each
    idle kept connection held a thread.)"""
    st = stack_factory(env=auth_env(FCGI_THREADS=2, **HASHED))
    account = Api(st).new_user()
    for r in burst(16, lambda _: login(st, account)):
        assert_logged_in(r)
    idle = all_held(st)
    assert len(idle) >= 8, f"only {len(idle)} kept connections after 16 simultaneous logins"

    with requests.Session() as http:
        for _ in range(20):
            started = time.monotonic()
            assert http.get(st.url("/api/health"), timeout=TIMEOUT).status_code == 200
            assert time.monotonic() - started < 2, "a request waited for a thread"
    for r in burst(16, lambda _: requests.get(st.url("/api/health"), timeout=TIMEOUT)):
        assert r.status_code == 200, r.text


# --- a worker SIGKILLed -----------------------------------------------------------------------

def test_worker_killed_while_idle_loses_no_get(stack_factory):
    """Two workers holding kept connections; one SIGKILLed while they are idle; then every
    GET succeeds: nginx drops a cached connection whose backend closed it, and a request
    that fails on a cached connection is retried on a new one."""
    st = stack_factory(env=auth_env(FCGI_WORKERS=2, **HASHED))
    supervisor = st.backend_pid()
    wait_for(lambda: len(children_of(supervisor)) == 2, 15, "2 workers")
    api = Api(st)
    account = api.new_user()
    token = api.login_as(account).access

    # Logins overlap (~45 ms of hashing each), so nginx opens and caches many connections.
    def warm():
        for r in burst(16, lambda _: login(st, account)):
            assert_logged_in(r)
        held = held_connections(st, children_of(supervisor))
        return len(held) == 2 and all(held.values()) and held

    held = wait_for(warm, 30, "both workers to hold kept connections", interval=0)
    victim = max(held, key=lambda pid: len(held[pid]))
    kill_and_wait(victim)

    def whoami(_):
        with requests.Session() as http:
            return [http.get(st.url("/api/auth/whoami"), headers={"Authorization": f"Bearer {token}"},
                             timeout=TIMEOUT) for _ in range(4)]

    answers = [r for rs in burst(16, whoami) for r in rs]
    with requests.Session() as http:
        answers += [http.get(st.url("/api/health"), timeout=TIMEOUT) for _ in range(20)]
    failed = [(r.status_code, r.text[:200]) for r in answers if r.status_code != 200]
    assert not failed, f"{len(failed)} of {len(answers)} GETs failed after worker {victim} " \
                       f"({len(held[victim])} kept connections) was killed: {failed[:3]}"


def test_worker_killed_under_load(stack_factory):
    """GETs (whoami) and POSTs (registrations) stream while a worker is SIGKILLed. Failed
    GETs are at most the requests in flight on that worker (its 4 threads); a POST fails
    only as 503 backend_unavailable (nginx never sends it twice: no 409 of a second
    attempt), and every registration answered 201 is stored once."""
    threads_per_worker = 4
    st = stack_factory(env=auth_env(FCGI_WORKERS=2, FCGI_THREADS=threads_per_worker))
    supervisor = st.backend_pid()
    wait_for(lambda: len(children_of(supervisor)) == 2, 15, "2 workers")
    api = Api(st)
    token = api.login_as(api.new_user()).access
    stop = threading.Event()
    outcomes: list[tuple[str, requests.Response | str, str]] = []  # kind, answer or error, username
    lock = threading.Lock()

    def getter():
        with requests.Session() as http:
            while not stop.is_set():
                try:
                    r = http.get(st.url("/api/auth/whoami"), headers={"Authorization": f"Bearer {token}"},
                                 timeout=TIMEOUT)
                    item = ("GET", r, "")
                except requests.RequestException as e:
                    item = ("GET", repr(e), "")
                with lock:
                    outcomes.append(item)

    def poster():
        with requests.Session() as http:
            while not stop.is_set():
                name = unique("ka")
                try:
                    r = http.post(st.url("/api/auth/register"), timeout=TIMEOUT,
                                  json={"username": name, "email": f"{name}@example.com", "password": "reuse pw 1"})
                    item = ("POST", r, name)
                except requests.RequestException as e:
                    item = ("POST", repr(e), name)
                with lock:
                    outcomes.append(item)

    clients = [threading.Thread(target=getter) for _ in range(6)] + [threading.Thread(target=poster) for _ in range(2)]
    for t in clients:
        t.start()
    try:
        wait_for(lambda: len(outcomes) >= 300, 30, "300 answers before the kill")
        victim = max(held_connections(st, children_of(supervisor)).items(), key=lambda kv: len(kv[1]))[0]
        kill_and_wait(victim)
        wait_for(lambda: len(children_of(supervisor)) == 2 and victim not in children_of(supervisor), 15,
                 f"a worker to replace {victim}")
        after = len(outcomes)
        wait_for(lambda: len(outcomes) >= after + 300, 30, "300 answers after the respawn")
    finally:
        stop.set()
        for t in clients:
            t.join(timeout=TIMEOUT + 5)

    expected = {"GET": 200, "POST": 201}
    failed = [(kind, answer) for kind, answer, _ in outcomes
              if not isinstance(answer, requests.Response) or answer.status_code != expected[kind]]
    for kind, answer in failed:
        assert isinstance(answer, requests.Response), f"{kind}: no answer: {answer}"
        assert_problem(answer, 503, "backend_unavailable")  # nginx's, for a dead backend
    assert len(failed) <= threads_per_worker, f"{len(failed)} requests failed: {failed}"
    stored = [name for kind, answer, name in outcomes
              if kind == "POST" and isinstance(answer, requests.Response) and answer.status_code == 201]
    assert stored, "no registration succeeded"
    rows = api.db.query("SELECT username FROM users WHERE username LIKE 'ka%'")
    names = [row[0] for row in rows]
    assert len(names) == len(set(names))
    missing = set(stored) - set(names)
    assert not missing, f"registrations answered 201 but not stored: {sorted(missing)[:5]}"
    print(f"{len(outcomes)} requests, {len(failed)} failed (503) around the SIGKILL of worker {victim}")


# --- graceful stop -----------------------------------------------------------------------------

def test_sigterm_with_logins_in_flight_on_kept_connections(short_tmp, auth_bin, stack_factory):
    """Logins in flight on kept connections when the backend gets SIGTERM: each completes
    200 with its whole body, the backend exits 0, and it closes its idle kept connections:
    the next requests get nginx's 503 backend_unavailable at once, no hang."""
    # As many logins as the backend hashes at once (one per core), each ~100 ms at cost 7:
    # all of them are seen hashing before the SIGTERM.
    in_flight_logins = min(os.cpu_count() or 1, 4)
    wrapper = support.BackendWrapper(short_tmp / "wrapper", auth_bin)
    st = stack_factory(binary=wrapper.path,
                       env={**wrapper.env, **auth_env(FCGI_THREADS=8, **{**HASHED, "PASSWORD_COST": "7"})})
    pid = wrapper.real_pid()
    account = Api(st).new_user()
    for r in burst(8, lambda _: login(st, account)):
        assert_logged_in(r)
    kept = all_held(st)
    assert len(kept) >= 2, f"{len(kept)} kept connections after 8 simultaneous logins"

    answered: list[tuple[float, requests.Response | str]] = []

    def login_in_flight(_):
        try:
            r = login(st, account)
        except requests.RequestException as e:
            r = repr(e)
        answered.append((time.monotonic(), r))

    in_flight = threading.Thread(target=burst, args=(in_flight_logins, login_in_flight))
    in_flight.start()
    try:
        wait_for(lambda: runnable_threads(pid) >= in_flight_logins or len(answered) == in_flight_logins, TIMEOUT,
                 f"{in_flight_logins} logins hashing in the backend")
        term = time.monotonic()
        os.kill(pid, signal.SIGTERM)
    finally:
        in_flight.join(timeout=TIMEOUT + 5)
    assert len(answered) == in_flight_logins
    for _, r in answered:
        assert isinstance(r, requests.Response), r
        assert_logged_in(r)
    assert all(at > term for at, _ in answered), "a login was answered before the SIGTERM: not in flight"
    assert wrapper.exit_code() == 0

    # nginx's kept connections are gone with the backend: an answer, not a wait.
    with requests.Session() as http:
        for _ in range(len(kept) + 2):
            started = time.monotonic()
            r = http.get(st.url("/api/health"), timeout=TIMEOUT)
            assert_problem(r, 503, "backend_unavailable")
            assert time.monotonic() - started < 2, "nginx waited on a connection of the stopped backend"
