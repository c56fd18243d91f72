"""A minimal FastCGI client (responder role) for talking to auth-fcgi directly.

Only what the tests need: one request per connection, PARAMS and STDIN streams, the
body sent in as many parts as the caller wants (so a test can pause mid-request), and
the CGI-style response (``Status:`` line, headers, body) parsed from STDOUT.
"""

from __future__ import annotations

import json

import socket
import struct
import time
from dataclasses import dataclass, field

FCGI_VERSION_1 = 1

FCGI_BEGIN_REQUEST = 1
FCGI_ABORT_REQUEST = 2
FCGI_END_REQUEST = 3
FCGI_PARAMS = 4
FCGI_STDIN = 5
FCGI_STDOUT = 6
FCGI_STDERR = 7

FCGI_RESPONDER = 1
FCGI_KEEP_CONN = 1

FCGI_REQUEST_COMPLETE = 0

MAX_CONTENT = 65535


class FcgiProtocolError(Exception):
    """The peer sent something that is not a well-formed FastCGI response."""


class FcgiConnectionClosed(FcgiProtocolError):
    """The connection ended before FCGI_END_REQUEST (a truncated response)."""


def encode_record(rtype: int, request_id: int, content: bytes = b"") -> bytes:
    if len(content) > MAX_CONTENT:
        raise ValueError("record content too long")
    padding = (-len(content)) % 8
    header = struct.pack("!BBHHBB", FCGI_VERSION_1, rtype, request_id, len(content), padding, 0)
    return header + content + b"\0" * padding


def _encode_length(n: int) -> bytes:
    if n < 128:
        return bytes([n])
    return struct.pack("!I", n | 0x80000000)


def encode_params(params: dict[str, str] | list[tuple[str, str]]) -> bytes:
    items = params.items() if isinstance(params, dict) else params
    out = bytearray()
    for name, value in items:
        n = name.encode("latin-1") if isinstance(name, str) else name
        v = value.encode("utf-8") if isinstance(value, str) else value
        out += _encode_length(len(n)) + _encode_length(len(v)) + n + v
    return bytes(out)


def split_records(rtype: int, request_id: int, data: bytes) -> bytes:
    """Data as a sequence of records (no terminating empty record)."""
    out = bytearray()
    for i in range(0, len(data), MAX_CONTENT):
        out += encode_record(rtype, request_id, data[i : i + MAX_CONTENT])
    return bytes(out)


@dataclass
class CgiResponse:
    """A parsed CGI/FastCGI response."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    stderr: bytes = b""
    app_status: int | None = None
    protocol_status: int | None = None
    raw: bytes = field(default=b"", repr=False)

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        import json

        return json.loads(self.body.decode("utf-8"))


def parse_cgi_response(data: bytes) -> CgiResponse:
    """Parse ``Status: ...`` + headers + blank line + body (CRLF or LF line ends)."""
    crlf = data.find(b"\r\n\r\n")
    lf = data.find(b"\n\n")
    if crlf < 0 and lf < 0:
        raise FcgiProtocolError(f"no end of headers in response: {data[:300]!r}")
    if crlf >= 0 and (lf < 0 or crlf <= lf):
        head, body = data[:crlf], data[crlf + 4 :]
    else:
        head, body = data[:lf], data[lf + 2 :]
    headers: list[tuple[str, str]] = []
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if not line:
            continue
        if b":" not in line:
            raise FcgiProtocolError(f"malformed header line {line!r}")
        name, _, value = line.partition(b":")
        headers.append((name.decode("latin-1").strip(), value.decode("latin-1").strip()))
    status, reason = 200, "OK"
    for name, value in headers:
        if name.lower() == "status":
            code, _, reason = value.partition(" ")
            status = int(code)
            break
    headers = [(k, v) for k, v in headers if k.lower() != "status"]
    return CgiResponse(status=status, reason=reason, headers=headers, body=body, raw=data)


def standard_params(
    method: str = "GET",
    uri: str = "/api/health",
    *,
    body_length: int | None = None,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
    request_id: str | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The params nginx's fastcgi_params would send for this request."""
    path, _, query = uri.partition("?")
    params = {
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_SOFTWARE": "pytest-fcgi",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REQUEST_SCHEME": "http",
        "REQUEST_METHOD": method,
        "REQUEST_URI": uri,
        "DOCUMENT_URI": path,
        "SCRIPT_NAME": path,
        "QUERY_STRING": query,
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "40000",
        "SERVER_ADDR": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_NAME": "localhost",
        "REDIRECT_STATUS": "200",
    }
    if body_length is not None:
        params["CONTENT_LENGTH"] = str(body_length)
    if content_type is not None:
        params["CONTENT_TYPE"] = content_type
    if request_id is not None:
        params["REQUEST_ID"] = request_id
    for name, value in (headers or {}).items():
        params["HTTP_" + name.upper().replace("-", "_")] = value
    params.update(extra or {})
    return params


