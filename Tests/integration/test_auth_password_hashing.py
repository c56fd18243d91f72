"""Password hashing: hashes of another scheme or cost verify and are re-hashed under the
configured policy on a successful login (contract §3 Login; issue 3 "Passwords"), both
schemes, and every password the field rules allow (up to 128 scalars / 512 bytes)."""

import hashlib

import bcrypt
import pytest

from api_client import Api, assert_json, assert_unauthorized, crypt, gensalt, start_api, unique


@pytest.fixture(scope="module")
def api(module_stack_factory) -> Api:
    return start_api(module_stack_factory, PASSWORD_SCHEME="yescrypt", PASSWORD_COST=1)


def policy_prefix(api) -> str:
    """`$y$<params>$` of a hash the service makes now."""
    account = api.new_user()
    stored = api.db.password_hash(account.id)
    assert stored.startswith("$y$"), stored
    return "$".join(stored.split("$")[:3]) + "$"


def insert(api, password_hash: str) -> tuple[int, str, str]:
    name = unique("legacy")
    user_id = api.db.insert_user(name, f"{name}@example.com", password_hash)
    return user_id, name, f"{name}@example.com"


@pytest.mark.parametrize("prefix", [b"2b", b"2a"])
def test_python_bcrypt_hash_logs_in_and_becomes_yescrypt(api, prefix):
    password = "flask-bcrypt password ✓"
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4, prefix=prefix)).decode()
    assert hashed.startswith(f"${prefix.decode()}$")
    user_id, name, email = insert(api, hashed)

    assert_unauthorized(api.login({"username": name, "password": "not it at all"}), "invalid_credentials",
                        presented=False)
    assert api.db.password_hash(user_id) == hashed, "a failed login must not re-hash"

    body = assert_json(api.login({"username": name, "password": password}), 200)
    assert body["user"]["id"] == user_id and body["user"]["last_login_at"] is not None
    stored = api.db.password_hash(user_id)
    assert stored.startswith(policy_prefix(api)), stored
    assert crypt(password, stored) == stored

    # The new hash works, the wrong password still doesn't.
    assert_json(api.login({"email": email, "password": password}), 200)
    assert api.db.password_hash(user_id) == stored, "a current hash is not re-hashed again"
    assert_unauthorized(api.login({"username": name, "password": "not it at all"}), "invalid_credentials",
                        presented=False)


def test_yescrypt_hash_of_another_cost_is_rehashed(api):
    password = "an older yescrypt cost"
    current = policy_prefix(api)
    hashed = crypt(password, gensalt("$y$", 3))
    assert not hashed.startswith(current), (hashed, current)
    user_id, name, _ = insert(api, hashed)
    assert_json(api.login({"username": name, "password": password}), 200)
    stored = api.db.password_hash(user_id)
    assert stored != hashed and stored.startswith(current), stored
    assert crypt(password, stored) == stored


def test_long_passwords_are_compared_in_full(api):
    # 128 four-byte scalars = 512 UTF-8 bytes, the most the field rules allow.
    password = "😀" * 128
    account = api.new_user(password=password)
    api.login_as(account)
    for wrong in ("😀" * 127 + "😁", "😁" + "😀" * 127, "😀" * 127):
        assert_unauthorized(api.login({"username": account.username, "password": wrong}), "invalid_credentials",
                            presented=False)


@pytest.fixture(scope="module")
def bcrypt_api(module_stack_factory) -> Api:
    return start_api(module_stack_factory, PASSWORD_SCHEME="bcrypt", PASSWORD_COST=4)


def test_bcrypt_policy_makes_bcrypt_hashes(bcrypt_api):
    api = bcrypt_api
    account = api.new_user()
    stored = api.db.password_hash(account.id)
    assert stored.startswith("$2b$04$"), stored
    assert bcrypt.checkpw(account.password.encode(), stored.encode())
    api.login_as(account)
    assert api.db.password_hash(account.id) == stored


