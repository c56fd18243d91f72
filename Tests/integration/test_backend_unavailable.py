"""Backend down: nginx answers /api/ itself with 503 backend_unavailable problem+json."""

import os
import signal

import requests

import support
from support import assert_problem, HEX32_RE


def test_backend_stopped_gives_503_problem(wrapped_stack):
    """The real backend stopped while nginx keeps running (serve-local itself stops nginx
    when its backend dies, so the backend runs under support.BackendWrapper here)."""
    stack = wrapped_stack
    pid = stack.wrapper.real_pid()
    os.kill(pid, signal.SIGTERM)
    assert stack.wrapper.exit_code() == 0
    assert support.wait_pid_gone(pid), f"backend pid {pid} did not exit after SIGTERM"
    support.wait_for(lambda: not support.connectable(str(stack.run_dir / "run" / "auth-fcgi.sock")), 10,
                     "the backend socket to refuse connections")

    for method, path, rid in [("GET", "/api/health", None), ("POST", "/api/auth/login", "client-id-503"),
                              ("GET", "/api/no/such/thing", None)]:
        headers = {"Content-Type": "application/json"}
        if rid:
            headers["X-Request-ID"] = rid
        r = requests.request(method, stack.url(path), data=b"{}" if method == "POST" else None,
                             headers=headers, timeout=10)
        assert_problem(r, 503, "backend_unavailable")
        got = r.raw.headers.getlist("X-Request-ID")
        if rid:
            assert got == [rid]
        else:
            assert HEX32_RE.match(got[0])
    assert stack.proc.poll() is None, f"serve-local exited when the backend stopped:\n{stack.output()}"


def test_serve_local_backend_pid_file(stack):
    """serve-local's pid file names the running backend (its process is auth-fcgi)."""
    pid = stack.backend_pid()
    assert support.pid_alive(pid)
    assert "auth-fcgi" in support.cmdline(pid)
    assert pid in stack.members()
    assert stack.nginx_pids(), "no nginx in serve-local's process group"
