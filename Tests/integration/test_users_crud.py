"""POST /api/users, GET/PATCH/PUT/DELETE /api/users/{id} through nginx: success shapes,
field rules, conflicts, self vs other, unknown and non-numeric ids (contract §1, §3
"Users", §5). The role/admin rules are in test_users_rules.py.
"""

import pytest

from api_client import (
    DEFAULT_PASSWORD, assert_json, assert_no_content, assert_problem, assert_unauthorized, assert_validation,
    parse_time, unique,
)
from users_support import ADMIN_USER_KEYS, USER_KEYS, admin, api  # noqa: F401 (fixtures)

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def member(api):
    return api.new_member(first_name="Mem", last_name="Ber")


def body_for(name=None, **fields):
    name = name or unique()
    body = {"username": name, "email": f"{name}@example.com", "password": DEFAULT_PASSWORD}
    body.update(fields)
    return body


# --- POST /api/users ------------------------------------------------------------------

def test_create_defaults(api, admin):
    body = body_for(first_name="Ada", last_name=None)
    r = api.create_user(admin.token, body)
    user = assert_json(r, 201)["user"]
    assert set(user) == ADMIN_USER_KEYS
    assert r.headers.get("Location") == f"/api/users/{user['id']}"
    assert (user["username"], user["email"], user["first_name"], user["last_name"]) == (
        body["username"], body["email"], "Ada", None)
    assert (user["role"], user["active"], user["last_login_at"], user["locked_until"]) == ("USER", True, None, None)
    parse_time(user["created_at"])
    parse_time(user["updated_at"])
    assert api.user_ok(admin.token, user["id"]) == user
    pair = api.login({"username": body["username"], "password": body["password"]})
    assert assert_json(pair, 200)["user"]["id"] == user["id"]


def test_create_with_role_and_active(api, admin):
    new_admin = assert_json(api.create_user(admin.token, body_for(role="ADMIN")), 201)["user"]
    assert new_admin["role"] == "ADMIN" and new_admin["active"] is True
    token = assert_json(api.login({"username": new_admin["username"], "password": DEFAULT_PASSWORD}), 200)["access_token"]
    api.listing(token)  # a real admin

    body = body_for(role="USER", active=False)
    disabled = assert_json(api.create_user(admin.token, body), 201)["user"]
    assert disabled["role"] == "USER" and disabled["active"] is False
    assert_problem(api.login({"username": body["username"], "password": body["password"]}), 403, "account_disabled")


def test_create_stores_email_lower_cased(api, admin):
    name = unique()
    user = assert_json(api.create_user(admin.token, body_for(name, email=f"{name.upper()}@EXAMPLE.Com")), 201)["user"]
    assert user["email"] == f"{name}@example.com"


def test_create_needs_admin(api, member):
    assert_unauthorized(api.create_user(None, body_for()), "token_missing", presented=False)
    assert_problem(api.create_user(member.token, body_for()), 403, "forbidden")
    # permission before media type, syntax and validation
    assert_problem(api.create_user(member.token, {"username": ""}), 403, "forbidden")
    assert_problem(api.create_user(member.token, data=b"{", headers=JSON), 403, "forbidden")
    assert_problem(api.create_user(member.token, body_for(role="ADMIN")), 403, "forbidden")


def test_create_media_type_and_syntax(api, admin):
    assert_problem(api.create_user(admin.token, data=b"{}", headers={"Content-Type": "text/plain"}),
                   415, "unsupported_media_type")
    assert_problem(api.create_user(admin.token, data=b"{", headers=JSON), 400, "malformed_json")
    assert_problem(api.create_user(admin.token, data=b"[]", headers=JSON), 400, "malformed_json")
    assert_problem(api.create_user(admin.token, data=b""), 400, "malformed_json")
    r = api.create_user(admin.token, data=b"{}", headers={"Content-Type": "application/json; charset=utf-8"})
    assert_validation(r, {"username": "required", "email": "required", "password": "required"})


