"""Start-up of the backend: listen addresses, the inherited fd-0 socket, config errors."""

import os
import signal
import socket
import subprocess

import pytest

import fcgi_client
import support
from support import connectable, stop_popen, wait_for


def start(auth_bin, workdir, args=(), env=None, stdin=subprocess.DEVNULL):
    e = support.service_env(workdir, **(env or {}))
    err = open(workdir / "stderr", "wb")
    proc = subprocess.Popen([str(auth_bin), *args], stdin=stdin, stdout=subprocess.DEVNULL, stderr=err,
                            env=e, cwd=workdir)
    err.close()
    return proc


def wait_ready(proc, address, workdir):
    def ready():
        if proc.poll() is not None:
            raise AssertionError(f"exited {proc.returncode}: {(workdir / 'stderr').read_text()}")
        return connectable(address)

    wait_for(ready, 20, f"backend listening on {address}")


def run_to_exit(auth_bin, workdir, args=(), env=None, stdin=subprocess.DEVNULL):
    e = support.service_env(workdir, **(env or {}))
    try:
        return subprocess.run([str(auth_bin), *args], stdin=stdin, capture_output=True, env=e, cwd=workdir,
                              timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{args} {env}: backend did not exit within 10 s")


def assert_one_line_error(r, variable):
    err = r.stderr.decode(errors="replace")
    assert r.returncode == 2, f"exit {r.returncode}, stderr {err!r}"
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1, f"expected a one-line error, got {lines!r}"
    assert variable in lines[0], f"error does not name {variable}: {lines[0]!r}"


def test_fd0_inherited_listening_socket(auth_bin, short_tmp):
    path = str(short_tmp / "fd0.sock")
    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lsock.bind(path)
    lsock.listen(16)
    try:
        proc = start(auth_bin, short_tmp, stdin=lsock.fileno())
    finally:
        lsock.close()  # only the child holds it now
    try:
        wait_ready(proc, path, short_tmp)
        r = fcgi_client.get(path, request_id="fd0-req")
        assert r.status == 200 and r.json()["status"] == "ok"
        assert r.header("X-Request-ID") == "fd0-req"
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        stop_popen(proc)


def test_spawn_fcgi(auth_bin, short_tmp):
    """spawn-fcgi -n execs the backend with the listening socket on fd 0."""
    path = str(short_tmp / "spawn.sock")
    env = support.service_env(short_tmp)
    proc = subprocess.Popen(["spawn-fcgi", "-n", "-s", path, "--", str(auth_bin)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=open(short_tmp / "stderr", "wb"), env=env,
                            cwd=short_tmp)
    try:
        wait_ready(proc, path, short_tmp)
        assert fcgi_client.get(path).status == 200
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        stop_popen(proc)


@pytest.mark.parametrize("form", ["unix:{sock}", "{sock}"])
@pytest.mark.parametrize("how", ["flag", "env"])
def test_unix_listen_forms(auth_bin, short_tmp, form, how):
    sock = str(short_tmp / "l.sock")
    addr = form.format(sock=sock)
    args, env = (["serve", "--listen", addr], None) if how == "flag" else ([], {"FCGI_LISTEN": addr})
    proc = start(auth_bin, short_tmp, args, env)
    try:
        wait_ready(proc, sock, short_tmp)
        assert fcgi_client.get(sock).status == 200
    finally:
        assert stop_popen(proc) == (0, True)


@pytest.mark.parametrize("form", ["127.0.0.1:{port}", ":{port}"])
def test_tcp_listen_forms(auth_bin, short_tmp, form):
    port = support.free_port()
    proc = start(auth_bin, short_tmp, ["--listen", form.format(port=port), "--threads", "2"])
    try:
        wait_ready(proc, ("127.0.0.1", port), short_tmp)
        assert fcgi_client.get(("127.0.0.1", port)).status == 200
    finally:
        assert stop_popen(proc) == (0, True)


def test_flag_overrides_env(auth_bin, short_tmp):
    sock = str(short_tmp / "flag.sock")
    proc = start(auth_bin, short_tmp, ["--listen", f"unix:{sock}"], {"FCGI_LISTEN": f"unix:{short_tmp}/env.sock"})
    try:
        wait_ready(proc, sock, short_tmp)
        assert not os.path.exists(short_tmp / "env.sock")
    finally:
        stop_popen(proc)


@pytest.mark.parametrize("variable,value", [
    ("FCGI_THREADS", "0"),
    ("FCGI_THREADS", "abc"),
    ("FCGI_THREADS", "-3"),
    ("FCGI_WORKERS", "-1"),
    ("FCGI_WORKERS", "many"),
    ("FCGI_LISTEN", "garbage"),
    ("FCGI_LISTEN", "127.0.0.1:notaport"),
    ("FCGI_LISTEN", "127.0.0.1:99999"),
    ("ADMIN_REGISTRATION_KEY", "k" * 31),  # contract §5 Security (v2): at least 32 bytes
    ("MFA_SECRET_KEY", "k" * 31),
    ("MFA_PREVIOUS_SECRET_KEY", "k" * 31),
    ("MFA_ISSUER", "Example\x7fInc"),
])
def test_bad_config_exits_2_naming_the_variable(auth_bin, short_tmp, variable, value):
    env = {"FCGI_LISTEN": f"unix:{short_tmp}/ok.sock", variable: value}
    r = run_to_exit(auth_bin, short_tmp, [], env)
    assert_one_line_error(r, variable)


def test_production_without_mfa_secret_key_exits_2(auth_bin, short_tmp):
    """A version-1 deployment upgraded without MFA_SECRET_KEY: refused in one line that says
    what to add (an empty value is unset)."""
    env = {"AUTH_ENV": "production", "FCGI_LISTEN": f"unix:{short_tmp}/ok.sock", "MFA_SECRET_KEY": ""}
    r = run_to_exit(auth_bin, short_tmp, [], env)
    assert_one_line_error(r, "MFA_SECRET_KEY")
    assert "version-1 deployment adds it" in r.stderr.decode(), r.stderr
    assert not os.path.exists(short_tmp / "ok.sock") and not os.path.exists(short_tmp / "mfa-secret.key")


@pytest.mark.parametrize("args,name", [
    (["--threads", "0"], "threads"),
    (["--workers", "x"], "workers"),
    (["--listen", "garbage"], "listen"),
    (["--bogus-flag"], "bogus"),
])
def test_bad_flags_exit_2(auth_bin, short_tmp, args, name):
    r = run_to_exit(auth_bin, short_tmp, ["serve", "--listen", f"unix:{short_tmp}/ok.sock", *args])
    err = r.stderr.decode(errors="replace")
    assert r.returncode == 2, (r.returncode, err)
    lines = [l for l in err.splitlines() if l.strip()]
    assert lines and name in lines[0].lower(), err


def test_no_listen_address_no_cgi_exits_2(auth_bin, short_tmp):
    r = run_to_exit(auth_bin, short_tmp, [])
    err = r.stderr.decode(errors="replace")
    assert r.returncode == 2, (r.returncode, err)
    assert len([l for l in err.splitlines() if l.strip()]) == 1, err
    assert r.stdout == b""
