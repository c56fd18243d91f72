"""CGI mode: the same binary as a plain CGI program, under lighttpd (mod_cgi) and run
directly from Python with a CGI environment."""

import os
import subprocess
from pathlib import Path

import pytest
import requests

import support
from fcgi_client import parse_cgi_response
from support import assert_problem, media_type, stop_popen, wait_for

HEALTH = {"status": "ok", "database": "ok"}


# --- under lighttpd ------------------------------------------------------------------

@pytest.fixture(scope="module")
def lighttpd(auth_bin):
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="afit-cgi-", dir="/tmp"))
    (root / "htdocs").mkdir()
    cgi_bin = root / "cgi-bin"
    cgi_bin.mkdir()
    data = root / "data"
    data.mkdir()
    os.symlink(auth_bin, cgi_bin / "auth.cgi")
    port = support.free_port()
    env = support.service_env(data)
    setenv = ", ".join(f'"{k}" => "{env[k]}"' for k in ("AUTH_ENV", "JWT_SECRET_KEY", "MFA_SECRET_KEY", "DATABASE_URL"))
    conf = root / "lighttpd.conf"
    conf.write_text(f"""
server.document-root = "{root}/htdocs"
server.bind = "127.0.0.1"
server.port = {port}
server.modules = ("mod_alias", "mod_cgi", "mod_setenv")
server.errorlog = "{root}/error.log"
alias.url = ("/cgi-bin/" => "{cgi_bin}/")
$HTTP["url"] =~ "^/cgi-bin/" {{ cgi.assign = ("" => "") }}
setenv.add-environment = ({setenv})
""")
    log = open(root / "lighttpd.out", "wb")
    proc = subprocess.Popen(["lighttpd", "-D", "-f", str(conf)], stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, env=support.base_env(), cwd=root)
    log.close()
    try:
        def up():
            if proc.poll() is not None:
                raise AssertionError(f"lighttpd exited {proc.returncode}: {support.tail(root / 'lighttpd.out')}"
                                     f"{support.tail(root / 'error.log')}")
            return support.connectable(("127.0.0.1", port))

        wait_for(up, 10, "lighttpd to listen")
        yield f"http://127.0.0.1:{port}/cgi-bin/auth.cgi", root
    finally:
        rc, clean = stop_popen(proc)
        shutil.rmtree(root, ignore_errors=True)
    assert clean and rc == 0, f"lighttpd exit {rc}"


def test_lighttpd_health(lighttpd):
    base, root = lighttpd
    r = requests.get(base + "/api/health", timeout=10)
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]} {support.tail(root / 'error.log')}"
    assert media_type(r) == "application/json"
    assert r.json() == HEALTH
    assert "no-store" in r.headers.get("Cache-Control", "")
    assert support.REQUEST_ID_RE.match(r.headers.get("X-Request-ID", ""))


def test_lighttpd_404(lighttpd):
    base, _ = lighttpd
    assert_problem(requests.get(base + "/api/no/such/thing", timeout=10), 404, "not_found")


def test_lighttpd_405(lighttpd):
    base, _ = lighttpd
    r = requests.post(base + "/api/health", data=b"{}", headers={"Content-Type": "application/json"}, timeout=10)
    assert_problem(r, 405, "method_not_allowed")
    assert {m.strip() for m in r.headers.get("Allow", "").split(",")} == {"GET", "HEAD"}


def test_lighttpd_request_id_and_head(lighttpd):
    base, _ = lighttpd
    r = requests.get(base + "/api/health", headers={"X-Request-ID": "cgi-req.1"}, timeout=10)
    assert r.headers.get("X-Request-ID") == "cgi-req.1"
    r = requests.head(base + "/api/health", timeout=10)
    assert r.status_code == 200 and r.content == b""


# --- run directly as CGI ---------------------------------------------------------------

def run_cgi(auth_bin, workdir, method="GET", path_info="/api/health", body=b"", extra=None, query=""):
    env = support.service_env(workdir)
    env.update({
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_SOFTWARE": "pytest",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "/cgi-bin/auth.cgi",
        "PATH_INFO": path_info,
        "REQUEST_URI": "/cgi-bin/auth.cgi" + path_info + ("?" + query if query else ""),
        "QUERY_STRING": query,
        "REMOTE_ADDR": "127.0.0.1",
    })
    if body:
        env["CONTENT_LENGTH"] = str(len(body))
        env["CONTENT_TYPE"] = "application/json"
    env.update(extra or {})
    r = subprocess.run([str(auth_bin)], input=body, capture_output=True, env=env, cwd=workdir, timeout=10)
    assert r.returncode == 0, f"CGI exit {r.returncode}: {r.stderr.decode(errors='replace')}"
    return parse_cgi_response(r.stdout)


def test_direct_cgi_health(auth_bin, short_tmp):
    resp = run_cgi(auth_bin, short_tmp)
    assert resp.status == 200
    assert media_type(resp) == "application/json"
    assert resp.json() == HEALTH
    assert support.REQUEST_ID_RE.match(resp.header("X-Request-ID") or "")


def test_direct_cgi_errors(auth_bin, short_tmp):
    assert_problem(run_cgi(auth_bin, short_tmp, path_info="/api/nope"), 404, "not_found")
    resp = run_cgi(auth_bin, short_tmp, method="POST", body=b'{"a": 1}')
    assert_problem(resp, 405, "method_not_allowed")
    assert {m.strip() for m in (resp.header("Allow") or "").split(",")} == {"GET", "HEAD"}


def test_direct_cgi_body_limit(auth_bin, short_tmp):
    body = b'{"pad":"' + b"x" * (65536 - 10) + b'"}'
    assert run_cgi(auth_bin, short_tmp, method="GET", body=body).status == 200
    assert_problem(run_cgi(auth_bin, short_tmp, method="GET", body=body + b" "), 413, "payload_too_large")


def test_direct_cgi_request_id(auth_bin, short_tmp):
    resp = run_cgi(auth_bin, short_tmp, extra={"HTTP_X_REQUEST_ID": "direct-cgi_1"})
    assert resp.header("X-Request-ID") == "direct-cgi_1"
    resp = run_cgi(auth_bin, short_tmp, extra={"HTTP_X_REQUEST_ID": "bad id"})
    assert resp.header("X-Request-ID") not in (None, "bad id")


def test_direct_cgi_head(auth_bin, short_tmp):
    resp = run_cgi(auth_bin, short_tmp, method="HEAD")
    assert resp.status == 200 and resp.body == b""