@pytest.mark.parametrize("fields, expected", [
    ({"username": "ab"}, {"username": "too_short"}),
    ({"username": ""}, {"username": "too_short"}),
    ({"username": "a" * 33}, {"username": "too_long"}),
    ({"username": "_leading"}, {"username": "invalid_format"}),
    ({"username": "has space"}, {"username": "invalid_format"}),
    ({"username": "zoë123"}, {"username": "invalid_format"}),
    ({"email": "no-at-sign.example.com"}, {"email": "invalid_format"}),
    ({"email": "two@@example.com"}, {"email": "invalid_format"}),
    ({"email": "@example.com"}, {"email": "invalid_format"}),
    ({"email": "user@localhost"}, {"email": "invalid_format"}),
    ({"email": "us er@example.com"}, {"email": "invalid_format"}),
    ({"email": ""}, {"email": "invalid_format"}),
    ({"email": "a" * 243 + "@example.com"}, {"email": "invalid_format"}),
    ({"password": "short12"}, {"password": "too_short"}),
    ({"password": "p" * 129}, {"password": "too_long"}),
    ({"first_name": "x" * 65}, {"first_name": "too_long"}),
    ({"last_name": "tab\there"}, {"last_name": "invalid_format"}),
    ({"first_name": "nel\u0085"}, {"first_name": "invalid_format"}),
    ({"last_name": "del\u007f"}, {"last_name": "invalid_format"}),
    ({"username": 5}, {"username": "invalid_type"}),
    ({"first_name": 5}, {"first_name": "invalid_type"}),
    ({"role": "SUPERUSER"}, {"role": "invalid_value"}),
    ({"role": "admin"}, {"role": "invalid_value"}),
    ({"role": 1}, {"role": "invalid_type"}),
    ({"active": "yes"}, {"active": "invalid_type"}),
    ({"active": None}, {"active": "invalid_type"}),
    ({"admin_key": "x"}, {"admin_key": "unknown_field"}),
    ({"id": 5}, {"id": "unknown_field"}),
])
def test_create_field_rules(api, admin, fields, expected):
    assert_validation(api.create_user(admin.token, body_for(**fields)), expected)


def test_create_password_too_similar(api, admin):
    name = unique()
    assert_validation(api.create_user(admin.token, body_for(name, password=name.upper())), {"password": "too_similar"})
    email = f"{name}@example.com"
    assert_validation(api.create_user(admin.token, body_for(name, password=email.upper())), {"password": "too_similar"})


def test_create_all_fields_checked_at_once(api, admin):
    r = api.create_user(admin.token, {"username": "x", "email": "bad", "password": "short", "first_name": "a\nb",
                                      "role": "ROOT", "active": "no", "extra": 1})
    assert_validation(r, {"username": "too_short", "email": "invalid_format", "password": "too_short",
                          "first_name": "invalid_format", "role": "invalid_value", "active": "invalid_type",
                          "extra": "unknown_field"})
    assert_validation(api.create_user(admin.token, {}),
                      {"username": "required", "email": "required", "password": "required"})


def test_create_conflicts(api, admin, member):
    m = member.account
    r = api.create_user(admin.token, body_for(m.username.upper(), email=f"other.{unique()}@example.com"))
    assert_problem(r, 409, "username_taken")
    r = api.create_user(admin.token, body_for(email=m.email.upper()))
    assert_problem(r, 409, "email_taken")
    # validation (422) comes before conflicts (409)
    r = api.create_user(admin.token, body_for(m.username, password="short"))
    assert_validation(r, {"password": "too_short"})


# --- GET /api/users/{id} --------------------------------------------------------------

def test_get_self(api, member):
    user = api.user_ok(member.token, member.id)
    assert set(user) == USER_KEYS
    assert user["id"] == member.id and user["username"] == member.account.username
    assert (user["first_name"], user["last_name"], user["role"]) == ("Mem", "Ber", "USER")


def test_get_by_admin(api, admin, member):
    user = api.user_ok(admin.token, member.id)
    assert set(user) == ADMIN_USER_KEYS and user["locked_until"] is None
    assert user["username"] == member.account.username
    own = api.user_ok(admin.token, admin.id)
    assert set(own) == ADMIN_USER_KEYS and own["role"] == "ADMIN"
    other_admin = api.new_admin()
    assert api.user_ok(admin.token, other_admin.id)["role"] == "ADMIN"  # reading another admin is fine


def test_get_other_as_non_admin_is_forbidden(api, admin, member):
    other = api.new_member()
    assert_problem(api.get_user(member.token, other.id), 403, "forbidden")
    assert_problem(api.get_user(member.token, admin.id), 403, "forbidden")
    # no existence oracle: an id nobody has gets the same answer
    assert_problem(api.get_user(member.token, 987654321), 403, "forbidden")
    assert_problem(api.get_user(member.token, 0), 403, "forbidden")


def test_get_unknown_and_non_numeric(api, admin, member):
    assert_problem(api.get_user(admin.token, 987654321), 404, "user_not_found")
    assert_problem(api.get_user(admin.token, 0), 404, "user_not_found")
    for bad in ("abc", "-1", "1.5", "1e3", "%201"):
        assert_problem(api.get_user(admin.token, bad), 404, "not_found")
        assert_problem(api.get_user(member.token, bad), 404, "not_found")
    # routing (404) comes before authentication (401)
    assert_problem(api.get_user(None, "abc"), 404, "not_found")
    assert_unauthorized(api.get_user(None, member.id), "token_missing", presented=False)


