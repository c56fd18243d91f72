"""The audit log (LOG_FILE) through nginx: events with request ids and no secrets, and
size-based rotation shared by four worker processes that loses, splits or repeats no line.
"""

from __future__ import annotations

import json
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import support
from api_client import DEFAULT_PASSWORD, SECRET, start_api


def read_events(log_file: Path, backups: int) -> list[dict]:
    """Every line of the log and its backups, oldest first, parsed; a split or interleaved
    line fails to parse."""
    files = [Path(f"{log_file}.{n}") for n in range(backups, 0, -1)] + [log_file]
    events = []
    for path in files:
        if not path.exists():
            continue
        text = path.read_text()
        assert text == "" or text.endswith("\n"), f"{path} ends inside a line"
        events.extend(json.loads(line) for line in text.splitlines())
    return events


def test_events_carry_the_request_id_and_no_secret(stack_factory, short_tmp):
    log_file = short_tmp / "audit.log"
    api = start_api(stack_factory, LOG_FILE=str(log_file), ADMIN_REGISTRATION_KEY="audit-log-admin-registration-key-0001")
    admin = api.new_user(admin_key="audit-log-admin-registration-key-0001")
    alice = api.new_user()
    admin_pair = api.login_as(admin)

    good = api.login({"username": alice.username, "password": alice.password})
    bad = api.login({"username": alice.username, "password": "not the password"})
    promote = api.request("PATCH", f"/api/users/{alice.id}", token=admin_pair.access, body={"role": "ADMIN"})
    assert (good.status_code, bad.status_code, promote.status_code) == (200, 401, 200)

    def event_for(response, name):
        rid = response.headers["X-Request-ID"]
        matches = [e for e in read_events(log_file, 10) if e.get("request_id") == rid and e["event"] == name]
        assert len(matches) == 1, f"{name} for {rid}"
        return matches[0]

    assert event_for(good, "login_succeeded")["user_id"] == alice.id
    failed = event_for(bad, "login_failed")
    assert failed["user_id"] == alice.id and failed["reason"] == "wrong_password"
    changed = event_for(promote, "user_updated")
    assert (changed["user_id"], changed["target_id"], changed["changes"]) == (admin.id, alice.id, {"role": "ADMIN"})
    for event in read_events(log_file, 10):
        assert event["time"].endswith("Z") and event["level"] in {"debug", "info", "warning", "error"}

    text = log_file.read_text()
    tokens = good.json()["access_token"], good.json()["refresh_token"], admin_pair.access
    for secret in (DEFAULT_PASSWORD, "not the password", "audit-log-admin-registration-key-0001", SECRET, *tokens):
        assert secret not in text


def test_four_workers_rotate_without_losing_a_line(stack_factory, short_tmp):
    log_file = short_tmp / "audit.log"
    backups = 50
    api = start_api(
        stack_factory, LOG_FILE=str(log_file), LOG_MAX_BYTES="4096", LOG_BACKUPS=str(backups), FCGI_WORKERS="4",
        FCGI_THREADS="2", LOCKOUT_THRESHOLD="1000")
    supervisor = api.stack.backend_pid()
    support.wait_for(lambda: len(support.children_of(supervisor)) == 4, 20, "4 workers")
    accounts = [api.new_user() for _ in range(4)]

    # Each failed login writes one login_failed line; send them from 8 clients at once.
    attempts = 400

    def fail_login(n: int) -> str:
        client = api.clone()
        account = accounts[n % len(accounts)]
        response = client.login({"username": account.username, "password": f"wrong password {n}"})
        assert response.status_code == 401
        return response.headers["X-Request-ID"]

    with ThreadPoolExecutor(8) as pool:
        request_ids = list(pool.map(fail_login, range(attempts)))

    events = read_events(log_file, backups)
    failures = [e["request_id"] for e in events if e["event"] == "login_failed"]
    assert sorted(failures) == sorted(request_ids), "every failed login logged exactly once"
    pids = {e.get("pid") for e in events if e["event"] == "worker_started"}
    assert len(pids) >= 4
    rotated = sorted(int(p.name.rsplit(".", 1)[1]) for p in short_tmp.glob("audit.log.*") if p.name[-1].isdigit())
    assert len(rotated) >= 5, "at least five rotations"
    assert rotated == list(range(1, len(rotated) + 1)) and len(rotated) <= backups
    for path in [log_file, *(Path(f"{log_file}.{n}") for n in rotated[:-1])]:
        assert path.stat().st_size <= 4096


def test_backups_never_exceed_the_limit(stack_factory, short_tmp):
    log_file = short_tmp / "audit.log"
    api = start_api(stack_factory, LOG_FILE=str(log_file), LOG_MAX_BYTES="600", LOG_BACKUPS="2")
    account = api.new_user()
    for n in range(40):
        api.login({"username": account.username, "password": f"wrong password {n}"})
    assert sorted(p.name for p in short_tmp.glob("audit.log.*") if p.name[-1].isdigit()) == ["audit.log.1", "audit.log.2"]


def test_logrotate_move_and_sighup(stack_factory, short_tmp):
    """What logrotate does: move the file, then SIGHUP. The next line starts a new file and
    the service keeps serving (SIGHUP's default action would have killed it)."""
    log_file = short_tmp / "audit.log"
    api = start_api(stack_factory, LOG_FILE=str(log_file), LOG_MAX_BYTES="0")
    account = api.new_user()
    os.rename(log_file, short_tmp / "audit.log.moved")
    os.kill(api.stack.backend_pid(), signal.SIGHUP)
    rid = api.login({"username": account.username, "password": "wrong password"}).headers["X-Request-ID"]
    support.wait_for(lambda: log_file.exists() and rid in log_file.read_text(), 10, "the new file gets the next line")
    assert rid not in (short_tmp / "audit.log.moved").read_text()
    assert support.pid_alive(api.stack.backend_pid())
    assert api.get("/api/health").status_code == 200
