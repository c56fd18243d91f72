"""A client that disconnects mid-request or mid-response never kills the backend."""

import signal
import socket
import struct

import requests

import fcgi_client
import support
from fcgi_client import FCGI_PARAMS, FcgiConnection, encode_params, encode_record, standard_params


def rst_close(s: socket.socket) -> None:
    """Close with RST instead of FIN (SO_LINGER 0)."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def http_abort(port: int, payload: bytes, rst: bool = False) -> None:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(payload)
    finally:
        rst_close(s) if rst else s.close()


def test_disconnects_through_nginx(stack):
    pid = stack.backend_pid()
    get = b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n"
    nope = b"GET /api/nope HTTP/1.1\r\nHost: localhost\r\n\r\n"
    partial_post = (b"POST /api/health HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 60000\r\n\r\n" + b"{" * 1000)
    for i in range(60):
        http_abort(stack.port, get, rst=i % 2 == 1)
        http_abort(stack.port, nope, rst=i % 3 == 0)
    for i in range(20):
        http_abort(stack.port, partial_post, rst=i % 2 == 0)
    # requests that were read completely but whose responses go nowhere
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", stack.port), timeout=5)
        s.sendall(get * 3)
        s.shutdown(socket.SHUT_WR)
        rst_close(s)

    with requests.Session() as sess:
        for _ in range(20):
            r = sess.get(stack.url("/api/health"), timeout=10)
            assert r.status_code == 200
    assert support.pid_alive(pid)
    assert stack.backend_pid() == pid


def test_disconnects_over_fastcgi(backend):
    path = backend.socket_path
    params = standard_params("GET", "/api/health")
    body = b'{"pad":"' + b"z" * 3000 + b'"}'
    post_params = standard_params("GET", "/api/health", body_length=len(body), content_type="application/json")

    def conn():
        return FcgiConnection(path, timeout=5)

    for i in range(40):
        # the whole request, then gone before the response is written (EPIPE on the backend)
        c = conn()
        c.start(params)
        c.end_stdin()
        rst_close(c.sock) if i % 2 else c.close()
    for i in range(20):
        # half the body, then gone (the backend's read of stdin hits EOF / reset)
        c = conn()
        c.start(post_params, body[:1000])
        rst_close(c.sock) if i % 2 else c.close()
    for i in range(10):
        # the params stream cut in the middle of a record
        c = conn()
        c.begin()
        c.send_raw(encode_record(FCGI_PARAMS, 1, encode_params(params))[:20])
        c.close()
    for i in range(10):
        # FCGI_ABORT_REQUEST mid-body
        c = conn()
        c.start(post_params, body[:1000])
        c.abort()
        c.close()
    for i in range(10):
        # not FastCGI at all
        c = conn()
        c.send_raw(b"GET / HTTP/1.0\r\n\r\n" + bytes(range(256)))
        c.close()
    for i in range(20):
        # a large response the client does not read: the backend writes into a closed socket
        c = conn()
        c.start(standard_params("GET", "/api/no/such/thing/" + "a" * 3000))
        c.end_stdin()
        c.close()

    for _ in range(20):
        r = fcgi_client.get(path)
        assert r.status == 200
    assert backend.proc.poll() is None, f"backend died: exit {backend.proc.returncode}\n{backend.stderr()}"
    support.kill_quietly(backend.pid, signal.SIGTERM)
    assert backend.proc.wait(timeout=15) == 0, backend.stderr()