class FcgiConnection:
    """One FastCGI request on one connection, driven step by step."""

    def __init__(self, address, timeout: float = 10.0, request_id: int = 1):
        family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.timeout = timeout
        self.request_id = request_id
        self.sock.connect(address)
        self._buf = bytearray()

    # -- sending ---------------------------------------------------------------------
    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def begin(self, keep_conn: bool = False) -> None:
        body = struct.pack("!HB5x", FCGI_RESPONDER, FCGI_KEEP_CONN if keep_conn else 0)
        self.send_raw(encode_record(FCGI_BEGIN_REQUEST, self.request_id, body))

    def send_params(self, params) -> None:
        data = encode_params(params)
        self.send_raw(split_records(FCGI_PARAMS, self.request_id, data) + encode_record(FCGI_PARAMS, self.request_id))

    def send_stdin(self, data: bytes) -> None:
        """Part of the body (not the end of the stream)."""
        if data:
            self.send_raw(split_records(FCGI_STDIN, self.request_id, data))

    def end_stdin(self) -> None:
        self.send_raw(encode_record(FCGI_STDIN, self.request_id))

    def abort(self) -> None:
        self.send_raw(encode_record(FCGI_ABORT_REQUEST, self.request_id))

    def start(self, params, body_part: bytes = b"") -> None:
        """BEGIN_REQUEST + all PARAMS + (optionally) the first part of the body."""
        self.begin()
        self.send_params(params)
        self.send_stdin(body_part)

    # -- receiving -------------------------------------------------------------------
    def _recv_exact(self, n: int, deadline: float) -> bytes:
        while len(self._buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("timed out waiting for the FastCGI response")
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise FcgiConnectionClosed(
                    f"connection closed mid-response ({len(self._buf)} of {n} bytes of a record)"
                )
            self._buf += chunk
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def read_response(self, timeout: float | None = None) -> CgiResponse:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        stdout, stderr = bytearray(), bytearray()
        while True:
            header = self._recv_exact(8, deadline)
            version, rtype, rid, clen, plen, _ = struct.unpack("!BBHHBB", header)
            if version != FCGI_VERSION_1:
                raise FcgiProtocolError(f"bad record version {version}")
            content = self._recv_exact(clen, deadline)
            self._recv_exact(plen, deadline)
            if rid != self.request_id:
                raise FcgiProtocolError(f"record for request id {rid}, expected {self.request_id}")
            if rtype == FCGI_STDOUT:
                stdout += content
            elif rtype == FCGI_STDERR:
                stderr += content
            elif rtype == FCGI_END_REQUEST:
                app_status, proto = struct.unpack("!IB3x", content)
                resp = parse_cgi_response(bytes(stdout))
                resp.stderr = bytes(stderr)
                resp.app_status = app_status
                resp.protocol_status = proto
                return resp
            else:
                raise FcgiProtocolError(f"unexpected record type {rtype}")

    def readable_within(self, seconds: float) -> bool:
        """True when the peer sent something (or closed) within the given time."""
        import select

        if self._buf:
            return True
        r, _, _ = select.select([self.sock], [], [], seconds)
        return bool(r)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def request(
    address,
    params,
    body: bytes = b"",
    timeout: float = 10.0,
) -> CgiResponse:
    """One complete request: params, the whole body, end of stdin, the response."""
    with FcgiConnection(address, timeout=timeout) as conn:
        conn.start(params, body)
        conn.end_stdin()
        return conn.read_response()


def get(address, uri: str = "/api/health", **kw) -> CgiResponse:
    return request(address, standard_params("GET", uri, **kw))


def post_json(address, uri: str, document, timeout: float = 10.0, **kw) -> CgiResponse:
    """POSTs `document` as a JSON body (`kw`: more of `standard_params`, e.g. headers)."""
    body = json.dumps(document).encode()
    params = standard_params("POST", uri, body_length=len(body), content_type="application/json", **kw)
    return request(address, params, body, timeout=timeout)
