"""API property tests (issue 9, item 2): Schemathesis generates requests from the served
OpenAPI document (GET /api/openapi.json, through nginx) and checks every response: no 5xx,
and status code, media type, headers and body conform to the document.

Two runs, each against its own fresh stack: anonymous (no Authorization header), and with a
valid admin access token on every case (schemathesis_hooks.py: an admin registered with
ADMIN_REGISTRATION_KEY, logged in again whenever a case may have spent its token).

`schemathesis run` runs as a subprocess (its CLI is the stable interface across releases)
with every phase (examples, coverage, fuzzing, stateful), one worker and a fixed seed, so a
run is reproducible. `make test`: ST_MAX_EXAMPLES (20) cases per operation and phase, about
15 s per run. AUTH_SOAK=1 (`make soak`): 200 per operation and phase. The JSON report of a
failed run is printed with the failure.

test_document_email_pattern_is_the_services_rule keeps the document's email pattern equal to
the service's rule (Schemathesis's positive_data_acceptance check once found them apart).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from api_client import start_api

SOAK = os.environ.get("AUTH_SOAK") == "1"
MAX_EXAMPLES = int(os.environ.get("ST_MAX_EXAMPLES") or (200 if SOAK else 20))
SEED = int(os.environ.get("ST_SEED") or 20261126)
RUN_TIMEOUT = 1800 if SOAK else 240  # seconds, for the whole subprocess
ADMIN_KEY = "schemathesis-admin-registration-key-01"
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]


def run_schemathesis(base_url: str, workdir: Path, env: dict | None = None) -> tuple[dict, str, float]:
    """`schemathesis run` against the stack's document; returns (JSON report, output, seconds)."""
    try:
        import schemathesis  # noqa: F401  (the subprocess runs its CLI)
    except ImportError:
        pytest.fail("Schemathesis is not installed: scripts/install-deps test (pip install schemathesis)",
                    pytrace=False)
    report = workdir / "report.json"
    cmd = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{base_url}/api/openapi.json",
        "--checks", ",".join(CHECKS),
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED),
        "--workers", "1",
        "--generation-database", "none",
        # Hypothesis' generation-speed health check depends on the machine's load, not the API.
        "--suppress-health-check", "too_slow",
        "--request-timeout", "15",
        "--no-color",
        "--report", "json", "--report-json-path", str(report),
    ]
    started = time.monotonic()
    # cwd: a temp dir, so no schemathesis.toml or .hypothesis directory is picked up or left behind.
    proc = subprocess.run(cmd, cwd=workdir, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=RUN_TIMEOUT)
    seconds = time.monotonic() - started
    output = proc.stdout + proc.stderr
    assert report.exists(), f"schemathesis wrote no report (exit {proc.returncode}):\n{output[-8000:]}"
    data = json.loads(report.read_text())
    assert proc.returncode == 0 and data["exit_code"] == 0, (
        f"schemathesis found problems (exit {proc.returncode}):\n{output[-12000:]}\n"
        f"failures: {json.dumps(data.get('failures'), indent=1)[:8000]}\n"
        f"errors: {json.dumps(data.get('errors'), indent=1)[:4000]}")
    return data, output, seconds


def check_report(data: dict, doc: dict, output: str) -> None:
    documented = {f"{m.upper()} {p}" for p, ops in doc["paths"].items() for m in ops
                  if m in ("get", "put", "post", "patch", "delete")}
    # Schemathesis leaves out the operation that serves the document it was loaded from.
    expected = len(documented - {"GET /api/openapi.json"})
    ops = data["operations"]
    assert data["complete"] and data["stop_reason"] == "completed", output[-4000:]
    assert ops["errored"] == 0 and ops["skipped"] == 0, output[-4000:]
    assert ops["tested"] == ops["selected"] >= expected, (ops, sorted(documented))
    for name, phase in data["phases"].items():
        assert phase["status"] in ("success", "skipped"), (name, phase, output[-4000:])
    assert data["phases"]["fuzzing"]["status"] == "success", data["phases"]
    cases = data["test_cases"]
    assert cases["with_failures"] == 0 and cases["errored"] == 0, cases
    assert cases["generated"] >= expected * MAX_EXAMPLES // 2, cases
    assert data["failures"] == [] and data["errors"] == [], (data["failures"], data["errors"])


def fetch_document(base_url: str) -> dict:
    r = requests.get(f"{base_url}/api/openapi.json", timeout=10)
    assert r.status_code == 200
    return r.json()


def test_schemathesis_anonymous(stack_factory, short_tmp):
    api = start_api(stack_factory)
    base = api.stack.base_url
    data, output, seconds = run_schemathesis(base, short_tmp)
    check_report(data, fetch_document(base), output)
    health = requests.get(f"{base}/api/health", timeout=10)
    assert health.status_code == 200, health.text
    print(f"schemathesis anonymous: {data['test_cases']['generated']} cases, "
          f"{data['operations']['tested']} operations, {seconds:.1f} s")


def test_schemathesis_admin_token(stack_factory, short_tmp):
    api = start_api(stack_factory, ADMIN_REGISTRATION_KEY=ADMIN_KEY)
    base = api.stack.base_url
    data, output, seconds = run_schemathesis(base, short_tmp, env={
        "SCHEMATHESIS_HOOKS": str(HOOKS), "ST_BASE_URL": base, "ST_ADMIN_KEY": ADMIN_KEY})
    check_report(data, fetch_document(base), output)
    # The run really was authenticated: the hooks registered an admin, and generated
    # requests to the admin-only list were answered 200.
    admins = api.db.query("SELECT count(*) FROM users WHERE role = 'ADMIN' AND username LIKE 'stadmin%'")[0][0]
    assert admins >= 1
    log = (api.stack.run_dir / "log" / "nginx-access.log").read_text(errors="replace")
    listed = [line for line in log.splitlines()
              if '"GET /api/users' in line and '" 200 ' in line and "schemathesis" in line]
    assert listed, "no generated GET /api/users answered 200: the admin token was not used"
    health = requests.get(f"{base}/api/health", timeout=10)
    assert health.status_code == 200, health.text
    print(f"schemathesis admin: {data['test_cases']['generated']} cases, "
          f"{data['operations']['tested']} operations, {seconds:.1f} s")


def test_document_email_pattern_is_the_services_rule(stack_factory):
    import jsonschema

    api = start_api(stack_factory)
    doc = fetch_document(api.stack.base_url)
    refused = []
    for email in ("a\x7fb@example.com", "ab@exa\x01mple.com", "a\x00b@example.com", "a\u0085b@example.com",
                  # contract §1 (v2)
                  "eve,victim@evil.com", "<x>@evil.com", "a>b@evil.com", '"a"@evil.com', "a..b@evil.com",
                  "a" * 65 + "@evil.com", "a@-evil.com", "a@evil_x.com"):
        allowed_by = [name for name in ("RegisterRequest", "CreateUserRequest", "UpdateUserRequest",
                                        "ForgotPasswordRequest")
                      if jsonschema.Draft202012Validator(
                          doc["components"]["schemas"][name]["properties"]["email"]).is_valid(email)]
        if allowed_by and api.register(api.registration(email=email)).status_code == 422:
            refused.append((email, allowed_by))
    assert not refused, f"emails the document allows but the service refuses (422): {refused}"
