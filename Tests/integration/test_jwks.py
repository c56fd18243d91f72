"""EdDSA and ES256 tokens checked by libraries nobody here wrote, through the live JWKS
(contract §2 "Signing algorithms"): PyJWT's PyJWKClient and joserfc fetch
/.well-known/jwks.json through nginx, accept our tokens and refuse a tampered one. Then
the README's rotation recipe, walked with keys made by `auth-fcgi keys`."""

import os
import subprocess

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from joserfc import jwt as jose_jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

import support
from api_client import (
    AUDIENCE, ISSUER, Api, Pair, assert_json, assert_unauthorized, auth_env, b64url_json, claims,
)
from signing_keys import TestKey, jwk_members

JWKS = "/.well-known/jwks.json"
ALGORITHMS = ["EdDSA", "ES256"]


def tampered(token: str) -> str:
    """The token with its payload's role changed and the signature kept."""
    head, _, signature = token.split(".")
    return f"{head}.{b64url_json({**claims(token), 'role': 'ADMIN'})}.{signature}"


def expected_jwk(key: TestKey) -> dict:
    return {**jwk_members(key.public_key), "kid": key.kid, "alg": key.algorithm, "use": "sig"}


def start(factory, key: TestKey, **env) -> Api:
    return Api(factory(env=auth_env(JWT_ALGORITHM=key.algorithm, JWT_PRIVATE_KEY_FILE=key.private_file(), **env)))


# joserfc warns that RFC 9864 deprecates the polymorphic "EdDSA" for "Ed25519"; the
# contract (and PyJWT, and most verifiers deployed today) name it EdDSA.
@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_jwks_verifies_tokens_with_independent_libraries(stack_factory, algorithm):
    key = TestKey.generate(algorithm)
    api = start(stack_factory, key)
    r = api.get(JWKS)
    assert r.status_code == 200
    assert support.media_type(r) == "application/json"
    assert support.header_values(r, "Cache-Control") == ["public, max-age=300"], r.headers
    assert len(support.header_values(r, "X-Request-ID")) == 1
    assert r.json() == {"keys": [expected_jwk(key)]}

    pair = api.login_as(api.new_user())
    assert jwt.get_unverified_header(pair.access) == {"alg": algorithm, "typ": "JWT", "kid": key.kid}
    url = api.stack.url(JWKS)

    # PyJWT, with the key its JWKS client picks by kid from the live URL.
    client = jwt.PyJWKClient(url, cache_keys=False)
    for token, typ in [(pair.access, "access"), (pair.refresh, "refresh")]:
        signing_key = client.get_signing_key_from_jwt(token)
        payload = jwt.decode(token, signing_key.key, algorithms=[algorithm], audience=AUDIENCE, issuer=ISSUER)
        assert payload["typ"] == typ
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered(pair.access), client.get_signing_key_from_jwt(pair.access).key,
                   algorithms=[algorithm], audience=AUDIENCE, issuer=ISSUER)

    # joserfc, with the whole key set.
    key_set = KeySet.import_key_set(requests.get(url, timeout=10).json())
    token = jose_jwt.decode(pair.access, key_set, algorithms=[algorithm])
    jose_jwt.JWTClaimsRegistry(iss={"essential": True, "value": ISSUER},
                               aud={"essential": True, "value": AUDIENCE}).validate(token.claims)
    assert token.claims["typ"] == "access" and token.header["kid"] == key.kid
    with pytest.raises(BadSignatureError):
        jose_jwt.decode(tampered(pair.access), key_set, algorithms=[algorithm])
    # The service refuses the tampered token too.
    assert_unauthorized(api.whoami(tampered(pair.access)), "token_invalid")


def test_jwks_is_empty_under_hs256(stack_factory):
    api = Api(stack_factory(env=auth_env(JWT_ALGORITHM="HS256")))
    r = api.get(JWKS)
    assert r.status_code == 200 and r.json() == {"keys": []}
    assert support.header_values(r, "Cache-Control") == ["public, max-age=300"]
    # Any page may read the public keys, whatever its origin: one answer for every Origin.
    r = api.get(JWKS, headers={"Origin": "https://elsewhere.example"})
    assert support.header_values(r, "Access-Control-Allow-Origin") == ["*"]
    assert not support.header_values(r, "Vary")
    # Every other answer stays no-store.
    assert_json(api.get("/api/health"), 200)


