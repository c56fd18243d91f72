"""The docs page at /api/docs/ (issue 6, item 2): served by nginx, Swagger UI from an
installed package, rendering /api/openapi.json. Checked in Debian's headless `chromium`
with every host but 127.0.0.1 unreachable (the page works offline): the rendered DOM shows
one operation block per operation of the document, the console shows no error and no
Content-Security-Policy violation, and a screenshot is a real PNG.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests

from support import media_type

CHROMIUM_TIMEOUT = 120  # seconds, per browser run
VIRTUAL_TIME_BUDGET_MS = 30000
WINDOW = (1280, 2400)


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("chromium not found: install it with `scripts/install-deps test` (Debian package chromium)",
                pytrace=False)


@pytest.fixture(scope="module")
def docs_url(shared_stack) -> str:
    return shared_stack.url("/api/docs/")


@pytest.fixture(scope="module")
def operations(shared_stack) -> set[tuple[str, str]]:
    """(METHOD, path) of every operation of the served OpenAPI document."""
    doc = requests.get(shared_stack.url("/api/openapi.json"), timeout=10).json()
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return {(m.upper(), path) for path, item in doc["paths"].items() for m in item if m in methods}


def run_chromium(chromium: str, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """One headless chromium run in its own session and profile; killed (its whole process
    group) if it outlives CHROMIUM_TIMEOUT."""
    command = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
        "--disable-background-networking", "--disable-component-update",
        f"--user-data-dir={workdir / 'profile'}",
        # Offline: every host but 127.0.0.1 fails to resolve, so a CDN reference would break.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--enable-logging=stderr", "--v=0",
        f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        *args,
    ]
    env = dict(os.environ, HOME=str(workdir))
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, cwd=workdir, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=CHROMIUM_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"chromium didn't finish within {CHROMIUM_TIMEOUT}s:\n{err.decode(errors='replace')[-3000:]}")
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


@pytest.fixture
def workdir():
    path = Path(tempfile.mkdtemp(prefix="afit-chromium-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


class OperationBlocks(HTMLParser):
    """Collects (METHOD, path) of Swagger UI's operation blocks: the text of
    `span.opblock-summary-method` and the `data-path` of the `span.opblock-summary-path` after it."""

    def __init__(self):
        super().__init__()
        self.blocks: list[tuple[str, str]] = []
        self._in_method = False
        self._method: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "span" and "opblock-summary-method" in classes:
            self._in_method = True
            self._method = ""
        elif tag == "span" and "opblock-summary-path" in classes and self._method:
            self.blocks.append((self._method.strip(), attributes.get("data-path", "")))
            self._method = None

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_method = False

    def handle_data(self, data):
        if self._in_method:
            self._method += data


def console_lines(stderr: bytes) -> list[str]:
    return [line for line in stderr.decode(errors="replace").splitlines() if ":CONSOLE" in line]


def test_docs_page_renders_every_operation(chromium, docs_url, operations, workdir):
    result = run_chromium(chromium, workdir, "--dump-dom", docs_url)
    dom = result.stdout.decode(errors="replace")
    log = result.stderr.decode(errors="replace")
    assert result.returncode == 0, f"chromium exited with {result.returncode}:\n{log[-3000:]}"
    assert 'id="swagger-ui"' in dom, dom[:2000]
    assert "Unable to render this definition" not in dom, "Swagger UI can't render the document"
    assert "Failed to load API definition" not in dom

    parser = OperationBlocks()
    parser.feed(dom)
    rendered = set(parser.blocks)
    assert len(parser.blocks) == len(rendered), f"an operation is rendered twice: {parser.blocks}"
    assert ("POST", "/api/auth/login") in rendered, sorted(rendered)
    for method in ("GET", "PATCH", "PUT", "DELETE"):
        assert (method, "/api/users/{id}") in rendered, sorted(rendered)
    assert rendered == operations, (
        f"missing: {sorted(operations - rendered)}, unexpected: {sorted(rendered - operations)}")
    assert 'id="operations-Auth-login"' in dom

    # Nothing refused by the page's Content-Security-Policy, no script error, no failed load.
    problems = [line for line in console_lines(result.stderr)
                if re.search(r"Content Security Policy|Refused to|Uncaught|Failed to load", line)]
    assert not problems, "\n".join(problems)


def test_docs_page_screenshot_is_a_png(chromium, docs_url, workdir):
    shot = workdir / "docs.png"
    result = run_chromium(chromium, workdir, f"--screenshot={shot}", docs_url)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-3000:]
    assert shot.is_file() and shot.stat().st_size > 0, "no screenshot written"
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert (width, height) == WINDOW, (width, height)
    # Not a blank page: the decoded pixels take many different values.
    idat = b""
    offset = 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        if kind == b"IDAT":
            idat += data[offset + 8:offset + 8 + length]
        offset += 12 + length
    pixels = zlib.decompress(idat)
    assert len(set(pixels[:: max(1, len(pixels) // 200000)])) > 16, "the screenshot looks blank"


def test_docs_urls_and_headers(shared_stack):
    r = requests.get(shared_stack.url("/api/docs"), allow_redirects=False, timeout=10)
    assert r.status_code == 301 and r.headers["Location"] == "/api/docs/", (r.status_code, r.headers)

    page = requests.get(shared_stack.url("/api/docs/"), timeout=10)
    assert page.status_code == 200 and media_type(page) == "text/html"
    csp = page.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, csp
    assert page.headers.get("X-Content-Type-Options") == "nosniff"
    assert "<script>" not in page.text and "/api/openapi.json" in page.text
    for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page.text):
        assert not re.match(r"(?i)^(https?:)?//", src), f"the page loads {src} from elsewhere"

    for path, mime in [("/api/docs/docs.js", "text/javascript"),
                       ("/api/docs/swagger-ui/swagger-ui-bundle.js", "text/javascript"),
                       ("/api/docs/swagger-ui/swagger-ui.css", "text/css")]:
        r = requests.get(shared_stack.url(path), timeout=10)
        assert r.status_code == 200, f"{path}: {r.status_code}"
        assert media_type(r) == mime, f"{path}: {r.headers.get('Content-Type')}"
        assert len(r.content) > 100, path
    script = requests.get(shared_stack.url("/api/docs/docs.js"), timeout=10).text
    assert '"/api/openapi.json"' in script

    # Only the files the page uses; anything else under /api/docs/ is a problem+json 404.
    for path in ("/api/docs/swagger-ui/index.html", "/api/docs/no-such-file"):
        r = requests.get(shared_stack.url(path), timeout=10)
        assert r.status_code == 404 and media_type(r) == "application/problem+json", (path, r.status_code)
        assert r.json()["code"] == "not_found"
