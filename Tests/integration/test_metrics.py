"""GET /api/metrics (issue 21) through the real nginx and backend, on the suite's database.

Parsed with prometheus_client's text parser; every family of the catalogue is there with
its type, and the counters move by exactly what the test did (deltas between scrapes: a
scrape is a request too, counted under the route "/api/metrics"). nginx answers a client
outside metrics-allow.conf (a connection from 127.0.0.2, which the shipped loopback
allowlist of 127.0.0.1 and ::1 leaves out) with the 403 problem. With `--workers 2` the
counters live in shared memory: exact across the workers, kept when one is SIGKILLed and
replaced. CGI mode has no metrics (404). The Grafana dashboard in conf/grafana/ asks only
for metrics of the catalogue.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

import api_client
import support
from api_client import assert_json, assert_no_content, start_api
from support import assert_problem, children_of, wait_for
from test_cgi import run_cgi

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# The catalogue (common brief of issue 21): family name as the parser reports it (a
# counter without its `_total`) -> type.
CATALOGUE = {
    "auth_fcgi_build_info": "gauge",
    "auth_fcgi_start_time_seconds": "gauge",
    "auth_fcgi_uptime_seconds": "gauge",
    "auth_fcgi_http_requests": "counter",
    "auth_fcgi_http_request_duration_seconds": "histogram",
    "auth_fcgi_logins": "counter",
    "auth_fcgi_token_refreshes": "counter",
    "auth_fcgi_revocations": "counter",
    "auth_fcgi_mails": "counter",
    "auth_fcgi_password_hash_duration_seconds": "histogram",
    "auth_fcgi_database_errors": "counter",
    "auth_fcgi_workers_alive": "gauge",
    "auth_fcgi_worker_restarts": "counter",
}
BUCKETS = ["0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]
LOGIN_OUTCOMES = {"success", "wrong_password", "unknown_user", "locked", "disabled", "email_not_verified",
                  "mfa_required", "mfa_wrong_code", "mfa_challenge_invalid"}
REFRESH_OUTCOMES = {"success", "reuse_detected", "rejected"}
MAIL_OUTCOMES = {"sent", "failed"}

REQUESTS = "auth_fcgi_http_requests_total"
DURATION = "auth_fcgi_http_request_duration_seconds"
METRICS_ROUTE = "/api/metrics"


# --- scraping -------------------------------------------------------------------------------

@dataclass
class Scrape:
    families: dict  # family name -> prometheus_client Metric
    samples: dict  # (sample name, frozenset of labels) -> value

    def value(self, name: str, **labels) -> float:
        """A sample's value; 0 for a series that is not listed (it never happened)."""
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def series(self, name: str) -> list[tuple[dict, float]]:
        return [(dict(labels), v) for (n, labels), v in self.samples.items() if n == name]

    def requests(self, route: str, method: str, status: int) -> float:
        return self.value(REQUESTS, route=route, method=method, status=str(status))

    def counter_samples(self) -> dict:
        """Every sample of the counters and histograms: none may ever go down."""
        kinds = {name for name, f in self.families.items() if f.type in ("counter", "histogram")}
        return {key: v for key, v in self.samples.items() if _family_of(key[0]) in kinds}


def _family_of(sample_name: str) -> str:
    for suffix in ("_total", "_bucket", "_count", "_sum"):
        if sample_name.endswith(suffix) and sample_name[: -len(suffix)] in CATALOGUE:
            return sample_name[: -len(suffix)]
    return sample_name


def scrape(http: requests.Session, stack: support.Stack) -> Scrape:
    r = http.get(stack.url("/api/metrics"), timeout=10)
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    assert r.headers.get("Content-Type") == CONTENT_TYPE
    assert len(support.header_values(r, "X-Request-ID")) == 1
    families = {f.name: f for f in text_string_to_metric_families(r.text)}
    samples = {}
    for f in families.values():
        for s in f.samples:
            key = (s.name, frozenset(s.labels.items()))
            assert key not in samples, f"series listed twice: {s}"
            samples[key] = s.value
    return Scrape(families, samples)


def assert_never_decreased(before: Scrape, after: Scrape) -> None:
    later = after.counter_samples()
    for key, value in before.counter_samples().items():
        assert key in later, f"series {key} disappeared"
        assert later[key] >= value, f"{key} went back from {value} to {later[key]}"


@pytest.fixture(scope="module")
def api(module_stack_factory) -> api_client.Api:
    # Registrations mail nothing: a verification mail goes out in the background after the
    # answer, so it could be counted in the window of whichever test scrapes next.
    return start_api(module_stack_factory, EMAIL_VERIFICATION="off")


