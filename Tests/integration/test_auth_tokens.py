"""JWTs (contract §2, §5 "Auth and tokens"): issued tokens verify with PyJWT; forged,
expired, mistyped and missing tokens are refused with the right code and challenge."""

import hashlib
import time

import jwt
import pytest
from signing_keys import TestKey

from api_client import (
    ALGORITHM, AUDIENCE, CLAIM_KEYS, ISSUER, KEY, SECRET, Api, assert_json, assert_unauthorized, attacker_key,
    b64url_json, claims, public_jwk, raw_token, sign, start_api, verify,
)

ACCESS_TTL = 600
REFRESH_TTL = 7200
LEEWAY = 10


@pytest.fixture(scope="module")
def api(module_stack_factory) -> Api:
    return start_api(module_stack_factory, ACCESS_TOKEN_TTL=ACCESS_TTL, REFRESH_TOKEN_TTL=REFRESH_TTL,
                     JWT_LEEWAY=LEEWAY)


@pytest.fixture
def session(api):
    """A fresh user with one logged-in session: (account, pair, access claims)."""
    account = api.new_user()
    pair = api.login_as(account)
    return account, pair, claims(pair.access)


def test_issued_tokens_verify_with_pyjwt(api):
    account = api.new_user()
    before = int(time.time())
    pair = api.login_as(account)
    assert pair.body["expires_in"] == ACCESS_TTL
    access = verify(pair.access, "access")
    refresh = verify(pair.refresh, "refresh")
    for payload, ttl in [(access, ACCESS_TTL), (refresh, REFRESH_TTL)]:
        assert set(payload) == CLAIM_KEYS, payload
        assert payload["iss"] == ISSUER
        assert payload["aud"] == AUDIENCE, "aud is issued as a string"
        assert payload["sub"] == str(account.id)
        assert payload["role"] == "USER"
        assert all(isinstance(payload[k], int) for k in ("iat", "nbf", "exp"))
        assert before - 2 <= payload["iat"] <= time.time() + 2
        assert payload["nbf"] <= payload["iat"] + LEEWAY
        assert payload["exp"] - payload["iat"] == ttl
        assert isinstance(payload["jti"], str) and payload["jti"]
        assert isinstance(payload["sid"], str) and payload["sid"]
    assert access["sid"] == refresh["sid"]
    assert access["jti"] != refresh["jti"]
    header = jwt.get_unverified_header(pair.access)
    assert header["alg"] == ALGORITHM
    assert header.get("kid") == (KEY.kid if KEY is not None else None), header
    # Every login gets its own session and token ids.
    other = api.login_as(account)
    assert claims(other.access)["sid"] != access["sid"]
    assert claims(other.access)["jti"] != access["jti"]


def test_same_claims_re_signed_are_the_same_token(api, session):
    _, pair, c = session
    # The server compares claims and jti/sid, not token strings (§5).
    assert api.whoami_ok(sign(c))["id"] == int(c["sub"])
    if KEY is None:
        assert api.whoami_ok(sign(c, headers={"kid": "some-other-key"}))["id"] == int(c["sub"]), \
            "kid must not pick a key"
    else:
        # Under EdDSA/ES256 kid picks among the configured keys only.
        assert_unauthorized(api.whoami(sign(c, headers={"kid": "some-other-key"})), "token_invalid")


def test_aud_array_containing_ours_is_accepted(api, session):
    _, _, c = session
    assert api.whoami_ok(sign({**c, "aud": ["someone-else", AUDIENCE]}))["id"] == int(c["sub"])
    assert_unauthorized(api.whoami(sign({**c, "aud": ["someone-else"]})), "token_invalid")


def test_configured_issuer_and_audience(stack_factory):
    api = start_api(stack_factory, JWT_ISSUER="custom-issuer", JWT_AUDIENCE="custom-audience")
    account = api.new_user()
    pair = api.login_as(account)
    verify(pair.access, "access", audience="custom-audience", issuer="custom-issuer")
    api.whoami_ok(pair.access)
    c = claims(pair.access)
    assert_unauthorized(api.whoami(sign({**c, "iss": ISSUER})), "token_invalid")
    assert_unauthorized(api.whoami(sign({**c, "aud": AUDIENCE})), "token_invalid")


