"""--workers N: a supervisor keeps N worker processes on one socket and restarts a dead one."""

import os
import signal

import requests

import fcgi_client
import support
from support import children_of, pid_alive, wait_for


def two_children(pid):
    return wait_for(lambda: len(children_of(pid)) == 2 and children_of(pid), 15,
                    f"supervisor {pid} to have 2 worker children")


def kill_and_wait(pid):
    """SIGKILL a worker and wait until it is dead (a zombie counts), so that no request
    races with the kill itself (a thread of a dying process can still accept)."""
    os.kill(pid, signal.SIGKILL)
    assert support.wait_pid_gone(pid, 10), f"worker {pid} survived SIGKILL"


def test_worker_respawn_through_nginx(stack_factory):
    st = stack_factory(env={"FCGI_WORKERS": "2"})
    sup = st.backend_pid()
    workers = two_children(sup)
    victim, survivor = workers
    kill_and_wait(victim)

    statuses = []
    with requests.Session() as s:
        def replaced():
            r = s.get(st.url("/api/health"), timeout=10)
            statuses.append(r.status_code)
            assert r.status_code == 200, (f"request {len(statuses)} after SIGKILL of {victim}: {r.status_code} "
                                          f"{r.text[:200]}\nserve-local output:\n{st.output()}")
            kids = children_of(sup)
            return len(kids) == 2 and victim not in kids and kids

        new = wait_for(replaced, 15, f"a new worker to replace {victim}")
        # a few more after the respawn, spread over both workers
        for _ in range(20):
            r = s.get(st.url("/api/health"), timeout=10)
            assert r.status_code == 200
    assert survivor in new and victim not in new
    assert pid_alive(sup)
    assert len(statuses) >= 1 and set(statuses) == {200}
    # stopping the stack (fixture teardown) asserts every process of its group exits


def test_workers_direct_respawn_and_shutdown(backend_factory):
    b = backend_factory(args=["--workers", "2", "--threads", "2"])
    sup = b.pid
    victim, survivor = two_children(sup)
    for w in (victim, survivor):
        assert support.pgid_of(w) == support.pgid_of(sup), "workers should stay in the supervisor's group"

    kill_and_wait(victim)
    n = 0

    def replaced():
        nonlocal n
        r = fcgi_client.get(b.socket_path, request_id=f"w-{n}")
        n += 1
        assert r.status == 200, f"request {n} after SIGKILL failed: {r}"
        kids = children_of(sup)
        return len(kids) == 2 and victim not in kids and kids

    new = wait_for(replaced, 15, f"a new worker to replace {victim}")
    assert survivor in new

    # a second crash is restarted too (the back-off must not give up)
    victim2 = [p for p in new if p != survivor][0]
    kill_and_wait(victim2)
    wait_for(lambda: fcgi_client.get(b.socket_path).status == 200 and len(children_of(sup)) == 2
             and victim2 not in children_of(sup), 15, f"a new worker to replace {victim2}")

    final = children_of(sup)
    os.kill(sup, signal.SIGTERM)
    assert b.proc.wait(timeout=15) == 0, b.stderr()
    for w in final:
        assert support.wait_pid_gone(w, 10), f"worker {w} still running after the supervisor exited"
    assert not support.connectable(b.socket_path)


def test_workers_sigterm_finishes_in_flight(backend_factory):
    """SIGTERM to the supervisor drains in-flight requests in the workers, then exits 0."""
    b = backend_factory(args=["--workers", "2"])
    workers = two_children(b.pid)
    before = {w: support.socket_fd_count(w) for w in workers}
    body = b'{"pad":"' + b"q" * 500 + b'"}'
    conn = fcgi_client.FcgiConnection(b.socket_path, timeout=15)
    try:
        conn.start(fcgi_client.standard_params("GET", "/api/health", body_length=len(body), request_id="wk"),
                   body[:100])
        wait_for(lambda: any(support.socket_fd_count(w) > n for w, n in before.items()), 10,
                 "a worker to accept the connection")
        os.kill(b.pid, signal.SIGTERM)
        wait_for(lambda: not support.connectable(b.socket_path), 10, "the socket to refuse connections")
        conn.send_stdin(body[100:])
        conn.end_stdin()
        r = conn.read_response()
    finally:
        conn.close()
    assert r.status == 200 and r.header("X-Request-ID") == "wk"
    assert b.proc.wait(timeout=15) == 0, b.stderr()