# --- the format and the catalogue ---------------------------------------------------------

def test_every_family_of_the_catalogue(api, auth_bin):
    s = scrape(api.http, api.stack)
    for name, kind in CATALOGUE.items():
        assert name in s.families, f"{name} missing; families: {sorted(s.families)}"
        assert s.families[name].type == kind, (name, s.families[name].type)
        assert s.families[name].documentation, f"{name} has no # HELP text"

    (labels, value), = s.series("auth_fcgi_build_info")
    version = subprocess.run([str(auth_bin), "--version"], capture_output=True, text=True, check=True).stdout
    m = re.fullmatch(r"auth-fcgi (\S+)(?: \(commit ([0-9a-f]{12}(?:-dirty)?)\))?\n", version)
    assert m, version
    assert labels == {"version": m.group(1), "commit": m.group(2) or ""} and value == 1

    now = time.time()
    start = s.value("auth_fcgi_start_time_seconds")
    uptime = s.value("auth_fcgi_uptime_seconds")
    assert now - 600 < start <= now, start
    assert 0 <= uptime <= now - start + 1, (uptime, now - start)
    assert s.value("auth_fcgi_workers_alive") == 1
    assert s.value("auth_fcgi_worker_restarts_total") == 0

    # Outcomes listed even at 0.
    assert {l["outcome"] for l, _ in s.series("auth_fcgi_logins_total")} == LOGIN_OUTCOMES
    assert {l["outcome"] for l, _ in s.series("auth_fcgi_token_refreshes_total")} == REFRESH_OUTCOMES
    assert {l["outcome"] for l, _ in s.series("auth_fcgi_mails_total")} == MAIL_OUTCOMES
    assert {"logout", "logout_all"} <= {l["reason"] for l, _ in s.series("auth_fcgi_revocations_total")}

    for labels, _ in s.series(f"{DURATION}_bucket"):
        assert set(labels) == {"route", "method", "le"}, labels


def test_requests_by_route_template(api):
    user = api.new_user()
    pair = api.login_as(user)
    before = scrape(api.http, api.stack)
    n = 7
    for _ in range(n):
        api.whoami_ok(pair.access)
    assert_json(api.get(f"/api/users/{user.id}", token=pair.access), 200)
    assert_problem(api.get("/api/no/such/route"), 404, "not_found")
    after = scrape(api.http, api.stack)

    assert after.requests("/api/auth/whoami", "GET", 200) - before.requests("/api/auth/whoami", "GET", 200) == n
    assert after.requests("/api/users/{id}", "GET", 200) - before.requests("/api/users/{id}", "GET", 200) == 1
    # A request that matches no route: route and method "other" (no label a client picks).
    assert after.requests("other", "other", 404) - before.requests("other", "other", 404) == 1
    # Between two scrapes, exactly one scrape happened (the first one).
    assert after.requests(METRICS_ROUTE, "GET", 200) - before.requests(METRICS_ROUTE, "GET", 200) == 1
    routes = {l["route"] for l, _ in after.series(REQUESTS)}
    assert not any(re.search(r"/\d+(/|$)", r) for r in routes), f"a concrete id in a route label: {routes}"
    assert_never_decreased(before, after)


def test_histograms_are_cumulative_and_match_the_requests(api):
    user = api.new_user()
    api.whoami_ok(api.login_as(user).access)
    s = scrape(api.http, api.stack)

    totals: dict[tuple[str, str], float] = {}
    for labels, v in s.series(REQUESTS):
        key = (labels["route"], labels["method"])
        totals[key] = totals.get(key, 0) + v
    counts = {(l["route"], l["method"]): v for l, v in s.series(f"{DURATION}_count")}
    assert counts == totals, "histogram _count per route and method != requests_total summed over statuses"

    for name, labelled in ((DURATION, True), ("auth_fcgi_password_hash_duration_seconds", False)):
        by_series: dict[tuple, list[tuple[float, float]]] = {}
        for labels, v in s.series(f"{name}_bucket"):
            key = tuple(sorted((k, x) for k, x in labels.items() if k != "le"))
            by_series.setdefault(key, []).append((float(labels["le"]), v))
        assert by_series, f"{name} has no buckets"
        for key, buckets in by_series.items():
            buckets.sort()
            bounds = [le for le, _ in buckets]
            assert bounds[-1] == float("inf") and len(set(bounds)) == len(bounds), (name, key, bounds)
            # The request histogram's bounds are the catalogue's; the hash histogram's its own.
            assert not labelled or bounds == [float(b) for b in BUCKETS], (name, key)
            values = [v for _, v in buckets]
            assert values == sorted(values), f"{name}{key} buckets not cumulative: {values}"
            labels = dict(key)
            assert values[-1] == s.value(f"{name}_count", **labels), (name, key)
            assert s.value(f"{name}_sum", **labels) >= 0
            assert not labelled or set(labels) == {"route", "method"}
    assert s.value("auth_fcgi_password_hash_duration_seconds_count") >= 2  # a registration, a login


