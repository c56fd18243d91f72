"""SIGTERM/SIGINT: stop accepting at once, finish in-flight requests, exit 0."""

import os
import signal
import sqlite3
import threading
import time

import pytest
import requests

import fcgi_client
import support
from fcgi_client import FcgiConnection, standard_params
from smtp_server import FileMailbox
from support import assert_problem, connectable, wait_for

HEALTH = {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_idle_backend_exits_0(backend, sig):
    assert fcgi_client.get(backend.socket_path).status == 200
    os.kill(backend.pid, sig)
    assert backend.proc.wait(timeout=10) == 0, backend.stderr()


def test_in_flight_request_completes_after_sigterm(backend):
    """Half a body sent, SIGTERM, listener closed, rest of the body sent: a full 200."""
    body = b'{"pad":"' + b"x" * 4000 + b'"}'
    half = len(body) // 2
    sockets_before = support.socket_fd_count(backend.pid)
    conn = FcgiConnection(backend.socket_path, timeout=15)
    try:
        conn.start(standard_params("GET", "/api/health", body_length=len(body),
                                   content_type="application/json", request_id="inflight-1"), body[:half])
        wait_for(lambda: support.socket_fd_count(backend.pid) > sockets_before, 10,
                 "the backend to accept the FastCGI connection")
        assert not conn.readable_within(0.2), "backend answered before the body was complete"

        os.kill(backend.pid, signal.SIGTERM)
        wait_for(lambda: not connectable(backend.socket_path), 10,
                 "the listening socket to refuse new connections after SIGTERM")
        assert backend.proc.poll() is None, "backend exited with a request in flight"

        conn.send_stdin(body[half:])
        conn.end_stdin()
        resp = conn.read_response(timeout=15)
    finally:
        conn.close()
    assert resp.status == 200, resp
    assert resp.json() == HEALTH
    assert resp.header("X-Request-ID") == "inflight-1"
    assert resp.protocol_status == fcgi_client.FCGI_REQUEST_COMPLETE
    assert backend.proc.wait(timeout=15) == 0, backend.stderr()


def test_several_in_flight_requests_complete(backend_factory):
    """Three requests paused mid-body on a 4-thread backend all finish after SIGTERM."""
    b = backend_factory(env={"FCGI_THREADS": "4"})
    body = b'{"pad":"' + b"y" * 1000 + b'"}'
    conns = []
    base = support.socket_fd_count(b.pid)
    try:
        for i in range(3):
            c = FcgiConnection(b.socket_path, timeout=15)
            conns.append(c)
            c.start(standard_params("GET", "/api/health", body_length=len(body), request_id=f"multi-{i}"), body[:10])
        wait_for(lambda: support.socket_fd_count(b.pid) >= base + 3, 10, "the backend to accept 3 connections")
        os.kill(b.pid, signal.SIGTERM)
        wait_for(lambda: not connectable(b.socket_path), 10, "the listener to close")
        results = []
        for i, c in enumerate(conns):
            c.send_stdin(body[10:])
            c.end_stdin()
            r = c.read_response(timeout=15)
            results.append((r.status, r.header("X-Request-ID")))
    finally:
        for c in conns:
            c.close()
    assert results == [(200, f"multi-{i}") for i in range(3)]
    assert b.proc.wait(timeout=15) == 0, b.stderr()


def test_sigterm_during_request_stream_through_nginx(wrapped_stack):
    """4 client threads loop GET /api/health through nginx; SIGTERM the backend.

    Every response is a complete 200 or nginx's 503 backend_unavailable problem (never a
    truncated response or a reset); everything answered before the SIGTERM is a 200; the
    backend exits 0. (The backend runs under support.BackendWrapper, so serve-local
    keeps nginx up after the backend exits, as a production nginx would.)
    """
    st = wrapped_stack
    pid = st.wrapper.real_pid()
    url = st.url("/api/health")

    results = []  # (t_start, t_end, status, content_type, body, error)
    lock = threading.Lock()
    stop = threading.Event()

    def client():
        with requests.Session() as s:
            while not stop.is_set():
                t0 = time.monotonic()
                try:
                    r = s.get(url, timeout=10)
                    item = (t0, time.monotonic(), r.status_code, support.media_type(r), r.content, r, None)
                except Exception as e:  # a reset or truncated response is a failure
                    item = (t0, time.monotonic(), None, None, None, None, repr(e))
                with lock:
                    results.append(item)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        wait_for(lambda: len(results) >= 100, 15, "100 responses before the SIGTERM")
        t_term = time.monotonic()
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not support.pid_alive(pid), 15, "the backend to exit after SIGTERM")
        t_exit = time.monotonic()
        n_exit = len(results)
        wait_for(lambda: len(results) >= n_exit + 20, 10, "20 more responses after the backend exited")
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=15)
    assert not any(t.is_alive() for t in threads)

    errors = [(r[0], r[6]) for r in results if r[6]]
    assert not errors, f"{len(errors)} requests failed at the HTTP level: {errors[:5]}"
    bad = [(r[2], r[4][:200]) for r in results if r[2] not in (200, 503)]
    assert not bad, f"unexpected statuses: {bad[:5]}"
    for t0, t1, status, ctype, body, resp, _ in results:
        if status == 200:
            assert ctype == "application/json" and body and resp.json() == HEALTH, body
        else:
            assert_problem(resp, 503, "backend_unavailable")
    before = [r[2] for r in results if r[1] < t_term]
    assert before and set(before) == {200}, f"failures before SIGTERM: {before}"
    assert st.wrapper.exit_code() == 0
    print(f"{len(results)} requests; 200s={sum(r[2] == 200 for r in results)} "
          f"503s={sum(r[2] == 503 for r in results)}; exit after {t_exit - t_term:.3f}s")



def test_follow_ups_answered_before_sigterm_are_done_before_exit(backend_factory, short_tmp):
    """Forgot-password's lookup, token and mail follow its answer on the worker's follow-up
    thread (contract §5: the same time for every address). With the database locked they
    wait; a SIGTERM then closes the listener but the worker stays until every one is done
    and its mail has left."""
    mailbox = FileMailbox(short_tmp / "mail")
    database = short_tmp / "follow-ups.db"
    b = backend_factory(env={"DATABASE_URL": f"sqlite:///{database}", "MAIL_URL": mailbox.url(),
                             "EMAIL_VERIFICATION": "off"})

    names = [f"follow{n}" for n in range(4)]
    for name in names:
        account = {"username": name, "email": f"{name}@example.com", "password": "correct horse battery"}
        r = fcgi_client.post_json(b.socket_path, "/api/auth/register", account)
        assert r.status == 201, r
    lock = sqlite3.connect(database, isolation_level=None)
    try:
        lock.execute("BEGIN IMMEDIATE")  # writers wait (busy timeout 5 s); readers don't
        for name in names:
            r = fcgi_client.post_json(b.socket_path, "/api/auth/password/forgot", {"email": f"{name}@example.com"})
            assert r.status == 202, r
        os.kill(b.pid, signal.SIGTERM)
        wait_for(lambda: not connectable(b.socket_path), 10, "the listener to close after SIGTERM")
        assert b.proc.poll() is None, "the worker exited with follow-ups waiting for the database"
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert b.proc.wait(timeout=30) == 0, b.stderr()
    assert sorted(m.to for m in mailbox.messages()) == [f"{name}@example.com" for name in names]
