"""libpq, libcurl and libqrencode are opened when first used, not linked (CLazyLibraries): the
binary starts without them, and a configuration that needs a missing one stops at start with a
message naming the Debian package; without libqrencode a two-factor enrollment still works,
without its QR code.

"Missing" is made honestly: the test runs the binary in a private mount namespace
(unshare) where the library's real file is covered by an empty one, so dlopen fails as it
would on a host without the package. Without unshare (or user namespaces) those tests skip.
"""

import functools
import json
import shutil
import subprocess
import sys

import pytest

import support
from fcgi_client import parse_cgi_response
from test_cgi import run_cgi

LIBRARIES = {"libpq": "libpq.so.5", "libcurl": "libcurl.so.4", "libqrencode": "libqrencode.so.4"}
POSTGRES_URL = "postgresql://auth@127.0.0.1:1/auth"


@functools.cache
def library_file(soname: str) -> str | None:
    """The file the dynamic loader opens for soname (as a Python process sees it), or None
    when there is none."""
    code = ("import ctypes, sys\nctypes.CDLL(sys.argv[1])\n"
            "print(next(l.split()[-1] for l in open('/proc/self/maps') if '/' + sys.argv[1] in l))")
    r = subprocess.run([sys.executable, "-c", code, soname], capture_output=True, text=True, timeout=10)
    if r.returncode != 0:
        return None
    return r.stdout.strip() or None


def test_startup_binary_links_none_of_the_lazy_libraries(auth_bin):
    if shutil.which("ldd") is None:
        pytest.skip("no ldd")
    linked = subprocess.run(["ldd", str(auth_bin)], capture_output=True, text=True, timeout=10).stdout
    for name in ("libpq", "libcurl", "libqrencode", "libldap", "libgnutls", "libkrb5", "libssh2"):
        assert name not in linked, linked


@pytest.fixture
def without(short_tmp):
    """without(libraries, args, env) runs a command with those libraries (keys of LIBRARIES)
    unloadable; returns the CompletedProcess."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    empty = short_tmp / "empty.so"
    empty.write_bytes(b"")
    script = 'for f in $HIDE; do mount --bind "$EMPTY" "$f" || exit 97; done; exec "$@"'
    namespace: list[str] = []

    def run(libraries, args, env, stdin=subprocess.DEVNULL):
        hidden = [f for f in (library_file(LIBRARIES[name]) for name in libraries) if f]
        e = {**env, "HIDE": " ".join(hidden), "EMPTY": str(empty)}
        return subprocess.run([*namespace, "sh", "-c", script, "sh", *map(str, args)], stdin=stdin,
                              capture_output=True, env=e, cwd=short_tmp, timeout=20)

    # Root needs only a mount namespace; others (or root without CAP_SYS_ADMIN) a user one.
    failures = []
    for candidate in (["unshare", "--mount"], ["unshare", "--mount", "--map-root-user"]):
        namespace[:] = candidate
        probe = run(list(LIBRARIES), ["true"], support.base_env())
        if probe.returncode == 0:
            break
        failures.append(probe.stderr.decode(errors="replace").strip())
    else:
        pytest.skip(f"can't hide libraries in a mount namespace: {failures}")
    return run


def assert_names_package(r, variable, package):
    err = r.stderr.decode(errors="replace")
    assert r.returncode == 2, f"exit {r.returncode}, stderr {err!r}"
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert variable in lines[0] and f"Debian package {package}" in lines[0], lines[0]


@pytest.mark.parametrize("args", [
    ["serve", "--listen", "127.0.0.1:1"], ["migrate"], ["purge"],
    ["create-admin", "--username", "admin", "--email", "admin@example.com"],
    ["import-users", "--from-csv", "/dev/null"],
])
def test_startup_postgresql_without_libpq_exits_2(auth_bin, short_tmp, without, args):
    env = support.service_env(short_tmp, DATABASE_URL=POSTGRES_URL)
    r = without(["libpq"], [auth_bin, *args], env)
    assert_names_package(r, "DATABASE_URL", "libpq5")


@pytest.mark.parametrize("url", ["smtp://mail.example.com:2525", "smtps://user:secret@mail.example.com"])
@pytest.mark.parametrize("args", [["serve", "--listen", "127.0.0.1:1"], ["migrate"]])
def test_startup_smtp_without_libcurl_exits_2(auth_bin, short_tmp, without, url, args):
    env = support.service_env(short_tmp, DATABASE_URL=f"sqlite:///{short_tmp}/auth.db", MAIL_URL=url)
    r = without(["libcurl"], [auth_bin, *args], env)
    assert_names_package(r, "MAIL_URL", "libcurl4")
    assert "secret" not in r.stderr.decode(errors="replace")


def test_import_from_postgresql_without_libpq_fails_clearly(auth_bin, short_tmp, without):
    env = support.service_env(short_tmp, DATABASE_URL=f"sqlite:///{short_tmp}/auth.db")
    r = without(["libpq"], [auth_bin, "import-users", "--from-postgresql", POSTGRES_URL], env)
    err = r.stderr.decode(errors="replace")
    assert r.returncode == 1, (r.returncode, err)
    assert "--from-postgresql" in err and "Debian package libpq5" in err, err


def test_startup_cgi_without_either_library(auth_bin, short_tmp, without):
    """SQLite with SMTP mail: a CGI request that sends no mail never loads libcurl."""
    env = support.service_env(short_tmp, DATABASE_URL=f"sqlite:///{short_tmp}/auth.db",
                              MAIL_URL="smtp://mail.example.com:2525")
    env.update({"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "PATH_INFO": "/api/health",
                "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"})
    r = without(["libpq", "libcurl"], [auth_bin], env)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    response = parse_cgi_response(r.stdout)
    assert response.status == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_enrollment_without_libqrencode_answers_no_qr_code(auth_bin, short_tmp, without):
    """A host without libqrencode4: the secret and the URI still come, qr_svg is null, and
    the log says why (CGI, so each request is a process of its own)."""
    body = json.dumps({"username": "qr-less", "email": "qr-less@example.com", "password": "correct horse battery"})
    assert run_cgi(auth_bin, short_tmp, "POST", "/api/auth/register", body=body.encode()).status == 201
    credentials = json.dumps({"username": "qr-less", "password": "correct horse battery"})
    login = run_cgi(auth_bin, short_tmp, "POST", "/api/auth/login", body=credentials.encode())
    env = support.service_env(short_tmp)
    env.update({"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "PATH_INFO": "/api/auth/mfa/totp",
                "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
                "HTTP_AUTHORIZATION": "Bearer " + login.json()["access_token"]})
    r = without(["libqrencode"], [auth_bin], env)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    response = parse_cgi_response(r.stdout)
    assert response.status == 200, response.body
    enrollment = response.json()
    assert enrollment["qr_svg"] is None
    assert enrollment["otpauth_uri"].startswith("otpauth://totp/") and len(enrollment["secret"]) == 32
    assert "qr_code_unavailable" in r.stderr.decode() and "libqrencode4" in r.stderr.decode()


def test_startup_libraries_are_really_hidden(without):
    """The namespace trick works: dlopen of a hidden library fails there, so the tests above
    pass for the right reason."""
    code = "import ctypes, sys\ntry:\n    ctypes.CDLL(sys.argv[1])\nexcept OSError as e:\n    print(e)\n    sys.exit(3)\n"
    for name, soname in LIBRARIES.items():
        if library_file(soname) is None:
            continue
        r = without([name], [sys.executable, "-c", code, soname], support.base_env())
        assert r.returncode == 3, (r.returncode, r.stdout, r.stderr)