# --- the domain counters ---------------------------------------------------------------------

def _delta(before: Scrape, after: Scrape, name: str, label: str, values) -> dict[str, float]:
    return {v: after.value(name, **{label: v}) - before.value(name, **{label: v}) for v in values}


def test_logins_by_outcome(api):
    user = api.new_user()
    before = scrape(api.http, api.stack)
    assert_problem(api.login({"username": user.username, "password": "wrong password!"}), 401, "invalid_credentials")
    assert_problem(api.login({"username": api_client.unique(), "password": "wrong password!"}), 401,
                   "invalid_credentials")
    api.login_as(user)
    after = scrape(api.http, api.stack)

    want = dict.fromkeys(LOGIN_OUTCOMES, 0)
    want.update(success=1, wrong_password=1, unknown_user=1)
    assert _delta(before, after, "auth_fcgi_logins_total", "outcome", LOGIN_OUTCOMES) == want
    # One password check per login (a dummy hash for the unknown user).
    hashes = "auth_fcgi_password_hash_duration_seconds_count"
    assert after.value(hashes) - before.value(hashes) == 3
    assert after.value("auth_fcgi_database_errors_total") == before.value("auth_fcgi_database_errors_total")


def test_refreshes_and_reuse_detection(api):
    pair = api.login_as(api.new_user())
    before = scrape(api.http, api.stack)
    assert_json(api.refresh(pair.refresh), 200)
    api_client.assert_unauthorized(api.refresh(pair.refresh), "token_revoked")  # reused
    assert api.refresh("not-a-token").status_code == 401
    after = scrape(api.http, api.stack)
    assert _delta(before, after, "auth_fcgi_token_refreshes_total", "outcome", REFRESH_OUTCOMES) == {
        "success": 1, "reuse_detected": 1, "rejected": 1}
    # The reuse ended the session.
    assert _delta(before, after, "auth_fcgi_revocations_total", "reason", ["refresh_reuse"]) == {"refresh_reuse": 1}


def test_revocations_count_the_events(api):
    """One count per event that ended sessions, however many it ended."""
    user = api.new_user()
    pairs = [api.login_as(user) for _ in range(3)]
    before = scrape(api.http, api.stack)
    assert_no_content(api.logout(pairs[0].access))
    assert_no_content(api.logout_all(pairs[1].access))  # ends the two sessions left
    after = scrape(api.http, api.stack)
    assert _delta(before, after, "auth_fcgi_revocations_total", "reason", ["logout", "logout_all"]) == {
        "logout": 1, "logout_all": 1}


def test_mails_sent(api):
    user = api.new_user()
    before = scrape(api.http, api.stack)
    assert api.post("/api/auth/password/forgot", {"email": user.email}).status_code == 202
    sent = wait_for(lambda: (s := scrape(api.http, api.stack)).value("auth_fcgi_mails_total", outcome="sent")
                    > before.value("auth_fcgi_mails_total", outcome="sent") and s, 10, "the reset mail to count")
    assert _delta(before, sent, "auth_fcgi_mails_total", "outcome", MAIL_OUTCOMES) == {"sent": 1, "failed": 0}


# --- who may read them -------------------------------------------------------------------------

def test_a_client_outside_the_allowlist_gets_403(api):
    before = scrape(api.http, api.stack)
    with requests.Session() as outsider:
        # 127.0.0.2 is loopback too, but not on the shipped allowlist (127.0.0.1, ::1).
        outsider.mount("http://", support.SourceAddressAdapter("127.0.0.2"))
        r = outsider.get(api.stack.url("/api/metrics"), timeout=10)
        assert_problem(r, 403, "forbidden")
        assert r.headers.get("Cache-Control") == "no-store"
        assert "auth_fcgi_" not in r.text
        # The rest of the API still answers it.
        assert outsider.get(api.stack.url("/api/health"), timeout=10).status_code == 200
    after = scrape(api.http, api.stack)
    # nginx refused it: the backend saw only the first scrape.
    metrics_seen = sum(v for l, v in after.series(REQUESTS) if l["route"] == METRICS_ROUTE) - sum(
        v for l, v in before.series(REQUESTS) if l["route"] == METRICS_ROUTE)
    assert metrics_seen == 1