def test_get_extreme_ids(api, admin):
    assert_problem(api.get_user(admin.token, 2**63 - 1), 404, "user_not_found")
    r = api.get_user(admin.token, 2**63)  # not an Int64: an unknown path or an unknown id, a 404 either way
    assert r.status_code == 404 and r.json()["code"] in ("not_found", "user_not_found"), r.text


def test_disabled_caller_is_account_disabled_before_forbidden(api, admin, member):
    other = api.new_member()
    assert_json(api.patch_user(admin.token, member.id, {"active": False}), 200)
    # §5: 401/403 account_disabled (3) before the endpoint permission (4)
    assert_problem(api.get_user(member.token, other.id), 403, "account_disabled")
    assert_problem(api.list_users(member.token), 403, "account_disabled")
    assert_problem(api.unlock_user(member.token, other.id), 403, "account_disabled")
    assert_problem(api.delete_user(member.token, member.id), 403, "account_disabled")
    assert_problem(api.revoke_user_sessions(member.token, member.id), 403, "account_disabled")


def test_users_me_other_methods(api, member):
    r = api.patch_user(member.token, "me", {"first_name": "x"})
    assert_problem(r, 405, "method_not_allowed")
    assert "GET" in r.headers.get("Allow", "")


def test_users_me_is_whoami(api, admin, member):
    assert assert_json(api.me(member.token), 200)["user"] == api.user_ok(member.token, member.id)
    me = assert_json(api.me(admin.token), 200)["user"]
    assert set(me) == ADMIN_USER_KEYS and me["id"] == admin.id


def test_method_not_allowed(api, admin):
    r = api.request("POST", f"/api/users/{admin.id}", token=admin.token, body={})
    assert_problem(r, 405, "method_not_allowed")
    allow = {m.strip() for m in r.headers.get("Allow", "").split(",")}
    assert {"GET", "PATCH", "PUT", "DELETE"} <= allow
    r = api.request("DELETE", "/api/users", token=admin.token)
    assert_problem(r, 405, "method_not_allowed")
    assert {"GET", "POST"} <= {m.strip() for m in r.headers.get("Allow", "").split(",")}


# --- PATCH / PUT ----------------------------------------------------------------------

@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_self_update_is_partial(api, member, method):
    before = api.user_ok(member.token, member.id)
    new_name = unique("Renamed")
    r = api.patch_user(member.token, member.id, {"username": new_name}, method=method)
    user = assert_json(r, 200)["user"]
    assert set(user) == USER_KEYS
    assert user["username"] == new_name
    for key in ("email", "first_name", "last_name", "role", "active", "created_at", "last_login_at"):
        assert user[key] == before[key], key
    assert parse_time(user["updated_at"]) >= parse_time(before["updated_at"])

    email = f"{new_name.upper()}@Example.ORG"
    # (v2) changing one's own email needs the current password
    body = {"email": email, "current_password": member.account.password}
    user = assert_json(api.patch_user(member.token, member.id, body, method=method), 200)["user"]
    assert user["email"] == email.lower() and user["username"] == new_name

    user = assert_json(api.patch_user(member.token, member.id, {"first_name": "Zoë", "last_name": None},
                                      method=method), 200)["user"]
    assert (user["first_name"], user["last_name"], user["username"]) == ("Zoë", None, new_name)
    assert api.user_ok(member.token, member.id) == user

    # login uses the new username and email; the old token still works
    assert_json(api.login({"username": new_name.lower(), "password": member.account.password}), 200)
    assert_json(api.login({"email": email, "password": member.account.password}), 200)
    assert_problem(api.login({"username": member.account.username, "password": member.account.password}),
                   401, "invalid_credentials")


def test_empty_patch_changes_nothing(api, member):
    before = api.user_ok(member.token, member.id)
    assert assert_json(api.patch_user(member.token, member.id, {}), 200)["user"] == before


def test_self_username_case_change_is_not_a_conflict(api, member):
    upper = member.account.username.upper()
    user = assert_json(api.patch_user(member.token, member.id, {"username": upper}), 200)["user"]
    assert user["username"] == upper
    same_email = assert_json(api.patch_user(member.token, member.id, {"email": member.account.email.upper()}), 200)
    assert same_email["user"]["email"] == member.account.email


