"""`auth-fcgi rotate-mfa-key` (issue #18, "Secrets at rest"), on SQLite or PostgreSQL
(AUTH_TEST_DATABASE): stored TOTP secrets sealed under the previous MFA_SECRET_KEY are
re-sealed under the new one, and afterwards the old key alone opens none of them.

The boxes are made and opened here by an independent implementation of the stored format
(README, "Rotating MFA_SECRET_KEY"): `v1.` + base64url(key id ‖ nonce ‖ AES-256-GCM
ciphertext ‖ tag), the AES key HMAC-SHA256(MFA_SECRET_KEY, "auth-fcgi secret box v1"), the
key id the first 4 bytes of SHA-256("key id" ‖ AES key), the AAD "v1." ‖ key id ‖
"totp:<user id>".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import time

import pyotp
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import support
from api_client import DEFAULT_PASSWORD, Database, unique
from test_cgi import run_cgi
from test_cli import describe, err, out

OLD_KEY = "the MFA key being replaced, 0123456789abcdef"
NEW_KEY = "the new MFA key for every node, 0123456789abcdef"
STRAY_KEY = "a key nobody configured here, 0123456789abcdef"


def derived(key: str) -> tuple[bytes, bytes]:
    """The AES key and the key id of a configured key."""
    aes = hmac.new(key.encode(), b"auth-fcgi secret box v1", hashlib.sha256).digest()
    return aes, hashlib.sha256(b"key id" + aes).digest()[:4]


def seal(key: str, secret: bytes, user_id: int) -> str:
    aes, key_id = derived(key)
    nonce = os.urandom(12)
    sealed = AESGCM(aes).encrypt(nonce, secret, b"v1." + key_id + f"totp:{user_id}".encode())
    return "v1." + base64.urlsafe_b64encode(key_id + nonce + sealed).rstrip(b"=").decode()


def open_box(key: str, box: str, user_id: int) -> bytes:
    assert box.startswith("v1."), box
    raw = base64.urlsafe_b64decode(box[3:] + "=" * (-len(box[3:]) % 4))
    aes, key_id = derived(key)
    assert raw[:4] == key_id, f"sealed under another key: {box}"
    return AESGCM(aes).decrypt(raw[4:16], raw[16:], b"v1." + key_id + f"totp:{user_id}".encode())


class Deployment:
    """The binary on one database, started with whichever keys a step needs."""

    def __init__(self, binary, directory):
        self.binary = binary
        self.dir = directory
        self.env = support.service_env(directory, AUTH_ENV="production")
        self.db = Database(directory / "auth.db", url=self.env["DATABASE_URL"])

    def keys(self, key: str, previous: str) -> dict[str, str]:
        return {**self.env, "MFA_SECRET_KEY": key, "MFA_PREVIOUS_SECRET_KEY": previous}

    def run(self, *args, key: str, previous: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([str(self.binary), *args], capture_output=True, cwd=self.dir,
                              env=self.keys(key, previous), timeout=30)

    def api(self, path: str, body: dict | None = None, token: str | None = None, *, key: str):
        """One POST answered by the binary as a CGI program, with `key` as MFA_SECRET_KEY."""
        extra = {**self.keys(key, ""), **({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {})}
        return run_cgi(self.binary, self.dir, "POST", path, body=json.dumps(body or {}).encode(), extra=extra)

    def enroll(self, key: str) -> tuple[int, bytes]:
        """A user with a confirmed TOTP secret sealed under `key`, as the service stores it."""
        name = unique("mfa")
        user_id = self.db.insert_user(name, f"{name}@example.com", "$y$unused")
        secret = os.urandom(20)
        self.db.execute("INSERT INTO totp_secrets (user_id, sealed_secret, created_at, confirmed_at) "
                        "VALUES (?, ?, ?, ?)", (user_id, seal(key, secret, user_id), int(time.time()), int(time.time())))
        return user_id, secret

    def sealed(self) -> dict[int, str]:
        return dict(self.db.query("SELECT user_id, sealed_secret FROM totp_secrets"))


def test_rotation_reseals_under_the_new_key(auth_bin, short_tmp):
    d = Deployment(auth_bin, short_tmp)
    assert d.run("migrate", key=OLD_KEY).returncode == 0
    old = dict(d.enroll(OLD_KEY) for _ in range(2))
    current_id, current_secret = d.enroll(NEW_KEY)  # enrolled after the restart with the new key
    before = d.sealed()

    p = d.run("rotate-mfa-key", key=NEW_KEY, previous=OLD_KEY)
    assert p.returncode == 0, describe(p)
    assert "Re-sealed 2 TOTP secrets" in out(p) and "1 already were" in out(p), describe(p)
    after = d.sealed()
    for user_id, secret in old.items():
        assert after[user_id] != before[user_id]
        assert open_box(NEW_KEY, after[user_id], user_id) == secret
    assert after[current_id] == before[current_id]
    assert open_box(NEW_KEY, after[current_id], current_id) == current_secret
    # Nothing secret in what it prints, and nothing left to do the second time.
    for secret in [*old.values(), current_secret]:
        for text in (secret.hex(), base64.b32encode(secret).decode().rstrip("=")):
            assert text not in out(p) + err(p)
    again = d.run("rotate-mfa-key", key=NEW_KEY, previous=OLD_KEY)
    assert again.returncode == 0 and "Re-sealed 0 TOTP secrets" in out(again), describe(again)
    assert d.sealed() == after

    # The old key alone opens none of them now: each is named as unopenable, and left alone.
    stale = d.run("rotate-mfa-key", key=OLD_KEY)
    assert stale.returncode == 1, describe(stale)
    lines = [line for line in err(stale).splitlines() if line.strip()]
    assert len(lines) == 1 and "3 TOTP secrets" in lines[0] and "MFA_PREVIOUS_SECRET_KEY" in lines[0], describe(stale)
    assert all(str(user_id) in lines[0] for user_id in after), describe(stale)
    assert d.sealed() == after


def test_a_secret_under_an_unknown_key_is_left_and_reported(auth_bin, short_tmp):
    d = Deployment(auth_bin, short_tmp)
    assert d.run("migrate", key=OLD_KEY).returncode == 0
    old_id, old_secret = d.enroll(OLD_KEY)
    stray_id, _ = d.enroll(STRAY_KEY)
    stray_box = d.sealed()[stray_id]

    p = d.run("rotate-mfa-key", key=NEW_KEY, previous=OLD_KEY)
    assert p.returncode == 1, describe(p)
    assert "Re-sealed 1 TOTP secrets" in out(p), describe(p)
    assert f"user ids {stray_id})" in err(p), describe(p)
    assert open_box(NEW_KEY, d.sealed()[old_id], old_id) == old_secret
    assert d.sealed()[stray_id] == stray_box


def test_bad_settings_and_flags_exit_2(auth_bin, short_tmp):
    d = Deployment(auth_bin, short_tmp)
    p = d.run("rotate-mfa-key", key="")
    assert p.returncode == 2 and "MFA_SECRET_KEY" in err(p), describe(p)
    p = d.run("rotate-mfa-key", key=NEW_KEY, previous="short")
    assert p.returncode == 2 and "MFA_PREVIOUS_SECRET_KEY" in err(p), describe(p)
    p = d.run("rotate-mfa-key", "--bogus", key=NEW_KEY)
    assert p.returncode == 2, describe(p)


def test_a_user_enrolled_through_the_api_signs_in_with_a_code_after_the_rotation(auth_bin, short_tmp):
    d = Deployment(auth_bin, short_tmp)
    name = unique("otp")
    credentials = {"username": name, "password": DEFAULT_PASSWORD}
    r = d.api("/api/auth/register", {**credentials, "email": f"{name}@example.com"}, key=OLD_KEY)
    assert r.status == 201, r.body
    user_id = r.json()["user"]["id"]
    token = d.api("/api/auth/login", credentials, key=OLD_KEY).json()["access_token"]
    secret = d.api("/api/auth/mfa/totp", token=token, key=OLD_KEY).json()["secret"]
    totp = pyotp.TOTP(secret)
    r = d.api("/api/auth/mfa/totp/confirm", {"code": totp.now()}, token=token, key=OLD_KEY)
    assert r.status == 200, r.body
    recovery_code = r.json()["recovery_codes"][0]
    # The database holds the secret only sealed, here under the old key.
    box = d.sealed()[user_id]
    assert secret not in box and open_box(OLD_KEY, box, user_id) == base64.b32decode(secret + "=" * (-len(secret) % 8))

    p = d.run("rotate-mfa-key", key=NEW_KEY, previous=OLD_KEY)
    assert p.returncode == 0 and "Re-sealed 1 TOTP secrets" in out(p), describe(p)
    assert open_box(NEW_KEY, d.sealed()[user_id], user_id) == open_box(OLD_KEY, box, user_id)

    def second_step(proof: dict, key: str):
        first = d.api("/api/auth/login", credentials, key=key)
        assert first.status == 403 and first.json()["code"] == "mfa_required", first.body
        return d.api("/api/auth/login/mfa", {"mfa_token": first.json()["mfa_token"], **proof}, key=key)

    # The new key alone signs in with a code (the next step's: the confirming one is used).
    r = second_step({"code": totp.at(time.time() + 30)}, key=NEW_KEY)
    assert r.status == 200, r.body
    # The old key alone opens the secret no more; recovery codes, only hashed, still work.
    r = second_step({"code": totp.at(time.time() + 60)}, key=OLD_KEY)
    assert r.status != 200, r.body
    r = second_step({"recovery_code": recovery_code}, key=OLD_KEY)
    assert r.status == 200, r.body
