"""nginx limit_req zones for login, forgot-password, registration and verification resend
(RATE_LIMIT_LOGIN / RATE_LIMIT_FORGOT / RATE_LIMIT_REGISTER / RATE_LIMIT_RESEND), each an nginx rate optionally followed by
` burst=N` (contract §5 Security (v2))."""

import pytest
import requests

import support
from support import assert_problem

ATTEMPTS = 40

ROUTES = [
    ("/api/auth/login", b'{"username": "nobody", "password": "wrong-password"}'),
    ("/api/auth/password/forgot", b'{"email": "nobody@example.com"}'),
    # contract §5 Security (v2): wrong admin keys and full hashes are throttled too
    ("/api/auth/register", b'{"username": "x", "admin_key": "wrong"}'),
    # contract §3 Email verification (v2): each resend may mail a token
    ("/api/auth/email/resend", b'{"email": "nobody@example.com"}'),
]

# The bursts api-locations.conf ships, kept when a RATE_LIMIT_* names no burst.
SHIPPED_BURST = {"/api/auth/login": 10, "/api/auth/password/forgot": 5, "/api/auth/register": 10,
                 "/api/auth/email/resend": 5}
SETTINGS = ("RATE_LIMIT_LOGIN", "RATE_LIMIT_FORGOT", "RATE_LIMIT_REGISTER", "RATE_LIMIT_RESEND")


@pytest.fixture(scope="module")
def limited(module_stack_factory):
    return module_stack_factory(env=dict.fromkeys(SETTINGS, "1r/m"))


@pytest.fixture(scope="module")
def bursting(module_stack_factory):
    return module_stack_factory(env=dict.fromkeys(SETTINGS, "1r/m burst=2"))


def statuses_until_429(stack, path, body):
    """POSTs body to path until a 429 (checked: rate_limited, Retry-After of one interval at
    1r/m) or ATTEMPTS; returns the statuses."""
    statuses = []
    with requests.Session() as s:
        for _ in range(ATTEMPTS):
            r = s.post(stack.url(path), data=body, headers={"Content-Type": "application/json"}, timeout=10)
            statuses.append(r.status_code)
            if r.status_code == 429:
                assert_problem(r, 429, "rate_limited")
                assert r.headers["Retry-After"] == "60", r.headers  # one request interval at 1r/m
                break
    assert statuses[-1] == 429, f"no 429 after {ATTEMPTS} POSTs to {path}: {statuses}"
    assert all(s < 500 for s in statuses), statuses
    return statuses


@pytest.mark.parametrize("path,body", ROUTES)
def test_repeated_posts_get_429_after_the_shipped_burst(limited, path, body):
    statuses = statuses_until_429(limited, path, body)
    # nodelay: the first request plus `burst` more pass at once, the next one is refused.
    assert len(statuses) == 1 + SHIPPED_BURST[path] + 1, statuses


@pytest.mark.parametrize("path,body", ROUTES)
def test_a_burst_in_the_setting_replaces_the_shipped_one(bursting, path, body):
    statuses = statuses_until_429(bursting, path, body)
    assert len(statuses) == 4, statuses  # statuses_until_429 stops at the first 429


def test_health_is_not_rate_limited(limited):
    with requests.Session() as s:
        statuses = [s.get(limited.url("/api/health"), timeout=10).status_code for _ in range(ATTEMPTS)]
    assert set(statuses) == {200}, statuses


# --- RATE_LIMIT_* is checked at start (contract §1: a clear one-line error naming the variable)

BAD_BURST = "burst must be a positive whole number"
BAD_RATE = "must be an nginx rate like 10r/s or 5r/m"


@pytest.mark.parametrize("name,value,rule", [
    ("RATE_LIMIT_LOGIN", "10r/s burst=0", BAD_BURST),
    ("RATE_LIMIT_LOGIN", "10r/s burst=x", BAD_BURST),
    ("RATE_LIMIT_FORGOT", "5r/m burst=", BAD_BURST),
    ("RATE_LIMIT_REGISTER", "5r/m burst=-1", BAD_BURST),
    ("RATE_LIMIT_REGISTER", "5r/m burst=2.5", BAD_BURST),
    ("RATE_LIMIT_LOGIN", "10r/h", BAD_RATE),
    ("RATE_LIMIT_RESEND", "fast", BAD_RATE),
    ("RATE_LIMIT_FORGOT", "0r/s", BAD_RATE),
    ("RATE_LIMIT_REGISTER", "off burst=3", BAD_RATE),
])
def test_a_bad_rate_or_burst_refuses_to_start(auth_bin, short_tmp, name, value, rule):
    lines = support.serve_local_refusal(auth_bin, short_tmp, **{name: value})
    assert len(lines) == 1 and name in lines[0] and f"got '{value}'" in lines[0], lines
    assert rule in lines[0], lines


def test_off_means_no_limit(module_stack_factory):
    unlimited = module_stack_factory(env={"RATE_LIMIT_RESEND": "off"})
    with requests.Session() as s:
        statuses = [s.post(unlimited.url("/api/auth/email/resend"), json={"email": "nobody@example.com"},
                           timeout=10).status_code for _ in range(ATTEMPTS)]
    assert set(statuses) == {202}, statuses