@pytest.mark.parametrize("make", ["yescrypt", "bcrypt-cost-5"])
def test_bcrypt_policy_rehashes_other_hashes(bcrypt_api, make):
    api = bcrypt_api
    password = "rehash me under bcrypt"
    hashed = crypt(password, gensalt("$y$", 1)) if make == "yescrypt" else \
        bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=5)).decode()
    user_id, name, _ = insert(api, hashed)
    assert_json(api.login({"username": name, "password": password}), 200)
    stored = api.db.password_hash(user_id)
    assert stored.startswith("$2b$04$"), stored
    assert crypt(password, stored) == stored


def test_bcrypt_policy_compares_passwords_past_72_bytes(bcrypt_api):
    # Contract: passwords are 8-128 scalars and a wrong password is 401. bcrypt itself reads
    # only 72 bytes, so two allowed passwords that share their first 72 bytes must still be
    # told apart by the service.
    api = bcrypt_api
    account = api.new_user(password="é" * 100)  # 200 bytes
    api.login_as(account)
    wrong = "é" * 36 + "x" * 64  # same first 72 bytes
    assert_unauthorized(api.login({"username": account.username, "password": wrong}), "invalid_credentials",
                        presented=False)


NUL_PASSWORD = "abc\u0000defgh"


def test_register_password_with_nul_is_not_a_server_error(api):
    # U+0000 is a Unicode scalar and passwords have no control-character rule, so the field
    # rules allow it: accepted, or at most a 422 on the password, never a 500.
    r = api.register(api.registration(password=NUL_PASSWORD))
    assert r.status_code in (201, 422), (r.status_code, r.content)
    if r.status_code == 422:
        assert [e["field"] for e in r.json()["errors"]] == ["password"], r.json()
    else:
        name = r.json()["user"]["username"]
        assert_json(api.login({"username": name, "password": NUL_PASSWORD}), 200)
        assert_unauthorized(api.login({"username": name, "password": "abcxdefgh"}), "invalid_credentials",
                            presented=False)


def test_change_to_password_with_nul_is_not_a_server_error(api):
    account = api.new_user()
    pair = api.login_as(account)
    r = api.change_password(pair.access, {"current_password": account.password, "new_password": NUL_PASSWORD})
    assert r.status_code in (200, 422), (r.status_code, r.content)
    if r.status_code == 422:
        assert [e["field"] for e in r.json()["errors"]] == ["new_password"], r.json()
        api.login_as(account)  # unchanged


def typed_digest(password: str) -> str:
    """What a password libxcrypt can't take whole used to be reduced to: a typeable string."""
    return "sha256:" + hashlib.sha256(password.encode()).hexdigest()


EQUIVALENCE_PASSWORD = "Secret\u0000Password1"


def test_reduced_password_has_no_typeable_equivalent(api):
    # Contract §5 (v2): no typed string logs in as another password.
    account = api.new_user(password=EQUIVALENCE_PASSWORD)
    api.login_as(account)
    assert_unauthorized(api.login({"username": account.username, "password": typed_digest(EQUIVALENCE_PASSWORD)}),
                        "invalid_credentials", presented=False)


def test_hash_of_the_old_reduction_logs_in_with_the_real_password_only(api):
    # A hash stored before the fix: crypt(3) of the typeable digest string.
    current = policy_prefix(api)
    hashed = crypt(typed_digest(EQUIVALENCE_PASSWORD), gensalt("$y$", 1))
    assert hashed.startswith(current), (hashed, current)
    user_id, name, _ = insert(api, hashed)
    assert_unauthorized(api.login({"username": name, "password": typed_digest(EQUIVALENCE_PASSWORD)}),
                        "invalid_credentials", presented=False)
    assert_json(api.login({"username": name, "password": EQUIVALENCE_PASSWORD}), 200)
    stored = api.db.password_hash(user_id)
    assert stored != hashed and stored.startswith(current), "re-hashed into the new form at login"
    assert_json(api.login({"username": name, "password": EQUIVALENCE_PASSWORD}), 200)
