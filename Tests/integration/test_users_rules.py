"""The Users rules through nginx (contract §2, §3 "Users" rules, §5 precedence): role and
active are admin-only, an admin can't touch another ADMIN, promotion, the last active
admin, and the immediate effect of demotion, disabling and deletion on existing tokens.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from api_client import (
    assert_json, assert_no_content, assert_problem, assert_unauthorized, assert_validation,
)
from users_support import UsersApi, admin, api, member, start_users_api  # noqa: F401 (fixtures)


# --- role and active are the admin's -----------------------------------------------------

@pytest.mark.parametrize("method", ["PATCH", "PUT"])
@pytest.mark.parametrize("fields", [
    {"role": "USER"},  # its own current value
    {"active": True},  # its own current value
    {"role": "ADMIN"},
    {"active": False},
    {"first_name": "x", "role": "USER"},
])
def test_non_admin_sending_role_or_active_is_forbidden(api, member, fields, method):
    before = api.user_ok(member.token, member.id)
    assert_problem(api.patch_user(member.token, member.id, fields, method=method), 403, "forbidden")
    assert api.user_ok(member.token, member.id) == before  # nothing applied, not even first_name


def test_non_admin_role_precedence(api, admin, member):
    # validation (5) before the body-dependent 403 (7)
    assert_validation(api.patch_user(member.token, member.id, {"role": "USER", "username": "x"}),
                      {"username": "too_short"})
    assert_validation(api.patch_user(member.token, member.id, {"role": "ROOT"}), {"role": "invalid_value"})
    # the body-dependent 403 (7) before conflicts (8)
    assert_problem(api.patch_user(member.token, member.id, {"role": "USER", "username": admin.account.username}),
                   403, "forbidden")


# --- admin and another ADMIN -----------------------------------------------------------

@pytest.mark.parametrize("method", ["PATCH", "PUT"])
@pytest.mark.parametrize("fields", [
    {"first_name": "Changed"},
    {"active": False},
    {"role": "USER"},
    {"role": "ADMIN"},
    {},
])
def test_admin_may_not_change_another_admin(api, admin, fields, method):
    other = api.new_admin()
    before = api.user_ok(admin.token, other.id)
    assert_problem(api.patch_user(admin.token, other.id, fields, method=method), 403, "forbidden")
    assert api.user_ok(admin.token, other.id) == before
    api.listing(other.token)


def test_admin_on_another_admin_precedence(api, admin, member):
    other = api.new_admin()
    # validation (5) before the target-dependent 403 (7)
    assert_validation(api.patch_user(admin.token, other.id, {"username": "x"}), {"username": "too_short"})
    assert_problem(api.patch_user(admin.token, other.id, data=b"{", headers={"Content-Type": "application/json"}),
                   400, "malformed_json")
    # the 403 (7) before conflicts (8)
    assert_problem(api.patch_user(admin.token, other.id, {"username": member.account.username}), 403, "forbidden")


def test_admin_may_not_delete_another_admin(api, admin):
    other = api.new_admin()
    assert_problem(api.delete_user(admin.token, other.id), 403, "forbidden")
    assert api.user_ok(admin.token, other.id)["role"] == "ADMIN"
    api.listing(other.token)


def test_admin_may_read_another_admin(api, admin):
    other = api.new_admin()
    assert api.user_ok(admin.token, other.id)["id"] == other.id


def test_admin_changes_disables_and_deletes_users(api, admin, member):
    user = assert_json(api.patch_user(admin.token, member.id, {"last_name": "Set", "active": False}), 200)["user"]
    assert user["last_name"] == "Set" and user["active"] is False
    assert_no_content(api.delete_user(admin.token, member.id))


# --- promotion and demotion -------------------------------------------------------------

def test_promote_user_to_admin_takes_effect_on_existing_token(api, admin, member):
    assert_problem(api.list_users(member.token), 403, "forbidden")
    user = assert_json(api.patch_user(admin.token, member.id, {"role": "ADMIN"}), 200)["user"]
    assert user["role"] == "ADMIN"
    # the token still says role USER; the current row decides
    api.listing(member.token)
    me = api.user_ok(member.token, member.id)
    assert me["role"] == "ADMIN" and "locked_until" in me
    # now it is another ADMIN for the first admin
    assert_problem(api.patch_user(admin.token, member.id, {"role": "USER"}), 403, "forbidden")


def test_self_demotion_takes_effect_on_next_request(api, admin, member):
    assert_json(api.patch_user(admin.token, member.id, {"role": "ADMIN"}), 200)
    api.listing(member.token)
    # an admin may demote itself while another active admin exists
    user = assert_json(api.patch_user(member.token, member.id, {"role": "USER"}), 200)["user"]
    assert user["role"] == "USER"
    assert_problem(api.list_users(member.token), 403, "forbidden")
    assert_problem(api.get_user(member.token, admin.id), 403, "forbidden")
    assert set(api.user_ok(member.token, member.id)) == set(user) - {"locked_until"}
    # and it is a USER again for the admin
    assert_json(api.patch_user(admin.token, member.id, {"first_name": "Demoted"}), 200)


def test_self_disable_and_delete_of_a_non_last_admin(api, admin):
    one = api.new_admin()
    assert assert_json(api.patch_user(one.token, one.id, {"active": False}), 200)["user"]["active"] is False
    assert_problem(api.list_users(one.token), 403, "account_disabled")
    two = api.new_admin()
    assert_no_content(api.delete_user(two.token, two.id))
    assert_unauthorized(api.list_users(two.token), "token_invalid")


# --- immediate effect on tokens -------------------------------------------------------

def test_disabling_takes_effect_at_once(api, admin, member):
    assert_json(api.put_user(admin.token, member.id, {"active": False}), 200)
    assert_problem(api.whoami(member.token), 403, "account_disabled")
    assert_problem(api.get_user(member.token, member.id), 403, "account_disabled")
    assert_problem(api.patch_user(member.token, member.id, {"first_name": "x"}), 403, "account_disabled")
    assert_problem(api.refresh(member.pair.refresh), 403, "account_disabled")
    assert_problem(api.login({"username": member.account.username, "password": member.account.password}),
                   403, "account_disabled")
    assert_json(api.patch_user(admin.token, member.id, {"active": True}), 200)
    assert_json(api.login({"username": member.account.username, "password": member.account.password}), 200)


def test_deletion_takes_effect_at_once(api, admin, member):
    assert_no_content(api.delete_user(admin.token, member.id))
    assert_unauthorized(api.whoami(member.token), "token_invalid")
    assert_unauthorized(api.get_user(member.token, member.id), "token_invalid")
    assert_unauthorized(api.refresh(member.pair.refresh), "token_invalid")


# --- the last active admin (a stack of its own: it counts every admin) --------------------

def test_last_active_admin(stack_factory):
    api = start_users_api(stack_factory)
    root = api.new_admin()
    for method in ("PATCH", "PUT"):
        assert_problem(api.patch_user(root.token, root.id, {"role": "USER"}, method=method), 409, "last_admin")
        assert_problem(api.patch_user(root.token, root.id, {"active": False}, method=method), 409, "last_admin")
        assert_problem(api.patch_user(root.token, root.id, {"role": "USER", "active": False}, method=method),
                       409, "last_admin")
    assert_problem(api.delete_user(root.token, root.id), 409, "last_admin")
    # still fine: changes that keep it an active admin
    assert_json(api.patch_user(root.token, root.id, {"first_name": "Root", "role": "ADMIN", "active": True}), 200)
    # validation (5) before last_admin (8)
    assert_validation(api.patch_user(root.token, root.id, {"role": "USER", "email": "bad"}),
                      {"email": "invalid_format"})

    # a disabled admin doesn't count
    dormant = api.created(root.token, role="ADMIN", active=False)
    assert dormant["role"] == "ADMIN" and dormant["active"] is False
    assert_problem(api.patch_user(root.token, root.id, {"role": "USER"}), 409, "last_admin")
    assert_problem(api.delete_user(root.token, root.id), 409, "last_admin")
    # (nor can the last admin re-enable another admin: that is changing another ADMIN)
    assert_problem(api.patch_user(root.token, dormant["id"], {"active": True}), 403, "forbidden")
    # USERs don't count either
    api.new_member()
    assert_problem(api.patch_user(root.token, root.id, {"active": False}), 409, "last_admin")
    api.listing(root.token)

    # with a second active admin the first may step down, then the second is the last
    second = api.new_admin()
    user = assert_json(api.patch_user(root.token, root.id, {"role": "USER"}), 200)["user"]
    assert user["role"] == "USER"
    assert_problem(api.list_users(root.token), 403, "forbidden")
    assert_problem(api.patch_user(second.token, second.id, {"active": False}), 409, "last_admin")
    assert_problem(api.delete_user(second.token, second.id), 409, "last_admin")
    # a former admin, now a USER, can be deleted by the remaining admin
    assert_no_content(api.delete_user(second.token, root.id))
    api.listing(second.token)


def test_last_admin_under_concurrent_step_downs(stack_factory):
    """Two admins stepping down at the same moment: one succeeds, the other gets
    last_admin; never zero active admins."""
    api = start_users_api(stack_factory)
    keeper = api.new_admin()
    actions = [
        lambda c, a: c.patch_user(a.token, a.id, {"role": "USER"}),
        lambda c, a: c.patch_user(a.token, a.id, {"active": False}),
        lambda c, a: c.delete_user(a.token, a.id),
    ]
    clients = [UsersApi(api.stack), UsersApi(api.stack)]
    with ThreadPoolExecutor(2) as pool:
        for round_ in range(9):
            challenger = api.new_admin()
            action = actions[round_ % 3]
            barrier = threading.Barrier(2)

            def step_down(i, actor):
                barrier.wait(timeout=10)
                return action(clients[i], actor)

            first, second = pool.map(step_down, (0, 1), (keeper, challenger))
            statuses = sorted([first.status_code, second.status_code])
            assert statuses[0] in (200, 204) and statuses[1] == 409, (round_, first.text, second.text)
            loser = first if first.status_code == 409 else second
            assert_problem(loser, 409, "last_admin")
            keeper = keeper if first.status_code == 409 else challenger
            api.listing(keeper.token)
    remaining = api.listing(keeper.token, {"role": "ADMIN", "active": "true"})
    assert [u["id"] for u in remaining["items"]] == [keeper.id]
