"""POST /api/auth/register through nginx (contract §1 field rules, §3 Register, §5)."""

import json
import time

import pytest

from api_client import (
    USER_KEYS, Api, assert_json, assert_problem, assert_validation, parse_time, start_api, unique,
)

ADMIN_KEY = "admin-registration-key-for-tests"


@pytest.fixture(scope="module")
def api(module_stack_factory) -> Api:
    return start_api(module_stack_factory, ADMIN_REGISTRATION_KEY=ADMIN_KEY)


def reg(**overrides) -> dict:
    return Api.registration(**overrides)


def test_register_201_location_and_user_object(api):
    name = unique("Reg")
    before = int(time.time())
    r = api.register(reg(username=name, email=f"{name}@Example.COM", first_name="Ada", last_name=None))
    body = assert_json(r, 201)
    assert set(body) == {"user"}
    user = body["user"]
    assert set(user) == USER_KEYS, "no locked_until, hash or counters for an anonymous caller"
    assert isinstance(user["id"], int)
    assert r.headers.get("Location") == f"/api/users/{user['id']}"
    assert user["username"] == name
    assert user["email"] == f"{name.lower()}@example.com", "email stored lower-cased"
    assert user["first_name"] == "Ada" and user["last_name"] is None
    assert user["role"] == "USER" and user["active"] is True
    assert user["last_login_at"] is None
    created = parse_time(user["created_at"])
    assert before - 2 <= created <= time.time() + 2
    assert parse_time(user["updated_at"]) == created


def test_register_optional_names_absent_are_null(api):
    user = api.new_user().user
    assert user["first_name"] is None and user["last_name"] is None


def test_register_boundaries_accepted(api):
    api.new_user(username=unique("b")[:3])
    api.new_user(username=(unique("L") + "x" * 32)[:32])
    name = unique("e")
    api.new_user(username=name, email=name + "@" + "d" * (254 - len(name) - 1 - 4) + ".com")
    api.new_user(password="p" * 8)
    api.new_user(password="p" * 128)
    api.new_user(first_name="F" * 64, last_name="ł" * 64)
    api.new_user(username=unique("a.b-c_"))


@pytest.mark.parametrize(
    "password",
    [
        "é" * 8,                 # 8 scalars, 16 UTF-8 bytes
        "e\u0301" * 4,           # 8 scalars, 4 grapheme clusters
        "😀" * 128,              # 128 scalars, 512 UTF-8 bytes
        "👨‍👩‍👧" * 25 + "abc",  # 128 scalars (5 per family emoji), 28 grapheme clusters
    ],
    ids=["8-two-byte", "8-scalars-4-graphemes", "128-emoji", "128-scalars-zwj"],
)
def test_password_length_counts_unicode_scalars_accepted(api, password):
    account = api.new_user(password=password)
    pair = api.login_as(account)
    assert pair.access


@pytest.mark.parametrize(
    "password,code",
    [
        ("😀" * 7, "too_short"),            # 28 bytes but 7 scalars
        ("e\u0301" * 64 + "x", "too_long"),  # 129 scalars, 65 grapheme clusters
        ("p" * 129, "too_long"),
        ("p" * 7, "too_short"),
        ("", "too_short"),
    ],
    ids=["7-emoji", "129-scalars-65-graphemes", "129", "7", "empty"],
)
def test_password_length_rejected(api, password, code):
    assert_validation(api.register(reg(password=password)), {"password": code})