def test_admin_updates_a_user(api, admin, member):
    name = unique("ByAdmin")
    user = assert_json(api.patch_user(admin.token, member.id, {"username": name, "first_name": "A", "last_name": "B"}),
                       200)["user"]
    assert set(user) == ADMIN_USER_KEYS
    assert (user["username"], user["first_name"], user["last_name"], user["role"]) == (name, "A", "B", "USER")
    user = assert_json(api.put_user(admin.token, member.id, {"active": False}), 200)["user"]
    assert user["active"] is False and user["username"] == name
    user = assert_json(api.put_user(admin.token, member.id, {"active": True}), 200)["user"]
    assert user["active"] is True


def test_admin_updates_itself(api):
    me = api.new_admin()
    user = assert_json(api.patch_user(me.token, me.id, {"first_name": "Root", "username": unique("Root")}), 200)["user"]
    assert set(user) == ADMIN_USER_KEYS and user["first_name"] == "Root" and user["role"] == "ADMIN"
    # sending its own current role and active is fine for an admin
    assert assert_json(api.patch_user(me.token, me.id, {"role": "ADMIN", "active": True}), 200)["user"]["role"] == "ADMIN"


def test_update_conflicts(api, admin, member):
    other = api.new_member()
    r = api.patch_user(member.token, member.id, {"username": other.account.username.upper()})
    assert_problem(r, 409, "username_taken")
    r = api.patch_user(member.token, member.id,
                       {"email": other.account.email.upper(), "current_password": member.account.password})
    assert_problem(r, 409, "email_taken")
    r = api.patch_user(admin.token, member.id, {"username": admin.account.username})
    assert_problem(r, 409, "username_taken")
    r = api.put_user(admin.token, member.id, {"email": admin.account.email})
    assert_problem(r, 409, "email_taken")
    assert api.user_ok(member.token, member.id)["username"] == member.account.username


@pytest.mark.parametrize("fields, expected", [
    ({"username": "ab"}, {"username": "too_short"}),
    ({"username": ""}, {"username": "too_short"}),
    ({"username": "b" * 33}, {"username": "too_long"}),
    ({"username": "-dash"}, {"username": "invalid_format"}),
    ({"username": None}, {"username": "invalid_type"}),
    ({"email": "nope"}, {"email": "invalid_format"}),
    ({"email": ""}, {"email": "invalid_format"}),
    ({"email": None}, {"email": "invalid_type"}),
    ({"first_name": "y" * 65}, {"first_name": "too_long"}),
    ({"last_name": "line\nbreak"}, {"last_name": "invalid_format"}),
    ({"last_name": ["x"]}, {"last_name": "invalid_type"}),
    ({"password": "new password 1"}, {"password": "unknown_field"}),
    ({"id": 1}, {"id": "unknown_field"}),
    ({"username": "ok_name", "email": "bad", "first_name": 7, "nick": "x"},
     {"email": "invalid_format", "first_name": "invalid_type", "nick": "unknown_field"}),
])
@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_update_field_rules(api, member, fields, expected, method):
    assert_validation(api.patch_user(member.token, member.id, fields, method=method), expected)


def test_admin_update_field_rules_for_role_and_active(api, admin, member):
    assert_validation(api.patch_user(admin.token, member.id, {"role": "ROOT"}), {"role": "invalid_value"})
    assert_validation(api.patch_user(admin.token, member.id, {"role": None}), {"role": "invalid_type"})
    assert_validation(api.patch_user(admin.token, member.id, {"active": "false"}), {"active": "invalid_type"})


def test_patch_username_not_checked_against_password(api):
    # §5: too_similar applies only where the plaintext password is in the request.
    password = unique("pw")
    user = api.new_member(password=password)
    r = api.patch_user(user.token, user.id, {"username": password.upper(), "email": f"{password}@example.com",
                                             "current_password": password})
    assert assert_json(r, 200)["user"]["username"] == password.upper()


