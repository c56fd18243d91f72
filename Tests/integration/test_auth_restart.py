"""Revocations are stored, not kept in memory: they survive a restart of the stack on the
same RUN_DIR (same SQLite file), JWT_SECRET_KEY and MFA_SECRET_KEY."""

import support
from api_client import Api, Pair, assert_json, assert_no_content, assert_unauthorized, auth_env


def test_revocations_survive_a_restart(stack_factory, auth_bin):
    env = auth_env()
    first = stack_factory(env=env)
    api = Api(first)
    account = api.new_user()
    other = api.new_user()

    rotated = api.login_as(account)                                   # refresh token rotated out
    rotated_new = Pair(assert_json(api.refresh(rotated.refresh), 200))
    logged_out = api.login_as(account)                                # logout
    assert_no_content(api.logout(logged_out.access))
    deleted = api.login_as(account)                                   # deleted via the sessions endpoint
    assert_no_content(api.delete_session(rotated_new.access, deleted.sid))
    alive = api.login_as(account)                                     # untouched
    everything = [api.login_as(other), api.login_as(other)]           # logout-all
    assert_no_content(api.logout_all(everything[0].access))

    first.stop()
    second = support.Stack(first.run_dir, auth_bin, env=env)
    try:
        second.start()
        api = Api(second)
        for pair in (logged_out, deleted, *everything):
            assert_unauthorized(api.whoami(pair.access), "token_revoked")
            assert_unauthorized(api.refresh(pair.refresh), "token_revoked")
        # Live tokens signed before the restart still work.
        assert api.whoami_ok(alive.access)["id"] == account.id
        assert_json(api.refresh(alive.refresh), 200)
        assert api.whoami_ok(rotated.access)["id"] == account.id
        # The rotated-out refresh token is still known as used: reuse revokes its session.
        assert_unauthorized(api.refresh(rotated.refresh), "token_revoked")
        assert_unauthorized(api.whoami(rotated_new.access), "token_revoked")
        assert_unauthorized(api.refresh(rotated_new.refresh), "token_revoked")
        # Accounts and passwords persisted too.
        api.login_as(account)
        api.login_as(other)
    finally:
        second.stop()