def test_only_get_reads_them(api):
    r = api.post("/api/metrics", {})
    assert_problem(r, 405, "method_not_allowed")
    assert "GET" in {m.strip() for m in r.headers.get("Allow", "").split(",")}
    r = api.http.head(api.stack.url("/api/metrics"), timeout=10)
    assert r.status_code == 200 and r.content == b""


# --- across worker processes ---------------------------------------------------------------------

def test_counters_exact_across_workers_and_a_sigkill(stack_factory):
    st = stack_factory(env={"FCGI_WORKERS": "2"})
    sup = st.backend_pid()
    workers = wait_for(lambda: len(children_of(sup)) == 2 and children_of(sup), 15, "2 workers")
    scrapes: list[Scrape] = []  # every scrape, in order
    health = ("/api/health", "GET", 200)
    k, m = 40, 30

    with requests.Session() as http:
        def scraped() -> Scrape:
            scrapes.append(scrape(http, st))
            return scrapes[-1]

        def requests_and_scrapes(n: int) -> None:
            # nginx sends them over its kept backend connections, to whichever worker
            # holds each; the workers share their counters, so the totals are exact.
            for i in range(n):
                assert http.get(st.url("/api/health"), timeout=10).status_code == 200
                if i % 10 == 9:
                    scraped()

        first = scraped()
        requests_and_scrapes(k)
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        assert support.wait_pid_gone(victim, 10), f"worker {victim} survived SIGKILL"
        wait_for(lambda: len(children_of(sup)) == 2 and victim not in children_of(sup), 15,
                 f"a new worker to replace {victim}")
        requests_and_scrapes(m)
        last = wait_for(lambda: (s := scraped()).value("auth_fcgi_workers_alive") == 2 and s, 10,
                        "workers_alive to be 2 again")

    assert last.requests(*health) - first.requests(*health) == k + m
    assert last.value("auth_fcgi_worker_restarts_total") == 1
    assert last.value("auth_fcgi_workers_alive") == 2
    # The scrapes were counted too, each once, whichever worker answered.
    metrics = last.requests(METRICS_ROUTE, "GET", 200) - first.requests(METRICS_ROUTE, "GET", 200)
    assert metrics == len(scrapes) - 1
    for earlier, later in zip(scrapes, scrapes[1:]):
        assert_never_decreased(earlier, later)
    assert last.value("auth_fcgi_start_time_seconds") == first.value("auth_fcgi_start_time_seconds")


# --- CGI mode --------------------------------------------------------------------------------------

def test_cgi_mode_has_no_metrics(auth_bin, short_tmp):
    """One process per request counts nothing that outlives it: /api/metrics is unknown there."""
    assert_problem(run_cgi(auth_bin, short_tmp, path_info="/api/metrics"), 404, "not_found")


# --- the Grafana dashboard ---------------------------------------------------------------------------

DASHBOARD = support.REPO_ROOT / "conf" / "grafana" / "auth-fcgi-dashboard.json"


def _sample_names() -> set[str]:
    names = set()
    for family, kind in CATALOGUE.items():
        if kind == "counter":
            names.add(family + "_total")
        elif kind == "histogram":
            names.update(family + suffix for suffix in ("_bucket", "_sum", "_count"))
        else:
            names.add(family)
    return names


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def test_dashboard_asks_only_for_catalogue_metrics():
    doc = json.loads(DASHBOARD.read_text())
    assert doc["schemaVersion"] >= 36 and doc["title"] and doc["uid"]
    assert [i["name"] for i in doc["__inputs"]] == ["DS_PROMETHEUS"]
    assert doc["__inputs"][0]["pluginId"] == "prometheus"

    known = _sample_names()
    used: set[str] = set()
    exprs = [node["expr"] for node in _walk(doc) if isinstance(node.get("expr"), str)]
    assert len(exprs) >= 10, exprs
    for expr in exprs:
        names = set(re.findall(r"\b[a-z_][a-z0-9_]*_(?:total|bucket|sum|count|seconds|info|alive)\b", expr))
        names |= set(re.findall(r"\bauth_fcgi_[a-z0-9_]+\b", expr))
        assert names, f"no metric in {expr!r}"
        assert names <= known, f"{expr!r} names {sorted(names - known)}, not in the catalogue"
        used |= names
    # Every panel the issue names is there: each metric of the catalogue is shown.
    assert {_family_of(n) for n in used} == set(CATALOGUE), set(CATALOGUE) - {_family_of(n) for n in used}

    for panel in _walk(doc.get("panels", [])):
        if "targets" in panel:
            assert panel["datasource"] == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}, panel.get("title")
