"""Contract §1 rows (and §3 Service) through nginx + the real backend (scripts/serve-local)."""

import json

import pytest
import requests

import support
from support import HEX32_RE, assert_problem, header_values, media_type

LIMIT = 65536
JSON = {"Content-Type": "application/json"}


def padded_json(size: int) -> bytes:
    """A JSON object of exactly size bytes."""
    skeleton = b'{"pad":""}'
    body = b'{"pad":"' + b"x" * (size - len(skeleton)) + b'"}'
    assert len(body) == size
    return body


@pytest.fixture(scope="module")
def st(shared_stack):
    return shared_stack


def get(st, path, **kw):
    kw.setdefault("timeout", 10)
    return requests.get(st.url(path), **kw)


def the_request_id(resp) -> str:
    values = header_values(resp, "X-Request-ID")
    assert len(values) == 1, f"expected exactly one X-Request-ID header, got {values}"
    return values[0]


def test_health_200(st):
    r = get(st, "/api/health")
    assert r.status_code == 200
    assert media_type(r) == "application/json"
    assert r.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in r.headers.get("Cache-Control", "")
    assert HEX32_RE.match(the_request_id(r))


def test_unknown_path_404(st):
    r = get(st, "/api/no/such/thing")
    assert_problem(r, 404, "not_found")
    assert "no-store" in r.headers.get("Cache-Control", "")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_wrong_method_405_with_allow(st, method):
    r = requests.request(method, st.url("/api/health"), data=b"{}", headers=JSON, timeout=10)
    assert_problem(r, 405, "method_not_allowed")
    allow = {m.strip().upper() for m in r.headers.get("Allow", "").split(",") if m.strip()}
    assert allow == {"GET", "HEAD"}, r.headers.get("Allow")


def test_head(st):
    r = requests.head(st.url("/api/health"), timeout=10)
    assert r.status_code == 200
    assert r.content == b""
    assert media_type(r) == "application/json"
    assert "no-store" in r.headers.get("Cache-Control", "")
    assert HEX32_RE.match(the_request_id(r))


def test_query_string_does_not_change_routing(st):
    r = get(st, "/api/health?verbose=1&x=%2Fapi")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


@pytest.mark.parametrize("path", ["/api/health", "/api/auth/login", "/api/no/such/thing"])
def test_body_over_limit_is_nginx_413_problem(st, path):
    r = requests.post(st.url(path), data=padded_json(LIMIT + 1), headers=JSON, timeout=10)
    body = assert_problem(r, 413, "payload_too_large")
    assert HEX32_RE.match(the_request_id(r)), "nginx's 413 must carry its $request_id"
    assert body["status"] == 413


def test_body_over_limit_chunked_is_413(st):
    data = padded_json(LIMIT + 1)
    chunks = (data[i : i + 8192] for i in range(0, len(data), 8192))  # no Content-Length
    r = requests.post(st.url("/api/health"), data=chunks, headers=JSON, timeout=10)
    assert_problem(r, 413, "payload_too_large")


def test_nginx_413_echoes_valid_client_request_id(st):
    r = requests.post(st.url("/api/health"), data=padded_json(LIMIT + 1),
                      headers={**JSON, "X-Request-ID": "client-413.id_1"}, timeout=10)
    assert_problem(r, 413, "payload_too_large")
    assert the_request_id(r) == "client-413.id_1"


def test_body_of_exactly_64k_is_accepted(st):
    r = requests.get(st.url("/api/health"), data=padded_json(LIMIT), headers=JSON, timeout=10)
    assert r.status_code == 200, r.text[:300]
    assert r.json()["status"] == "ok"


VALID_IDS = ["abc", "A", "req-1.2_3", "x" * 128, "0123456789abcdef0123456789abcdef"]
INVALID_IDS = ["x" * 129, "has space", "slash/inside", "semi;colon", "quote\"d", "ümlaut", "tab\tin"]


@pytest.mark.parametrize("path,status", [("/api/health", 200), ("/api/no/such/thing", 404)])
@pytest.mark.parametrize("rid", VALID_IDS)
def test_valid_client_request_id_is_echoed(st, rid, path, status):
    r = get(st, path, headers={"X-Request-ID": rid})
    assert r.status_code == status
    assert the_request_id(r) == rid


@pytest.mark.parametrize("path,status", [("/api/health", 200), ("/api/no/such/thing", 404)])
@pytest.mark.parametrize("rid", INVALID_IDS)
def test_invalid_client_request_id_is_replaced(st, rid, path, status):
    r = get(st, path, headers={"X-Request-ID": rid.encode("utf-8")})
    assert r.status_code == status
    got = the_request_id(r)
    assert got != rid
    assert HEX32_RE.match(got), f"replacement id {got!r} is not nginx's 32-hex $request_id"


def test_empty_client_request_id_is_replaced(st):
    r = get(st, "/api/health", headers={"X-Request-ID": ""})
    assert HEX32_RE.match(the_request_id(r))


def test_generated_request_ids_differ(st):
    ids = {the_request_id(get(st, "/api/health")) for _ in range(5)}
    assert len(ids) == 5
    assert all(HEX32_RE.match(i) for i in ids)


def test_request_id_appears_in_the_logs(st):
    """Contract §1: the same id appears in the log lines of that request."""
    rid = "log-probe-" + support.free_port().__str__() + "-xyz"
    r = get(st, "/api/no/such/thing", headers={"X-Request-ID": rid})
    assert the_request_id(r) == rid

    def found():
        candidates = [st.output_path] + [p for p in st.run_dir.rglob("*") if p.is_file() and not p.is_socket()]
        for p in candidates:
            try:
                if rid.encode() in p.read_bytes():
                    return str(p)
            except OSError:
                continue
        return None

    where = support.wait_for(found, 5, f"request id {rid} in a log file under {st.run_dir} or serve-local's output")
    assert where


def test_every_json_response_is_json(st):
    """Problem bodies and the health body parse as JSON objects."""
    for path in ("/api/health", "/api/no/such/thing", "/api/"):
        r = get(st, path)
        assert isinstance(json.loads(r.content), dict), (path, r.content[:200])
        assert "no-store" in r.headers.get("Cache-Control", ""), path