def test_lowercase_bearer_scheme_is_accepted(api, session):
    _, pair, _ = session
    r = api.whoami(None, authorization=f"bearer {pair.access}")
    assert_json(r, 200)


def forgeries(c: dict) -> dict:
    """Tokens that must be refused as token_invalid, built from valid access claims c."""
    attacker = attacker_key()
    header = {"alg": "HS256", "typ": "JWT"}
    valid = sign(c)
    head, payload, sig = valid.split(".")
    tampered_payload = b64url_json({**c, "sub": str(int(c["sub"]) + 1), "role": "ADMIN"})
    return {
        "alg-none": raw_token({"alg": "none", "typ": "JWT"}, c),
        "alg-None": raw_token({"alg": "None", "typ": "JWT"}, c),
        "alg-none-with-sig": raw_token({"alg": "none", "typ": "JWT"}, c, SECRET.encode()),
        "no-alg": raw_token({"typ": "JWT"}, c, SECRET.encode()),
        "HS512-same-key": sign(c, algorithm="HS512"),
        "HS384-same-key": sign(c, algorithm="HS384"),
        "RS256-header-hmac-sig": raw_token({"alg": "RS256", "typ": "JWT"}, c, SECRET.encode()),
        "HS256-header-hs512-sig": raw_token(header, c, SECRET.encode(), hashlib.sha512),
        "wrong-key": sign(c, key=attacker, algorithm=ALGORITHM),
        "jwk-header-attacker-key": sign(c, key=attacker, algorithm=ALGORITHM, headers={"jwk": public_jwk(attacker)}),
        "jku-header-attacker-key": sign(c, key=attacker, algorithm=ALGORITHM,
                                        headers={"jku": "http://127.0.0.1:1/jwks.json"}),
        "tampered-payload": f"{head}.{tampered_payload}.{sig}",
        "tampered-signature": f"{head}.{payload}.{sig[:-2]}{'AA' if sig[-2:] != 'AA' else 'BB'}",
        "no-signature": f"{head}.{payload}.",
        "two-parts": f"{head}.{payload}",
        "four-parts": f"{valid}.{sig}",
        "garbage": "not-a-jwt",
        "wrong-iss": sign({**c, "iss": "someone-else"}),
        "no-iss": sign({k: v for k, v in c.items() if k != "iss"}),
        "wrong-aud": sign({**c, "aud": "someone-else"}),
        "no-aud": sign({k: v for k, v in c.items() if k != "aud"}),
        "nbf-future": sign({**c, "nbf": int(time.time()) + 120}),
        "no-exp": sign({k: v for k, v in c.items() if k != "exp"}),
        "no-typ": sign({k: v for k, v in c.items() if k != "typ"}),
        "typ-id": sign({**c, "typ": "id"}),
        "typ-ACCESS": sign({**c, "typ": "ACCESS"}),
        "unknown-user": sign({**c, "sub": "987654321"}),
        "sub-not-a-number": sign({**c, "sub": "abc"}),
        "expired-and-wrong-key": sign({**c, "exp": int(time.time()) - 3600}, key=attacker, algorithm=ALGORITHM),
        **(asymmetric_forgeries(c) if KEY is not None else {}),
    }


def asymmetric_forgeries(c: dict) -> dict:
    """Under EdDSA/ES256: the algorithm confusions RFC 8725 §2.1 warns about."""
    attacker = attacker_key()
    return {
        # The public key (which the JWKS publishes) as an HMAC secret.
        "HS256-public-key-as-secret": raw_token({"alg": "HS256", "typ": "JWT", "kid": KEY.kid}, c, KEY.public_pem()),
        "HS256-with-kid-and-secret": raw_token({"alg": "HS256", "typ": "JWT", "kid": KEY.kid}, c, SECRET.encode()),
        "attacker-key-with-our-kid": sign(c, key=attacker, algorithm=ALGORITHM, headers={"kid": KEY.kid}),
        "no-kid": sign(c, key=KEY.private_key, algorithm=ALGORITHM),
        "other-algorithm": sign(c, key=OTHER.private_key, algorithm=OTHER.algorithm, headers={"kid": KEY.kid}),
    }


# A key of the algorithm the stacks don't use.
OTHER = TestKey.generate("ES256" if ALGORITHM == "EdDSA" else "EdDSA")


