"""Parallel requests through nginx to a backend with several worker processes and threads:
uniqueness holds without 500s, lockout counting and refresh rotation are atomic."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from api_client import Api, assert_json, assert_problem, assert_unauthorized, start_api, unique
from support import SourceAddressAdapter

THRESHOLD = 5  # the default LOCKOUT_THRESHOLD


@pytest.fixture(scope="module")
def api(module_stack_factory) -> Api:
    return start_api(module_stack_factory, FCGI_WORKERS=2, FCGI_THREADS=8,
                     LOCKOUT_THRESHOLD=THRESHOLD, LOCKOUT_SECONDS=900)


def in_parallel(api, bodies, call):
    """Runs call(client, body) for each body at once (a barrier lines the threads up)."""
    barrier = threading.Barrier(len(bodies))

    def run(body):
        client = api.clone()
        barrier.wait(timeout=20)
        return call(client, body)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(run, bodies))


def test_50_parallel_registrations_all_succeed(api):
    bodies = [Api.registration() for _ in range(50)]
    responses = in_parallel(api, bodies, lambda c, b: c.register(b))
    users = [assert_json(r, 201)["user"] for r in responses]
    assert len({u["id"] for u in users}) == 50
    assert sorted(u["username"] for u in users) == sorted(b["username"] for b in bodies)
    # Every one of them is a real, working account.
    sample = bodies[::10]
    for body in sample:
        assert_json(api.login({"username": body["username"], "password": body["password"]}), 200)


def test_20_parallel_registrations_of_one_username(api):
    name = unique("race")
    bodies = [Api.registration(username=name if i % 2 else name.upper(), email=f"{unique('r')}@example.com")
              for i in range(20)]
    responses = in_parallel(api, bodies, lambda c, b: c.register(b))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19, statuses
    for r in responses:
        if r.status_code == 409:
            assert_problem(r, 409, "username_taken")


def test_20_parallel_registrations_of_one_email(api):
    email = f"{unique('same')}@example.com"
    bodies = [Api.registration(email=email if i % 2 else email.upper()) for i in range(20)]
    responses = in_parallel(api, bodies, lambda c, b: c.register(b))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19, statuses
    for r in responses:
        if r.status_code == 409:
            assert_problem(r, 409, "email_taken")


def test_parallel_wrong_passwords_lock_the_account(api):
    account = api.new_user()
    bodies = [{"username": account.username, "password": f"wrong password {i}"} for i in range(8)]
    responses = in_parallel(api, bodies, lambda c, b: c.login(b))
    for r in responses:
        assert r.status_code in (401, 423), (r.status_code, r.content)
    r = api.login({"username": account.username, "password": account.password})
    assert_problem(r, 423, "account_locked")


def test_20_parallel_wrong_logins_check_the_password_at_most_threshold_times(api):
    # Contract §5 Security (v2): each attempt is reserved before the password is checked, so
    # of 20 simultaneous wrong logins exactly THRESHOLD are checked and answered 401 and the
    # rest are refused as locked, whatever the interleaving across processes and threads.
    account = api.new_user()
    bodies = [(i, {"username": account.username, "password": f"wrong password {i}"}) for i in range(20)]

    def login_from_own_address(client, body):
        # nginx allows a burst of 10 logins per client address: one address per client.
        index, credentials = body
        client.http.mount("http://", SourceAddressAdapter(f"127.0.1.{index + 1}"))
        return client.login(credentials)

    responses = in_parallel(api, bodies, login_from_own_address)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [401] * THRESHOLD + [423] * (20 - THRESHOLD), (statuses, [r.content for r in responses])
    for r in responses:
        if r.status_code == 401:
            assert_unauthorized(r, "invalid_credentials", presented=False)
        else:
            assert_problem(r, 423, "account_locked")
    assert_problem(api.login({"username": account.username, "password": account.password}), 423, "account_locked")


def test_parallel_use_of_one_refresh_token_succeeds_once(api):
    account = api.new_user()
    pair = api.login_as(account)
    responses = in_parallel(api, [pair.refresh] * 8, lambda c, token: c.refresh(token))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [401] * 7, statuses
    for r in responses:
        if r.status_code == 401:
            assert_unauthorized(r, "token_revoked")