@pytest.mark.parametrize(
    "overrides,expected",
    [
        ({"username": "ab"}, {"username": "too_short"}),
        ({"username": ""}, {"username": "too_short"}),
        ({"username": "a" * 33}, {"username": "too_long"}),
        ({"username": "_abc"}, {"username": "invalid_format"}),
        ({"username": ".abc"}, {"username": "invalid_format"}),
        ({"username": "ab c"}, {"username": "invalid_format"}),
        ({"username": "abc!"}, {"username": "invalid_format"}),
        ({"username": "jürgen"}, {"username": "invalid_format"}),
        ({"username": 123}, {"username": "invalid_type"}),
        ({"username": None}, {"username": "invalid_type"}),
        ({"email": ""}, {"email": "invalid_format"}),
        ({"email": "no-at-sign.example.com"}, {"email": "invalid_format"}),
        ({"email": "a@b@example.com"}, {"email": "invalid_format"}),
        ({"email": "@example.com"}, {"email": "invalid_format"}),
        ({"email": "a@localhost"}, {"email": "invalid_format"}),
        ({"email": "a b@example.com"}, {"email": "invalid_format"}),
        ({"email": "a" * 243 + "@example.com"}, {"email": "invalid_format"}),  # 255 chars
        ({"email": ["a@example.com"]}, {"email": "invalid_type"}),
        ({"password": 12345678}, {"password": "invalid_type"}),
        ({"first_name": "F" * 65}, {"first_name": "too_long"}),
        ({"last_name": "L" * 65}, {"last_name": "too_long"}),
        ({"first_name": "a\tb"}, {"first_name": "invalid_format"}),
        ({"first_name": "a\nb"}, {"first_name": "invalid_format"}),
        ({"last_name": "a\x7fb"}, {"last_name": "invalid_format"}),
        ({"last_name": "a\x85b"}, {"last_name": "invalid_format"}),
        ({"last_name": "a\x00b"}, {"last_name": "invalid_format"}),
        ({"first_name": 5}, {"first_name": "invalid_type"}),
        ({"last_name": True}, {"last_name": "invalid_type"}),
        ({"admin_key": 7}, {"admin_key": "invalid_type"}),
        ({"role": "ADMIN"}, {"role": "unknown_field"}),
        ({"nickname": "x"}, {"nickname": "unknown_field"}),
    ],
)
def test_field_rules(api, overrides, expected):
    assert_validation(api.register(reg(**overrides)), expected)


@pytest.mark.parametrize("email", [
    "eve,victim@evil.com", "<x>@evil.com", "a>b@evil.com", '"a b"@evil.com', "a\tb@evil.com",
    "a..b@evil.com", "a" * 65 + "@evil.com", "a@evil.com>", "a@-evil.com", "a@evil_x.com",
])
def test_email_rule_v2_rejects(api, email):
    # contract §1 (v2): nothing an SMTP command or a To: header could read as more than one address
    assert_validation(api.register(reg(email=email)), {"email": "invalid_format"})


def test_email_rule_v2_accepts_atext_and_international_domains(api):
    name = unique("e")
    for email in [f"{name}.o'neil+x@example.com", f"{name}!#$%&*/=?^_`{{|}}~-@bücher.example"]:
        assert api.register(reg(username=unique("u"), email=email)).status_code == 201, email


@pytest.mark.parametrize("field", ["username", "email", "password"])
def test_required_fields(api, field):
    body = reg()
    del body[field]
    assert_validation(api.register(body), {field: "required"})


def test_all_fields_reported_at_once(api):
    body = {"username": "x", "email": "nope", "password": 5, "first_name": "a\x01", "extra": 1}
    assert_validation(api.register(body), {
        "username": "too_short", "email": "invalid_format", "password": "invalid_type",
        "first_name": "invalid_format", "extra": "unknown_field",
    })
    assert_validation(api.register({}), {"username": "required", "email": "required", "password": "required"})


def test_password_too_similar_to_username_or_email(api):
    name = unique("Sim")
    assert_validation(api.register(reg(username=name, password=name.upper())), {"password": "too_similar"})
    email = f"{unique('s')}@example.com"
    assert_validation(api.register(reg(email=email, password=email.upper())), {"password": "too_similar"})


def test_username_taken_case_insensitively(api):
    account = api.new_user(username=unique("Dup"))
    r = api.register(reg(username=account.username.upper()))
    assert_problem(r, 409, "username_taken")
    r = api.register(reg(username=account.username.lower()))
    assert_problem(r, 409, "username_taken")


