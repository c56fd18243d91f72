"""Connections the web server keeps open (FCGI_KEEP_CONN), spoken to directly: several
requests on one connection, idle kept connections that hold no thread, and what a stop
does to kept, idle and queued connections, on a socket the backend opened (--listen) and
on one it inherited on fd 0 (spawn-fcgi's way)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess

import pytest

import fcgi_client
import support
from fcgi_client import FcgiConnection, standard_params
from support import connectable, wait_for

HEALTH = {"status": "ok", "database": "ok"}


def kept_get(conn: FcgiConnection, uri: str = "/api/health", request_id: str | None = None, keep: bool = True):
    conn.begin(keep_conn=keep)
    conn.send_params(standard_params("GET", uri, request_id=request_id))
    conn.end_stdin()
    return conn.read_response()


def start_paused(conn: FcgiConnection, body: bytes, request_id: str) -> None:
    """A kept request whose body stops half-way: its thread waits for the rest."""
    conn.begin(keep_conn=True)
    conn.send_params(standard_params("GET", "/api/health", body_length=len(body),
                                     content_type="application/json", request_id=request_id))
    conn.send_stdin(body[: len(body) // 2])


def finish_paused(conn: FcgiConnection, body: bytes):
    conn.send_stdin(body[len(body) // 2:])
    conn.end_stdin()
    return conn.read_response(timeout=15)


def hung_up(conn: FcgiConnection, timeout: float = 10) -> bool:
    """True once the backend closed the connection (a read sees its end)."""
    if not conn.readable_within(timeout):
        return False
    try:
        return conn.sock.recv(1) == b""
    except ConnectionResetError:
        return True


PAD = b'{"pad":"' + b"x" * 2000 + b'"}'


def test_one_connection_carries_many_requests_then_closes_when_not_kept(backend):
    with FcgiConnection(backend.socket_path) as conn:
        for i in range(25):
            resp = kept_get(conn, request_id=f"kept-{i}")
            assert resp.status == 200 and resp.json() == HEALTH
            assert resp.header("X-Request-ID") == f"kept-{i}"
            assert support.socket_fd_count(backend.pid) == 2, "the listener and this one connection"
        last = kept_get(conn, keep=False)
        assert last.status == 200
        assert hung_up(conn), "a request without FCGI_KEEP_CONN ends its connection"


def test_idle_kept_connections_hold_no_thread(backend_factory):
    """Twelve idle kept connections on a 2-thread backend: a thread pinned by each idle
    connection (libfcgi's accept-per-thread model) would leave none for anything else."""
    b = backend_factory(args=["--threads", "2"])
    idle = [FcgiConnection(b.socket_path) for _ in range(12)]
    try:
        for conn in idle:
            assert kept_get(conn).status == 200
        for _ in range(10):
            assert fcgi_client.request(b.socket_path, standard_params(), timeout=5).status == 200
        for i, conn in enumerate(idle):
            assert kept_get(conn, request_id=f"again-{i}").header("X-Request-ID") == f"again-{i}"
    finally:
        for conn in idle:
            conn.close()


def test_stop_finishes_the_request_in_flight_then_closes_every_kept_connection(backend):
    idle = FcgiConnection(backend.socket_path, timeout=15)
    busy = FcgiConnection(backend.socket_path, timeout=15)
    try:
        assert kept_get(idle).status == 200
        assert kept_get(busy).status == 200
        start_paused(busy, PAD, "paused-1")
        os.kill(backend.pid, signal.SIGTERM)
        assert hung_up(idle), "an idle kept connection is closed when the backend stops"
        assert backend.proc.poll() is None, "the backend exited with a request in flight"
        resp = finish_paused(busy, PAD)
        assert resp.status == 200 and resp.header("X-Request-ID") == "paused-1"
        assert hung_up(busy), "a kept connection is closed after its request once stopping"
    finally:
        idle.close()
        busy.close()
    assert backend.proc.wait(timeout=15) == 0, backend.stderr()


class InheritedSocketBackend:
    """The backend started as spawn-fcgi starts it: the listening socket on fd 0, no
    --listen, and no other process holding the socket."""

    def __init__(self, binary, workdir, threads: int):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.socket_path = str(workdir / "inherited.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.socket_path)
        listener.listen(64)
        self.stderr_path = workdir / "backend.stderr"
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen([str(binary), "serve", "--threads", str(threads)], stdin=listener.fileno(),
                                         stdout=err, stderr=err, env=support.service_env(workdir), cwd=workdir)
        listener.close()
        wait_for(lambda: "worker_started" in support.tail(self.stderr_path), support.START_TIMEOUT,
                 "the backend to start on its inherited socket")

    @property
    def pid(self) -> int:
        return self.proc.pid


@pytest.fixture
def one_thread_backends(backend_factory, auth_bin, short_tmp):
    started = []

    def make(kind: str):
        if kind == "listen":
            b = backend_factory(args=["--threads", "1"])
        else:
            b = InheritedSocketBackend(auth_bin, short_tmp / "inherited", threads=1)
        started.append(b)
        return b

    yield make
    for b in started:
        if b.proc.poll() is None:
            support.stop_popen(b.proc)


@pytest.mark.parametrize("kind", ["listen", "inherited"])
def test_stop_serves_the_connections_already_queued(one_thread_backends, kind):
    """The one thread is busy with a paused request while five complete requests queue on
    the listening socket. SIGTERM: the queued five are accepted and answered before the
    backend exits, not reset with the socket."""
    b = one_thread_backends(kind)
    busy = FcgiConnection(b.socket_path, timeout=15)
    queued = []
    try:
        start_paused(busy, PAD, "busy")
        wait_for(lambda: support.socket_fd_count(b.pid) >= 2, 10, "the backend to take the paused request")
        for i in range(5):
            conn = FcgiConnection(b.socket_path, timeout=15)
            queued.append(conn)
            conn.begin()
            conn.send_params(standard_params("GET", "/api/health", request_id=f"queued-{i}"))
            conn.end_stdin()
        os.kill(b.pid, signal.SIGTERM)
        if kind == "listen":
            wait_for(lambda: not connectable(b.socket_path), 10, "the socket path to go")
        assert finish_paused(busy, PAD).status == 200
        for i, conn in enumerate(queued):
            resp = conn.read_response(timeout=15)
            assert (resp.status, resp.header("X-Request-ID")) == (200, f"queued-{i}")
    finally:
        busy.close()
        for conn in queued:
            conn.close()
    assert b.proc.wait(timeout=15) == 0


@pytest.fixture
def tcp_backend(auth_bin, short_tmp, free_port):
    started = []

    def make(**env):
        workdir = short_tmp / f"tcp{len(started)}"
        workdir.mkdir()
        address = ("127.0.0.1", free_port if not started else support.free_port())
        log = open(workdir / "backend.log", "wb")
        proc = subprocess.Popen([str(auth_bin), "serve", "--listen", f"{address[0]}:{address[1]}"],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                env=support.service_env(workdir, **env), cwd=workdir)
        log.close()
        started.append(proc)
        wait_for(lambda: support.tcp_listening(address[1]), support.START_TIMEOUT, "the backend to listen on TCP")
        return address

    yield make
    for proc in started:
        support.stop_popen(proc)


def test_tcp_connections_are_kept_too(tcp_backend):
    address = tcp_backend()
    with FcgiConnection(address) as conn:
        for i in range(5):
            assert kept_get(conn, request_id=f"tcp-{i}").header("X-Request-ID") == f"tcp-{i}"


@pytest.mark.parametrize("allowed, answered", [("127.0.0.1", True), ("10.11.12.13", False)])
def test_tcp_peers_outside_fcgi_web_server_addrs_are_refused(tcp_backend, allowed, answered):
    """libfcgi's allowlist of web server addresses still applies to TCP connections."""
    address = tcp_backend(FCGI_WEB_SERVER_ADDRS=allowed)
    with FcgiConnection(address, timeout=5) as conn:
        try:
            resp = kept_get(conn)
        except (fcgi_client.FcgiConnectionClosed, ConnectionResetError, BrokenPipeError):
            resp = None
    assert (resp is not None and resp.status == 200) == answered
