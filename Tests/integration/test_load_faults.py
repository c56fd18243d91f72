"""Load with faults (issue 9, item 3), loopback only and bounded in count and time.

A mixed workload (register, login, whoami, refresh, list as admin, PATCH own names,
logout) from LOAD_THREADS client threads runs for LOAD_SECONDS against a stack with
FCGI_WORKERS=2, while the test SIGKILLs one worker every KILL_INTERVAL seconds (the
supervisor starts a new one). Then:
- no 5xx except 503 backend_unavailable (nginx's answer to a 502/503/504) on requests that
  were in flight while a worker was being killed; no other unexpected status, no hang;
- every registration answered 201 is in the database, and PRAGMA integrity_check is ok;
- after a stop and start of the whole stack on the same RUN_DIR (database) and JWT
  secret, logged-out tokens stay revoked and kept sessions still work and refresh.

`make test`: 16 threads, 12 s, a kill every 3.5 s (3 kills). AUTH_SOAK=1 (`make soak`): 128 threads,
60 s, a kill every 10 s. Each client thread connects from its own 127.0.0.x address, so
nginx's per-address login rate limit (burst 10) never answers 429.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field

import requests

import support
from api_client import Api, Pair, assert_json, assert_unauthorized, auth_env, unique
from support import SourceAddressAdapter

SOAK = os.environ.get("AUTH_SOAK") == "1"
LOAD_THREADS = int(os.environ.get("LOAD_THREADS") or (128 if SOAK else 16))
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS") or (60 if SOAK else 12))
KILL_INTERVAL = float(os.environ.get("KILL_INTERVAL") or (10 if SOAK else 3.5))
TIMEOUT = 15  # seconds, every request
# A 503 counts as "in flight on a killed worker" when its request overlapped the kill
# (from SIGKILL until the process was gone), give or take this much clock slack.
SLACK = 0.25
ADMIN_KEY = "load-faults-admin-registration-key"
PASSWORD = "load test password 1"


@dataclass
class Outcome:
    endpoint: str
    status: int | None  # None: no answer (exception)
    started: float
    ended: float
    detail: str = ""


@dataclass
class ClientLog:
    outcomes: list[Outcome] = field(default_factory=list)
    registered: list[tuple[int, str]] = field(default_factory=list)  # (id, username) answered 201
    logged_out: list[Pair] = field(default_factory=list)              # logout answered 204
    kept: list[tuple[int, Pair]] = field(default_factory=list)        # (user id, live pair)


class Client:
    """One client thread's mixed workload until the deadline."""

    def __init__(self, index: int, base_url: str, admin_token: str, deadline: float, log: ClientLog):
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.mount("http://", SourceAddressAdapter(f"127.0.{1 + index // 200}.{10 + index % 200}"))
        self.base = base_url
        self.admin_token = admin_token
        self.deadline = deadline
        self.log = log
        self.index = index

    def call(self, endpoint: str, method: str, path: str, expect: int, token: str | None = None, body=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        started = time.monotonic()
        try:
            r = self.http.request(method, self.base + path, json=body, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as e:
            self.log.outcomes.append(Outcome(endpoint, None, started, time.monotonic(), repr(e)[:300]))
            return None
        ended = time.monotonic()
        detail = ""
        if r.status_code != expect:
            detail = r.text[:300]
            if r.status_code == 503:
                is_problem = r.headers.get("Content-Type", "").startswith("application/problem+json")
                if not (is_problem and r.json().get("code") == "backend_unavailable"):
                    detail = "NOT backend_unavailable: " + detail
        self.log.outcomes.append(Outcome(endpoint, r.status_code, started, ended, detail))
        return r if r.status_code == expect else None

    def run(self) -> None:
        n = 0
        while time.monotonic() < self.deadline:
            n += 1
            name = unique(f"l{self.index}x")
            r = self.call("register", "POST", "/api/auth/register", 201,
                          body={"username": name, "email": f"{name}@example.com", "password": PASSWORD})
            if r is None:
                continue
            user_id = r.json()["user"]["id"]
            self.log.registered.append((user_id, name))
            r = self.call("login", "POST", "/api/auth/login", 200, body={"username": name, "password": PASSWORD})
            if r is None:
                continue
            pair = Pair(r.json())
            if self.call("whoami", "GET", "/api/auth/whoami", 200, token=pair.access) is None:
                continue
            r = self.call("refresh", "POST", "/api/auth/refresh", 200, token=pair.refresh)
            if r is None:
                continue
            pair = Pair(r.json())
            self.call("update", "PATCH", f"/api/users/{user_id}", 200, token=pair.access,
                      body={"first_name": f"F{n}", "last_name": f"L{self.index}"})
            self.call("list", "GET", f"/api/users?per_page=5&q={name}", 200, token=self.admin_token)
            if n % 4 == 0:  # keep every fourth session alive for the restart check
                self.log.kept.append((user_id, pair))
                continue
            if self.call("logout", "POST", "/api/auth/logout", 204, token=pair.access) is not None:
                self.log.logged_out.append(pair)


def kill_workers(supervisor: int, until: float, interval: float, kills: list[tuple[float, float, int]]) -> None:
    """Every `interval` s until `until`: SIGKILL one worker, wait for it to be gone, then for
    its replacement (two workers again)."""
    rng = random.Random(9)
    next_kill = time.monotonic() + interval
    while True:
        now = time.monotonic()
        if next_kill > until - 0.5:
            return
        time.sleep(max(0.0, min(next_kill - now, 0.05)))
        if time.monotonic() < next_kill:
            continue
        def two_workers():
            workers = support.children_of(supervisor)
            return len(workers) == 2 and workers

        workers = support.wait_for(two_workers, 15, f"supervisor {supervisor} to have 2 workers")
        victim = rng.choice(workers)
        started = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        assert support.wait_pid_gone(victim, 10), f"worker {victim} survived SIGKILL"
        kills.append((started, time.monotonic(), victim))
        support.wait_for(lambda: (w := two_workers()) and victim not in w, 15, f"a worker to replace {victim}")
        next_kill += interval


def test_mixed_load_with_worker_kills_then_restart(stack_factory, auth_bin):
    env = auth_env(FCGI_WORKERS=2, ADMIN_REGISTRATION_KEY=ADMIN_KEY)
    stack = stack_factory(env=env)
    api = Api(stack)
    admin = api.new_user(admin_key=ADMIN_KEY)
    admin_pair = api.login_as(admin)
    supervisor = stack.backend_pid()

    logs = [ClientLog() for _ in range(LOAD_THREADS)]
    started = time.monotonic()
    deadline = started + LOAD_SECONDS
    clients = [Client(i, stack.base_url, admin_pair.access, deadline, logs[i]) for i in range(LOAD_THREADS)]
    errors: list[BaseException] = []

    def guarded(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # reported below, after every thread has stopped
                errors.append(e)
        return run

    threads = [threading.Thread(target=guarded(c.run), name=f"client-{i}", daemon=True) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    kills: list[tuple[float, float, int]] = []
    try:
        kill_workers(supervisor, deadline, KILL_INTERVAL, kills)
    finally:
        for t in threads:
            t.join(timeout=max(1.0, deadline - time.monotonic()) + 2 * TIMEOUT)
    elapsed = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "a client thread hangs"
    assert not errors, errors

    outcomes = [o for log in logs for o in log.outcomes]
    registered = [r for log in logs for r in log.registered]
    by_status: dict[int | None, int] = {}
    for o in outcomes:
        by_status[o.status] = by_status.get(o.status, 0) + 1

    def overlaps_kill(o: Outcome) -> bool:
        return any(o.started <= k_end + SLACK and o.ended >= k_start - SLACK for k_start, k_end, _ in kills)

    expected = {"register": 201, "login": 200, "whoami": 200, "refresh": 200, "update": 200, "list": 200,
                "logout": 204}
    unavailable = [o for o in outcomes if o.status == 503 and not o.detail.startswith("NOT ")]
    stray_503 = [o for o in unavailable if not overlaps_kill(o)]
    unexpected = [o for o in outcomes if o.status != expected[o.endpoint] and o not in unavailable]
    summary = (f"{len(outcomes)} requests in {elapsed:.1f}s from {LOAD_THREADS} threads, {len(kills)} kills, "
               f"statuses {by_status}, 503 in flight on a killed worker: {len(unavailable)}, "
               f"201 registrations: {len(registered)}")
    print(summary)
    assert len(kills) >= max(1, int(LOAD_SECONDS / KILL_INTERVAL) - 1), (kills, summary)
    assert not unexpected, f"{summary}\nunexpected answers: {unexpected[:20]}"
    assert not stray_503, (f"{summary}\n503 away from any kill: {stray_503[:20]}\n"
                           f"kills: {[(round(a - started, 2), round(b - started, 2)) for a, b, _ in kills]}")
    # Few: at most one request in flight per client thread at each kill.
    assert len(unavailable) <= len(kills) * LOAD_THREADS, summary
    assert len(registered) >= LOAD_THREADS, summary
    assert support.pid_alive(supervisor) and len(support.children_of(supervisor)) == 2

    # Every 201 registration is stored; the database file is sound.
    db = api.db
    stored = {row[0]: row[1] for row in db.query("SELECT id, username FROM users")}
    missing = [(uid, name) for uid, name in registered if stored.get(uid) != name]
    assert not missing, f"{len(missing)} registrations answered 201 are missing: {missing[:10]}"
    if not db.postgres:
        assert db.query("PRAGMA integrity_check") == [("ok",)]

    # Restart the whole stack on the same RUN_DIR and secret.
    logged_out = [p for log in logs for p in log.logged_out]
    kept = [k for log in logs for k in log.kept]
    assert logged_out and kept, summary
    rng = random.Random(1)
    logged_out = rng.sample(logged_out, min(50, len(logged_out)))
    kept = rng.sample(kept, min(50, len(kept)))
    stack.stop()
    second = support.Stack(stack.run_dir, auth_bin, env=env)
    try:
        second.start()
        api = Api(second)
        for pair in logged_out:
            assert_unauthorized(api.whoami(pair.access), "token_revoked")
            assert_unauthorized(api.refresh(pair.refresh), "token_revoked")
        for user_id, pair in kept:
            assert api.whoami_ok(pair.access)["id"] == user_id
            fresh = Pair(assert_json(api.refresh(pair.refresh), 200))
            assert api.whoami_ok(fresh.access)["id"] == user_id
        assert api.whoami_ok(admin_pair.access)["id"] == admin.id
        if not db.postgres:
            assert api.db.query("PRAGMA integrity_check") == [("ok",)]
    finally:
        second.stop()