def keys_command(auth_bin, *arguments) -> subprocess.CompletedProcess:
    return subprocess.run([str(auth_bin), "keys", *arguments], capture_output=True, text=True, timeout=30,
                          env=support.base_env())


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_rotation_recipe(stack_factory, auth_bin, short_tmp, algorithm):
    # Key A, made by the command: PKCS#8, 0600, its kid printed and never an overwrite.
    key_a, public_a = short_tmp / "a.pem", short_tmp / "a.pub.pem"
    made = keys_command(auth_bin, "generate", "--algorithm", algorithm, "--out", str(key_a))
    assert made.returncode == 0, made.stderr
    assert os.stat(key_a).st_mode & 0o777 == 0o600
    a = TestKey(algorithm, load_pem_private_key(key_a.read_bytes(), None))
    assert made.stdout == a.kid + "\n"
    again = keys_command(auth_bin, "generate", "--algorithm", algorithm, "--out", str(key_a))
    assert again.returncode == 1 and "exists" in again.stderr
    exported = keys_command(auth_bin, "public", "--in", str(key_a), "--out", str(public_a))
    assert exported.returncode == 0 and exported.stdout == a.kid + "\n", exported.stderr
    assert public_a.read_bytes() == a.public_pem()
    b = TestKey.generate(algorithm)

    # 1. Key A signs.
    env = auth_env(JWT_ALGORITHM=algorithm, JWT_PRIVATE_KEY_FILE=key_a)
    first = stack_factory(env=env)
    api = Api(first)
    account = api.new_user()
    refreshed_later, kept_for_the_end = api.login_as(account), api.login_as(account)
    assert jwt.get_unverified_header(refreshed_later.access)["kid"] == a.kid
    first.stop()

    # 2. Key B signs, A still verifies: nobody is logged out.
    second = support.Stack(first.run_dir, auth_bin, env={**env, "JWT_PRIVATE_KEY_FILE": str(b.private_file()),
                                                          "JWT_PUBLIC_KEY_FILES": str(public_a)})
    try:
        second.start()
        api = Api(second)
        assert api.get(JWKS).json() == {"keys": [expected_jwk(b), expected_jwk(a)]}
        assert api.whoami_ok(refreshed_later.access)["id"] == account.id
        new = Pair(assert_json(api.refresh(refreshed_later.refresh), 200))
        assert jwt.get_unverified_header(new.access)["kid"] == b.kid
        assert jwt.get_unverified_header(new.refresh)["kid"] == b.kid
        assert api.whoami_ok(kept_for_the_end.access)["id"] == account.id
        fresh = api.login_as(account)
        assert jwt.get_unverified_header(fresh.access)["kid"] == b.kid
    finally:
        second.stop()

    # 3. A dropped: its tokens are invalid, B's live on.
    third = support.Stack(first.run_dir, auth_bin, env={**env, "JWT_PRIVATE_KEY_FILE": str(b.private_file())})
    try:
        third.start()
        api = Api(third)
        assert api.get(JWKS).json() == {"keys": [expected_jwk(b)]}
        assert_unauthorized(api.whoami(kept_for_the_end.access), "token_invalid")
        assert_unauthorized(api.refresh(kept_for_the_end.refresh), "token_invalid")
        assert api.whoami_ok(new.access)["id"] == account.id
        assert_json(api.refresh(fresh.refresh), 200)
    finally:
        third.stop()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_wrong_key_file_refuses_to_start(auth_bin, short_tmp, algorithm):
    other = TestKey.generate("ES256" if algorithm == "EdDSA" else "EdDSA")
    public = TestKey.generate(algorithm).public_file(short_tmp)
    for path, message in [(other.private_file(short_tmp), f"JWT_ALGORITHM is {algorithm}"),
                          (public, "does not hold a PKCS#8 PEM private key")]:
        result = subprocess.run(
            [str(auth_bin), "migrate"], capture_output=True, text=True, timeout=30,
            env=support.base_env(AUTH_ENV="production", JWT_ALGORITHM=algorithm, JWT_PRIVATE_KEY_FILE=str(path),
                                 MFA_SECRET_KEY=support.TEST_MFA_SECRET,
                                 DATABASE_URL=f"sqlite:///{short_tmp}/auth.db"))
        assert result.returncode == 2, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("auth-fcgi: JWT_PRIVATE_KEY_FILE: "), lines
        assert message in lines[0]
