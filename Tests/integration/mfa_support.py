"""Helpers for the test_mfa_* modules (contract shared/spec/api.md §3 "Two-factor sign-in
with TOTP", issue 18): enrolment, the login's two steps, codes computed by an independent
TOTP implementation (pyotp, RFC 6238), the `mfa_token`'s claims, and the stored rows as
text for "the database alone never yields a secret".

Codes: the service accepts a step's code once per user (and may refuse an older step once
a newer one was used), so `fresh_code` hands out increasing steps only: the current one,
or the next one when the current one is spent. Two codes after an enrolment within
one 30-second step are one too many: a test that needs more uses recovery codes or a
fresh user, never a sleep.
"""

from __future__ import annotations

import base64
import time

import jwt
import pyotp
import requests

import support
from api_client import ALGORITHM, VERIFY_KEY, Account, Api, Pair, assert_json, assert_problem

MFA_TOKEN_LIFETIME = 300
METHODS = ["totp", "recovery_code"]
STEP = 30
WRONG_PASSWORD = "not the password at all"

# The last step this test process sent to the service, per secret (see the module doc).
_last_step: dict[str, int] = {}


def current_step() -> int:
    return int(time.time()) // STEP


def steady_step(margin: float = 5.0) -> int:
    """The current step once at least `margin` seconds of it are left (polled), for a test
    whose codes must stay a known number of steps away from the service's clock."""
    support.wait_for(lambda: STEP - time.time() % STEP >= margin, margin + 1, "a step with time left", interval=0.05)
    return current_step()


def code_at(secret: str, offset_steps: int = 0) -> str:
    """The code of the step `offset_steps` away from now."""
    return pyotp.TOTP(secret).at(time.time() + STEP * offset_steps)


def code_of_step(secret: str, step: int) -> str:
    """The code of the step numbered `step` (Unix time // 30)."""
    return pyotp.TOTP(secret).at(step * STEP)


def fresh_code(secret: str) -> str:
    """A right code of a step not yet used: now, or the next step when now's is spent."""
    step = max(current_step(), _last_step.get(secret, -1) + 1)
    assert step <= current_step() + 1, "no unused step left for this secret: use a recovery code or a new user"
    _last_step[secret] = step
    return code_of_step(secret, step)


def wrong_codes(secret: str, n: int) -> list[str]:
    """n different six-digit strings that are no code of this secret in the steps around now."""
    taken = {code_at(secret, k) for k in range(-3, 4)}
    candidate, found = int(code_at(secret)), []
    while len(found) < n:
        candidate = (candidate + 7919) % 1_000_000
        if f"{candidate:06d}" not in taken:
            found.append(f"{candidate:06d}")
    return found


def wrong_code(secret: str) -> str:
    return wrong_codes(secret, 1)[0]


# --- enrolment -------------------------------------------------------------------------------

def start_enrolment(api: Api, token: str) -> dict:
    """POST /api/auth/mfa/totp → 200 {secret, otpauth_uri, qr_svg}."""
    body = assert_json(api.post("/api/auth/mfa/totp", token=token), 200)
    assert set(body) == {"secret", "otpauth_uri", "qr_svg"}, body
    return body


def confirm(api: Api, token: str, code) -> requests.Response:
    return api.post("/api/auth/mfa/totp/confirm", {"code": code}, token=token)


def enroll(api: Api, pair: Pair) -> tuple[str, list[str]]:
    """Turns TOTP on for the pair's user: start, then confirm with the current code.
    Returns the secret and the 10 recovery codes."""
    secret = start_enrolment(api, pair.access)["secret"]
    body = assert_json(confirm(api, pair.access, fresh_code(secret)), 200)
    assert body["user"]["mfa_enabled"] is True, body
    return secret, body["recovery_codes"]


# --- the login's two steps ---------------------------------------------------------------

def login_first_step(api: Api, account: Account) -> str:
    """Login with the right password of an account with TOTP on → 403 mfa_required; returns
    its `mfa_token`."""
    r = api.login({"username": account.username, "password": account.password})
    problem = assert_problem(r, 403, "mfa_required")
    assert problem.get("methods") == METHODS, problem
    assert isinstance(problem.get("mfa_token"), str) and problem["mfa_token"], problem
    return problem["mfa_token"]


def second_step(api: Api, mfa_token, code=None, recovery_code=None) -> requests.Response:
    """POST /api/auth/login/mfa with the given members (None: left out)."""
    body = {"mfa_token": mfa_token, "code": code, "recovery_code": recovery_code}
    return api.post("/api/auth/login/mfa", {k: v for k, v in body.items() if v is not None})


def login_with_code(api: Api, account: Account, secret: str) -> Pair:
    """Both steps, the second with a fresh TOTP code."""
    return Pair(assert_json(second_step(api, login_first_step(api, account), code=fresh_code(secret)), 200))


def assert_locked(resp: requests.Response) -> None:
    """423 account_locked with a Retry-After within the stacks' LOCKOUT_SECONDS (900)."""
    assert_problem(resp, 423, "account_locked")
    assert 1 <= int(resp.headers["Retry-After"]) <= 900, resp.headers


def decode_claims(token: str) -> dict:
    """The claims of a token the service signed (under the stacks' algorithm and key),
    its signature and `exp` verified; `aud` is not required of an `mfa_token`."""
    return jwt.decode(token, VERIFY_KEY, algorithms=[ALGORITHM], options={"verify_aud": False})


def amr(pair: Pair) -> list[str]:
    """The `amr` claim of the pair's access token."""
    return decode_claims(pair.access)["amr"]


# --- what the database holds ---------------------------------------------------------------

def table_names(api: Api) -> list[str]:
    if api.db.postgres:
        rows = api.db.query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    else:
        rows = api.db.query("SELECT name FROM sqlite_master WHERE type = 'table'")
    return sorted(r[0] for r in rows)


def factor_rows(api: Api, user_id: int) -> tuple[int, int]:
    """How many rows of the user's TOTP secret and recovery codes are stored."""
    return tuple(api.db.query(f"SELECT count(*) FROM {table} WHERE user_id = ?", (user_id,))[0][0]
                 for table in ("totp_secrets", "recovery_codes"))


def stored_text(api: Api) -> str:
    """Every value of every table, as text: SQLite BLOBs as their bytes (latin-1) and as
    hex, PostgreSQL's values in its text form (a bytea as \\x and hex)."""
    parts = []
    for table in table_names(api):
        quoted = '"' + table.replace('"', '""') + '"'
        for row in api.db.query(f"SELECT * FROM {quoted}"):
            for value in row:
                if isinstance(value, bytes):
                    parts += [value.decode("latin-1"), value.hex()]
                elif value is not None:
                    parts.append(str(value))
    return "\n".join(parts)


def secret_forms(secret: str) -> list[str]:
    """How a base32 secret could be written down: as given, lower-cased, and its raw
    20 bytes as hex (both cases), base64 and base64url (with and without padding), and
    latin-1 text."""
    raw = base64.b32decode(secret)
    b64 = base64.b64encode(raw).decode()
    b64url = base64.urlsafe_b64encode(raw).decode()
    return [secret, secret.lower(), raw.hex(), raw.hex().upper(), b64, b64.rstrip("="), b64url,
            b64url.rstrip("="), raw.decode("latin-1")]


def recovery_code_forms(code: str) -> list[str]:
    bare = code.replace("-", "")
    return sorted({code, code.lower(), code.upper(), bare, bare.lower(), bare.upper()})