FORGERY_NAMES = list(forgeries({"sub": "1", "sid": "s", "jti": "j", "typ": "access", "iss": ISSUER, "aud": AUDIENCE,
                                "iat": 0, "nbf": 0, "exp": 1, "role": "USER"}))


@pytest.mark.parametrize("name", FORGERY_NAMES)
def test_forged_token_is_invalid(api, session, name):
    _, _, c = session
    token = forgeries(c)[name]
    assert_unauthorized(api.whoami(token), "token_invalid")
    assert_unauthorized(api.me(token), "token_invalid")


def test_expired_token(api, session):
    _, pair, c = session
    now = int(time.time())
    expired = sign({**c, "iat": now - 1000, "nbf": now - 1000, "exp": now - LEEWAY - 30})
    assert_unauthorized(api.whoami(expired), "token_expired")
    expired_refresh = sign({**claims(pair.refresh), "iat": now - 1000, "nbf": now - 1000, "exp": now - LEEWAY - 30})
    assert_unauthorized(api.refresh(expired_refresh), "token_expired")


def test_leeway_applies_to_exp_and_nbf(api, session):
    _, _, c = session
    now = int(time.time())
    assert_json(api.whoami(sign({**c, "exp": now - 2})), 200)
    assert_json(api.whoami(sign({**c, "nbf": now + 3})), 200)


def test_refresh_as_access_and_access_as_refresh(api, session):
    _, pair, _ = session
    for call in (api.whoami, api.me, api.logout, api.logout_all, api.sessions):
        assert_unauthorized(call(pair.refresh), "token_wrong_type")
    assert_unauthorized(api.change_password(pair.refresh, {"current_password": "x" * 8, "new_password": "y" * 8}),
                        "token_wrong_type")
    assert_unauthorized(api.delete_session(pair.refresh, pair.sid), "token_wrong_type")
    assert_unauthorized(api.refresh(pair.access), "token_wrong_type")
    # Neither mistake revoked anything.
    assert_json(api.whoami(pair.access), 200)
    assert_json(api.refresh(pair.refresh), 200)


def test_token_of_deleted_user_is_invalid(api):
    account = api.new_user()
    pair = api.login_as(account)
    api.db.delete_user(account.id)
    assert_unauthorized(api.whoami(pair.access), "token_invalid")
    assert_unauthorized(api.refresh(pair.refresh), "token_invalid")


PROTECTED = [
    ("GET", "/api/auth/whoami"), ("GET", "/api/users/me"), ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/logout-all"), ("GET", "/api/auth/sessions"), ("DELETE", "/api/auth/sessions/abc"),
    ("POST", "/api/auth/password/change"), ("POST", "/api/auth/refresh"),
]


@pytest.mark.parametrize("method,path", PROTECTED)
def test_no_authorization_header_is_token_missing(api, method, path):
    r = api.request(method, path)
    assert_unauthorized(r, "token_missing", presented=False)
    assert "error=" not in r.headers["WWW-Authenticate"]


@pytest.mark.parametrize("kind", ["basic", "bare-token", "bare-bearer", "bearer-space", "token-scheme", "empty"])
def test_not_a_bearer_token_is_token_missing(api, session, kind):
    _, pair, _ = session
    value = {
        "basic": "Basic dXNlcjpwYXNzd29yZA==",
        "bare-token": pair.access,
        "bare-bearer": "Bearer",
        "bearer-space": "Bearer ",
        "token-scheme": f"Token {pair.access}",
        "empty": "",
    }[kind]
    assert_unauthorized(api.whoami(None, authorization=value), "token_missing", presented=False)


def test_401_comes_before_body_checks(api):
    # §5: 401 (step 3) before 415 / 400 / 422 (step 5).
    assert_unauthorized(api.change_password(None, data=b"{", headers={"Content-Type": "text/plain"}),
                        "token_missing", presented=False)
    assert_unauthorized(api.change_password("x.y.z", {"bogus": 1}), "token_invalid")


def test_body_sent_to_bodiless_endpoints_is_ignored(api, session):
    _, pair, _ = session
    assert_json(api.whoami(pair.access, data=b"{not json", headers={"Content-Type": "text/plain"}), 200)
    r = api.refresh(pair.refresh, data=b"garbage", headers={"Content-Type": "application/xml"})
    new = assert_json(r, 200)
    r = api.logout(new["access_token"], data=b"{", headers={"Content-Type": "application/json"})
    assert r.status_code == 204, r.content