def test_update_media_type_and_syntax(api, member):
    path_id = member.id
    assert_problem(api.patch_user(member.token, path_id, data=b'{"first_name":"x"}',
                                  headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type")
    assert_problem(api.patch_user(member.token, path_id, data=b"{", headers=JSON), 400, "malformed_json")
    assert_problem(api.patch_user(member.token, path_id, data=b'"x"', headers=JSON), 400, "malformed_json")
    assert_problem(api.patch_user(member.token, path_id, data=b""), 400, "malformed_json")
    assert_problem(api.put_user(member.token, path_id, data=b"null", headers=JSON), 400, "malformed_json")


def test_update_other_as_non_admin_is_forbidden(api, admin, member):
    other = api.new_member()
    for method in ("PATCH", "PUT"):
        assert_problem(api.patch_user(member.token, other.id, {"first_name": "x"}, method=method), 403, "forbidden")
        assert_problem(api.patch_user(member.token, admin.id, {"first_name": "x"}, method=method), 403, "forbidden")
        assert_problem(api.patch_user(member.token, 987654321, {"first_name": "x"}, method=method), 403, "forbidden")
        # step 4 before step 5: no validation for a caller who may not touch the id
        assert_problem(api.patch_user(member.token, other.id, {"username": ""}, method=method), 403, "forbidden")
        assert_problem(api.patch_user(member.token, 987654321, data=b"{", headers=JSON, method=method),
                       403, "forbidden")
    assert api.user_ok(admin.token, other.id)["first_name"] is None


def test_update_unknown_and_non_numeric(api, admin, member):
    for method in ("PATCH", "PUT"):
        assert_problem(api.patch_user(admin.token, 987654321, {"first_name": "x"}, method=method),
                       404, "user_not_found")
        # §5 precedence: validation (5) before the unknown id (6)
        assert_validation(api.patch_user(admin.token, 987654321, {"username": "x"}, method=method),
                          {"username": "too_short"})
        assert_problem(api.patch_user(admin.token, 987654321, data=b"{", headers=JSON, method=method),
                       400, "malformed_json")
        # the unknown id (6) before the body-dependent 403 (7) and conflicts (8)
        assert_problem(api.patch_user(admin.token, 987654321, {"role": "ADMIN"}, method=method),
                       404, "user_not_found")
        assert_problem(api.patch_user(admin.token, 987654321, {"username": member.account.username}, method=method),
                       404, "user_not_found")
        for token in (admin.token, member.token):
            assert_problem(api.patch_user(token, "abc", {"first_name": "x"}, method=method), 404, "not_found")


# --- DELETE /api/users/{id} ------------------------------------------------------------

def test_delete_self(api, admin):
    gone = api.new_member()
    second = api.login_as(gone.account)
    assert_no_content(api.delete_user(gone.token, gone.id))
    # every token of the deleted user is invalid at once
    assert_unauthorized(api.whoami(gone.token), "token_invalid")
    assert_unauthorized(api.get_user(second.access, gone.id), "token_invalid")
    assert_unauthorized(api.refresh(gone.pair.refresh), "token_invalid")
    assert_problem(api.login({"username": gone.account.username, "password": gone.account.password}),
                   401, "invalid_credentials")
    assert_problem(api.get_user(admin.token, gone.id), 404, "user_not_found")
    # the username and email are free again
    api.new_user(username=gone.account.username, email=gone.account.email)


def test_admin_deletes_a_user(api, admin):
    gone = api.new_member()
    assert_no_content(api.delete_user(admin.token, gone.id))
    assert_unauthorized(api.whoami(gone.token), "token_invalid")
    assert_unauthorized(api.refresh(gone.pair.refresh), "token_invalid")
    assert_problem(api.get_user(admin.token, gone.id), 404, "user_not_found")
    assert_problem(api.delete_user(admin.token, gone.id), 404, "user_not_found")
    assert gone.id not in api.list_ids(admin.token, {"q": gone.account.username})


def test_deleted_ids_are_not_reused(api, admin):
    gone = api.new_member()
    assert_no_content(api.delete_user(admin.token, gone.id))
    newcomer = api.new_member()
    assert newcomer.id != gone.id
    # the old token names the old id: it never becomes the newcomer's
    assert_unauthorized(api.whoami(gone.token), "token_invalid")


def test_delete_other_as_non_admin_is_forbidden(api, admin, member):
    other = api.new_member()
    assert_problem(api.delete_user(member.token, other.id), 403, "forbidden")
    assert_problem(api.delete_user(member.token, admin.id), 403, "forbidden")
    assert_problem(api.delete_user(member.token, 987654321), 403, "forbidden")
    api.user_ok(other.token, other.id)


def test_delete_unknown_and_non_numeric(api, admin, member):
    assert_problem(api.delete_user(admin.token, 987654321), 404, "user_not_found")
    assert_problem(api.delete_user(admin.token, "abc"), 404, "not_found")
    assert_problem(api.delete_user(member.token, "abc"), 404, "not_found")
    assert_problem(api.delete_user(None, "abc"), 404, "not_found")
    assert_unauthorized(api.delete_user(None, member.id), "token_missing", presented=False)


def test_delete_ignores_a_body(api):
    gone = api.new_member()
    r = api.delete_user(gone.token, gone.id, data=b'{"reason": "x"}', headers=JSON)
    assert_no_content(r)
