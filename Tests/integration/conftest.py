"""Fixtures for the integration tests: the binary, free ports, short temp dirs, the
backend started directly, and the whole stack through scripts/serve-local.

AUTH_TEST_DATABASE=postgresql runs the whole suite on PostgreSQL: the session starts its
own server (pg_support) and every stack and backend gets a fresh database on it. Tests
marked `postgresql` (several nodes on one database, server restarts) run only then.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

import pg_support
import support

# Never send the tests' requests to a proxy.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


def pytest_configure(config):
    config.addinivalue_line("markers", "postgresql: needs PostgreSQL; runs only with AUTH_TEST_DATABASE=postgresql")


def pytest_report_header(config):
    return f"database: {pg_support.BACKEND} (AUTH_TEST_DATABASE)"


def pytest_collection_modifyitems(config, items):
    if pg_support.BACKEND == "postgresql":
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


@pytest.fixture(scope="session", autouse=True)
def database_server():
    """With AUTH_TEST_DATABASE=postgresql: the session's PostgreSQL server (stopped and
    removed at the end); else None."""
    if pg_support.BACKEND != "postgresql":
        yield None
        return
    server = pg_support.PostgresServer().start()
    pg_support.SERVER = server
    try:
        yield server
    finally:
        pg_support.SERVER = None
        server.destroy()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return support.REPO_ROOT


@pytest.fixture(scope="session")
def auth_bin(repo_root) -> Path:
    """The release binary (env AUTH_FCGI_BIN overrides); fails clearly when missing."""
    path = Path(os.environ.get("AUTH_FCGI_BIN") or repo_root / ".build" / "release" / "auth-fcgi").resolve()
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(
            f"backend binary {path} is not built: run `swift build -c release --static-swift-stdlib` "
            "in the repository root (or set AUTH_FCGI_BIN)",
            pytrace=False,
        )
    return path


@pytest.fixture
def free_port() -> int:
    return support.free_port()


def _short_dir() -> Path:
    # Unix socket paths are limited to 107 bytes: keep these directories short.
    return Path(tempfile.mkdtemp(prefix="afit-", dir="/tmp"))


@pytest.fixture
def short_tmp():
    path = _short_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def backend_factory(short_tmp, auth_bin):
    """make(args=[...], env={...}) -> a started support.Backend; all are stopped at teardown."""
    started: list[support.Backend] = []

    def make(args=None, env=None, start=True) -> support.Backend:
        b = support.Backend(auth_bin, short_tmp / f"b{len(started)}", args=args, env=env)
        started.append(b)
        return b.start() if start else b

    yield make
    for b in started:
        if b.proc is not None and b.proc.poll() is None:
            support.stop_popen(b.proc)


@pytest.fixture
def backend(backend_factory) -> support.Backend:
    return backend_factory()


def _stack_factory(auth_bin):
    stacks: list[support.Stack] = []
    dirs: list[Path] = []

    def make(env=None, start=True, binary=None) -> support.Stack:
        d = _short_dir()
        dirs.append(d)
        s = support.Stack(d / "run-dir", binary or auth_bin, env=env)
        stacks.append(s)
        return s.start() if start else s

    def finish():
        errors = []
        try:
            for s in stacks:
                try:
                    s.stop()
                except Exception as e:  # keep stopping the others
                    errors.append(f"{type(e).__name__}: {e}")
        finally:
            for d in dirs:
                shutil.rmtree(d, ignore_errors=True)
        assert not errors, "\n".join(errors)

    return make, finish


@pytest.fixture
def stack_factory(auth_bin):
    """make(env={...}) -> a started support.Stack; teardown stops each one and asserts a clean exit."""
    make, finish = _stack_factory(auth_bin)
    yield make
    finish()


@pytest.fixture(scope="module")
def module_stack_factory(auth_bin):
    """Like stack_factory, for a module of tests that only read from the stack."""
    make, finish = _stack_factory(auth_bin)
    yield make
    finish()


@pytest.fixture
def wrapped_stack(short_tmp, auth_bin, stack_factory) -> support.Stack:
    """A stack whose backend runs under support.BackendWrapper (stack.wrapper): the test
    can stop the real backend (stack.wrapper.real_pid()) and read its exit code while
    serve-local and nginx keep running."""
    wrapper = support.BackendWrapper(short_tmp / "wrapper", auth_bin)
    st = stack_factory(binary=wrapper.path, env=wrapper.env)
    st.wrapper = wrapper
    return st


@pytest.fixture
def stack(stack_factory) -> support.Stack:
    return stack_factory()


@pytest.fixture(scope="module")
def shared_stack(module_stack_factory) -> support.Stack:
    """One default stack for a module of read-only tests (no test changes its state)."""
    return module_stack_factory()
