"""The backend spoken to directly over FastCGI (no nginx in front)."""

import threading

import pytest

import fcgi_client
from fcgi_client import FcgiConnection, standard_params
from support import HEX32_RE, REQUEST_ID_RE, assert_problem, media_type

LIMIT = 65536
HEALTH = {"status": "ok", "database": "ok"}


def padded(size: int) -> bytes:
    body = b'{"pad":"' + b"x" * (size - 10) + b'"}'
    assert len(body) == size
    return body


def rid_of(resp) -> str:
    values = resp.header_values("X-Request-ID")
    assert len(values) == 1, values
    return values[0]


def test_health(backend):
    r = fcgi_client.get(backend.socket_path, request_id="0123456789abcdef0123456789abcdef")
    assert r.status == 200
    assert media_type(r) == "application/json"
    assert r.json() == HEALTH
    assert "no-store" in (r.header("Cache-Control") or "")
    assert rid_of(r) == "0123456789abcdef0123456789abcdef"
    assert r.protocol_status == fcgi_client.FCGI_REQUEST_COMPLETE


def test_404_405_head(backend):
    assert_problem(fcgi_client.get(backend.socket_path, "/api/nope"), 404, "not_found")
    r = fcgi_client.request(backend.socket_path, standard_params("POST", "/api/health", body_length=2,
                                                                 content_type="application/json"), b"{}")
    assert_problem(r, 405, "method_not_allowed")
    assert {m.strip() for m in (r.header("Allow") or "").split(",")} == {"GET", "HEAD"}
    r = fcgi_client.request(backend.socket_path, standard_params("HEAD", "/api/health"))
    assert r.status == 200
    assert media_type(r) == "application/json"
    assert r.body == b"", "a CGI response to HEAD must have no body (RFC 3875 4.3.3)"


def test_routing_uses_path_of_request_uri(backend):
    r = fcgi_client.get(backend.socket_path, "/api/health?a=1&b=/api/nope")
    assert r.status == 200
    # SCRIPT_NAME / DOCUMENT_URI disagreeing does not matter; REQUEST_URI's path routes.
    p = standard_params("GET", "/api/health", extra={"SCRIPT_NAME": "/index.php", "DOCUMENT_URI": "/x"})
    assert fcgi_client.request(backend.socket_path, p).status == 200


def test_path_info_preferred_when_set(backend):
    p = standard_params("GET", "/cgi-bin/auth.cgi/api/health", extra={"PATH_INFO": "/api/health",
                                                                      "SCRIPT_NAME": "/cgi-bin/auth.cgi"})
    r = fcgi_client.request(backend.socket_path, p)
    assert r.status == 200 and r.json() == HEALTH


def test_exactly_64k_accepted(backend):
    body = padded(LIMIT)
    r = fcgi_client.request(backend.socket_path, standard_params("GET", "/api/health", body_length=LIMIT,
                                                                 content_type="application/json"), body)
    assert r.status == 200, r


def test_413_when_content_length_says_so(backend):
    body = padded(LIMIT + 1)
    r = fcgi_client.request(backend.socket_path, standard_params("GET", "/api/health", body_length=LIMIT + 1,
                                                                 content_type="application/json"), body)
    assert_problem(r, 413, "payload_too_large")


def test_413_without_content_length(backend):
    body = padded(LIMIT + 1)
    r = fcgi_client.request(backend.socket_path, standard_params("GET", "/api/health",
                                                                 content_type="application/json"), body)
    assert_problem(r, 413, "payload_too_large")


def test_64k_without_content_length_accepted(backend):
    body = padded(LIMIT)
    r = fcgi_client.request(backend.socket_path, standard_params("GET", "/api/health",
                                                                 content_type="application/json"), body)
    assert r.status == 200, r


@pytest.mark.parametrize("claimed", [None, str(LIMIT + 1), "1000000000"])
def test_413_reads_no_more_than_the_limit(backend, claimed):
    """A body that never ends: the backend answers 413 once it has seen more than the
    limit (or from CONTENT_LENGTH alone) instead of waiting for the end of stdin."""
    params = standard_params("GET", "/api/health", content_type="application/json")
    if claimed is not None:
        params["CONTENT_LENGTH"] = claimed
    with FcgiConnection(backend.socket_path, timeout=10) as conn:
        conn.start(params)
        stop = threading.Event()

        def feed():  # keeps sending body records until the response arrives
            chunk = b"x" * 8192
            try:
                for _ in range(64):  # at most 512 KiB
                    if stop.is_set():
                        return
                    conn.send_stdin(chunk)
            except OSError:
                pass  # the backend closed the connection after answering: fine

        t = threading.Thread(target=feed, daemon=True)
        t.start()
        try:
            r = conn.read_response(timeout=10)
        finally:
            stop.set()
            t.join(timeout=10)
    assert_problem(r, 413, "payload_too_large")


def test_413_on_unknown_path_is_404_first(backend):
    """Precedence: routing (404/405) before body size."""
    body = padded(LIMIT + 1)
    r = fcgi_client.request(backend.socket_path, standard_params("GET", "/api/nope", body_length=LIMIT + 1,
                                                                 content_type="application/json"), body)
    assert_problem(r, 404, "not_found")


def test_generated_request_id_without_param(backend):
    ids = set()
    for _ in range(3):
        r = fcgi_client.get(backend.socket_path)
        assert r.status == 200
        rid = rid_of(r)
        assert REQUEST_ID_RE.match(rid), rid
        ids.add(rid)
    assert len(ids) == 3, f"generated ids repeat: {ids}"
    r = fcgi_client.get(backend.socket_path, "/api/nope")
    assert_problem(r, 404, "not_found")


def test_request_id_param_is_used(backend):
    r = fcgi_client.get(backend.socket_path, request_id="abcdef0123456789abcdef0123456789")
    assert rid_of(r) == "abcdef0123456789abcdef0123456789"
    r = fcgi_client.get(backend.socket_path, "/api/nope", request_id="abcdef0123456789abcdef0123456789")
    assert rid_of(r) == "abcdef0123456789abcdef0123456789"


@pytest.mark.parametrize("client_id", ["client.id-1_A", "z" * 128])
def test_valid_client_header_is_echoed_without_nginx(backend, client_id):
    r = fcgi_client.get(backend.socket_path, headers={"X-Request-ID": client_id})
    assert rid_of(r) == client_id


@pytest.mark.parametrize("client_id", ["z" * 129, "bad id", "bad/id", ""])
def test_invalid_client_header_is_replaced_without_nginx(backend, client_id):
    r = fcgi_client.get(backend.socket_path, headers={"X-Request-ID": client_id})
    rid = rid_of(r)
    assert rid != client_id and REQUEST_ID_RE.match(rid), rid


def test_invalid_client_header_replaced_by_nginx_id(backend):
    """With nginx's REQUEST_ID param present, an invalid client id is replaced by it."""
    nginx_id = "fedcba9876543210fedcba9876543210"
    r = fcgi_client.get(backend.socket_path, headers={"X-Request-ID": "bad id"}, request_id=nginx_id)
    assert rid_of(r) == nginx_id
    assert HEX32_RE.match(rid_of(r))


def test_concurrent_requests(backend):
    results = []
    lock = threading.Lock()

    def one(i):
        r = fcgi_client.get(backend.socket_path, request_id=f"conc-{i}")
        with lock:
            results.append((r.status, rid_of(r) == f"conc-{i}"))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(results) == [(200, True)] * 32
