"""nginx limit_req zones for login, forgot-password and registration (RATE_LIMIT_LOGIN /
RATE_LIMIT_FORGOT / RATE_LIMIT_REGISTER)."""

import pytest
import requests

from support import assert_problem

ATTEMPTS = 40


@pytest.fixture(scope="module")
def limited(module_stack_factory):
    return module_stack_factory(
        env={"RATE_LIMIT_LOGIN": "1r/m", "RATE_LIMIT_FORGOT": "1r/m", "RATE_LIMIT_REGISTER": "1r/m"})


@pytest.mark.parametrize("path,body", [
    ("/api/auth/login", b'{"username": "nobody", "password": "wrong-password"}'),
    ("/api/auth/password/forgot", b'{"email": "nobody@example.com"}'),
    # contract §5 Security (v2): wrong admin keys and full hashes are throttled too
    ("/api/auth/register", b'{"username": "x", "admin_key": "wrong"}'),
])
def test_repeated_posts_get_429(limited, path, body):
    statuses = []
    with requests.Session() as s:
        for _ in range(ATTEMPTS):
            r = s.post(limited.url(path), data=body, headers={"Content-Type": "application/json"}, timeout=10)
            statuses.append(r.status_code)
            if r.status_code == 429:
                assert_problem(r, 429, "rate_limited")
                assert r.headers["Retry-After"] == "60", r.headers  # one request interval at 1r/m
                break
    assert statuses[-1] == 429, f"no 429 after {ATTEMPTS} POSTs to {path}: {statuses}"
    assert all(s < 500 for s in statuses), statuses


def test_health_is_not_rate_limited(limited):
    with requests.Session() as s:
        statuses = [s.get(limited.url("/api/health"), timeout=10).status_code for _ in range(ATTEMPTS)]
    assert set(statuses) == {200}, statuses