def test_email_taken_case_insensitively(api):
    account = api.new_user()
    r = api.register(reg(email=account.email.upper()))
    assert_problem(r, 409, "email_taken")


def test_validation_comes_before_conflict(api):
    account = api.new_user()
    r = api.register(reg(username=account.username, password="short"))
    assert_validation(r, {"password": "too_short"})


def test_admin_key_gives_admin_role(api):
    r = api.register(reg(admin_key=ADMIN_KEY))
    user = assert_json(r, 201)["user"]
    assert user["role"] == "ADMIN"
    assert set(user) == USER_KEYS, "the register response (anonymous caller) has no locked_until"


@pytest.mark.parametrize("key", [ADMIN_KEY + "x", ADMIN_KEY[:-1], "", ADMIN_KEY.upper()])
def test_wrong_admin_key_403_and_nothing_created(api, key):
    body = reg(admin_key=key)
    assert_problem(api.register(body), 403, "admin_key_invalid")
    del body["admin_key"]
    user = assert_json(api.register(body), 201)["user"]
    assert user["role"] == "USER"


def test_admin_key_precedence(api):
    # 422 (step 5) before admin_key_invalid (step 7) before 409 (step 8).
    assert_validation(api.register(reg(admin_key="wrong", email="bad")), {"email": "invalid_format"})
    taken = api.new_user()
    assert_problem(api.register(reg(username=taken.username, admin_key="wrong")), 403, "admin_key_invalid")


def test_admin_key_unconfigured_is_invalid(stack_factory):
    api = start_api(stack_factory)
    for key in ["anything", ADMIN_KEY, ""]:
        assert_problem(api.register(reg(admin_key=key)), 403, "admin_key_invalid")
    assert assert_json(api.register(reg()), 201)["user"]["role"] == "USER"


def test_registration_closed(stack_factory):
    api = start_api(stack_factory, REGISTRATION_OPEN="false", ADMIN_REGISTRATION_KEY=ADMIN_KEY)
    assert_problem(api.register(reg()), 403, "registration_closed")
    assert_problem(api.register(reg(admin_key=ADMIN_KEY)), 403, "registration_closed")
    # Step 4 (registration_closed) comes before 415 / 400 / 422.
    assert_problem(api.register({"username": 1}), 403, "registration_closed")
    assert_problem(api.register(data=b"{", headers={"Content-Type": "application/json"}), 403, "registration_closed")
    assert_problem(api.register(data=b"x", headers={"Content-Type": "text/plain"}), 403, "registration_closed")


# --- media type and JSON syntax (§1, §5 order 415 → 400 → 422) ------------------------------

@pytest.mark.parametrize("content_type", [
    "application/json; charset=utf-8", "application/json;charset=UTF-8", "Application/JSON",
])
def test_json_content_type_variants_accepted(api, content_type):
    r = api.register(data=json.dumps(reg()).encode(), headers={"Content-Type": content_type})
    assert_json(r, 201)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", None])
def test_wrong_media_type_415(api, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    r = api.register(data=json.dumps(reg()).encode(), headers=headers)
    assert_problem(r, 415, "unsupported_media_type")


def test_415_before_422(api):
    r = api.register(data=b'{"username": 1}', headers={"Content-Type": "text/plain"})
    assert_problem(r, 415, "unsupported_media_type")


@pytest.mark.parametrize("data", [b"{", b"[]", b'"x"', b"null", b"42", b"", b'{"username": "a",}', b'{"a":"\xff"}'],
                         ids=["truncated", "array", "string", "null", "number", "empty", "trailing-comma", "bad-utf8"])
def test_malformed_json_400(api, data):
    r = api.register(data=data, headers={"Content-Type": "application/json"})
    assert_problem(r, 400, "malformed_json")


def test_empty_body_without_content_type_is_400(api):
    assert_problem(api.register(data=b""), 400, "malformed_json")
    assert_problem(api.post("/api/auth/register"), 400, "malformed_json")
