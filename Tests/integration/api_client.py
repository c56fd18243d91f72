"""A small client for the auth API (contract shared/spec/api.md §2–§3) used by the
test_auth_* modules: HTTP calls through nginx, token helpers (PyJWT), and direct access
to the stack's SQLite file for what no endpoint does yet (disable or delete a user).

Start a stack with auth settings:

    @pytest.fixture(scope="module")
    def api(module_stack_factory):
        return start_api(module_stack_factory, LOCKOUT_THRESHOLD=3)

AUTH_TEST_JWT_ALGORITHM (HS256, EdDSA or ES256; default HS256) picks how the stacks started
here sign tokens: under EdDSA and ES256 every stack gets JWT_ALGORITHM and a key file
generated once per test process (signing_keys), and `sign`/`verify` use that key.
"""

from __future__ import annotations

import base64
import calendar
import contextlib
import ctypes
import ctypes.util
import hashlib
import hmac
import json
import os
import re
import sqlite3
import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import jwt
import requests

import support
from support import assert_problem, header_values, media_type

import signing_keys

SECRET = support.TEST_JWT_SECRET
ALGORITHM = os.environ.get("AUTH_TEST_JWT_ALGORITHM", "HS256")
ASYMMETRIC = ALGORITHM != "HS256"
# The key stacks sign with under EdDSA/ES256 (None under HS256); its public half verifies.
KEY = signing_keys.TestKey.generate(ALGORITHM) if ASYMMETRIC else None
ISSUER = "auth-fcgi"
AUDIENCE = "auth-fcgi-api"
DEFAULT_PASSWORD = "correct horse battery"

# Cheap hashing and no nginx throttling, so the suite stays fast.
FAST_ENV = {
    "JWT_SECRET_KEY": SECRET,
    "MFA_SECRET_KEY": support.TEST_MFA_SECRET,
    "PASSWORD_SCHEME": "yescrypt",
    "PASSWORD_COST": "1",
    "RATE_LIMIT_LOGIN": "100000r/s",
    "RATE_LIMIT_FORGOT": "100000r/s",
    "RATE_LIMIT_REGISTER": "off",  # 50 simultaneous registrations would overrun any burst
    "RATE_LIMIT_RESEND": "off",
}
if KEY is not None:
    FAST_ENV.update(JWT_ALGORITHM=ALGORITHM, JWT_PRIVATE_KEY_FILE=str(KEY.private_file()))

RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
USER_KEYS = {"id", "username", "email", "first_name", "last_name", "role", "active", "email_verified",
             "mfa_enabled", "created_at", "updated_at", "last_login_at"}
SESSION_KEYS = {"id", "created_at", "last_used_at", "expires_at", "user_agent", "ip", "current"}
CLAIM_KEYS = {"iss", "aud", "sub", "iat", "nbf", "exp", "jti", "typ", "sid", "role", "amr"}
JSON = {"Content-Type": "application/json"}
_UNSET = object()


def auth_env(**overrides) -> dict[str, str]:
    env = dict(FAST_ENV)
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def start_api(factory, **env) -> "Api":
    """A started stack (from stack_factory / module_stack_factory) with auth settings."""
    return Api(factory(env=auth_env(**env)))


def unique(prefix: str = "u") -> str:
    """A fresh valid username (letters/digits/_ only, well under 32 characters)."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def parse_time(text: str) -> int:
    assert isinstance(text, str) and RFC3339_Z.match(text), f"not an RFC 3339 UTC timestamp: {text!r}"
    return calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))


# --- HTTP assertions -------------------------------------------------------------------

def assert_json(resp: requests.Response, status: int) -> dict:
    assert resp.status_code == status, f"expected {status}, got {resp.status_code}: {resp.content[:500]!r}"
    assert media_type(resp) == "application/json", f"Content-Type {resp.headers.get('Content-Type')!r}"
    assert "no-store" in resp.headers.get("Cache-Control", ""), resp.headers
    assert len(header_values(resp, "X-Request-ID")) == 1
    return resp.json()


def assert_no_content(resp: requests.Response) -> None:
    assert resp.status_code == 204, f"expected 204, got {resp.status_code}: {resp.content[:500]!r}"
    assert resp.content == b""


def assert_unauthorized(resp: requests.Response, code: str, presented: bool = True) -> dict:
    """A 401 problem with `WWW-Authenticate: Bearer` (+ error="invalid_token" when a token was sent)."""
    body = assert_problem(resp, 401, code)
    challenges = header_values(resp, "WWW-Authenticate")
    assert len(challenges) == 1, f"WWW-Authenticate headers: {challenges}"
    assert re.match(r"(?i)^bearer\b", challenges[0]), challenges
    if presented:
        assert 'error="invalid_token"' in challenges[0], challenges
    return body


def assert_validation(resp: requests.Response, expected: dict[str, str]) -> dict:
    """422 validation_failed whose errors[] is exactly {field: code} (one entry per field)."""
    body = assert_problem(resp, 422, "validation_failed")
    errors = body.get("errors")
    assert isinstance(errors, list) and errors, body
    fields = [e.get("field") for e in errors]
    assert len(fields) == len(set(fields)), f"more than one entry for a field: {errors}"
    for e in errors:
        assert isinstance(e.get("message"), str) and e["message"], e
    assert {e["field"]: e["code"] for e in errors} == expected, errors
    return body


# --- tokens ---------------------------------------------------------------------------

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(obj) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def claims(token: str) -> dict:
    """The payload, unverified."""
    return jwt.decode(token, options={"verify_signature": False})


# What verifies the stacks' tokens: the secret, or the signing key's public half.
VERIFY_KEY = KEY.public_key if KEY is not None else SECRET


def verify(token: str, typ: str, audience: str = AUDIENCE, issuer: str = ISSUER) -> dict:
    """Verifies like a standard client library would, given the secret or public key."""
    payload = jwt.decode(
        token, VERIFY_KEY, algorithms=[ALGORITHM], audience=audience, issuer=issuer,
        options={"require": ["iss", "aud", "sub", "iat", "nbf", "exp", "jti"]},
    )
    assert payload["typ"] == typ, payload
    return payload


def sign(payload: dict, key=None, algorithm: str | None = None, headers: dict | None = None) -> str:
    """A token as the stacks sign it (ALGORITHM, their key, its kid), or with `key` and
    `algorithm` given: an HMAC algorithm without a key uses the secret, so "the same
    secret, another algorithm" is a forgery under EdDSA/ES256 too."""
    algorithm = algorithm or ALGORITHM
    if key is None and algorithm == ALGORITHM and KEY is not None:
        key, headers = KEY.private_key, {"kid": KEY.kid, **(headers or {})}
    elif key is None:
        key = SECRET
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns about our key's length for HS384/HS512
        return jwt.encode(payload, key, algorithm=algorithm, headers=headers)


def attacker_key():
    """A key that is not the stacks': an HMAC secret under HS256, else a fresh key pair."""
    if KEY is None:
        return b"attacker-key-attacker-key-attacker-key!!"
    return signing_keys.TestKey.generate(ALGORITHM).private_key


def public_jwk(key) -> dict:
    """`attacker_key()`'s public JWK, for a header that names it (`jwk`)."""
    if isinstance(key, bytes):
        return {"kty": "oct", "k": b64url(key)}
    return signing_keys.jwk_members(key.public_key())


def raw_token(header: dict, payload: dict, key: bytes | None = None, digest=hashlib.sha256) -> str:
    """A hand-made JWS: HMAC with `key` whatever `header` says, or no signature at all."""
    signing_input = b64url_json(header) + "." + b64url_json(payload)
    signature = b"" if key is None else hmac.new(key, signing_input.encode(), digest).digest()
    return signing_input + "." + b64url(signature)


# --- API calls ---------------------------------------------------------------------------

@dataclass
class Account:
    username: str
    email: str
    password: str
    id: int
    user: dict = field(repr=False)


@dataclass
class Pair:
    body: dict = field(repr=False)

    @property
    def access(self) -> str:
        return self.body["access_token"]

    @property
    def refresh(self) -> str:
        return self.body["refresh_token"]

    @property
    def sid(self) -> str:
        return claims(self.access)["sid"]


class Api:
    def __init__(self, stack: support.Stack):
        self.stack = stack
        self.http = requests.Session()

    def clone(self) -> "Api":
        """Another client of the same stack (requests.Session is not thread-safe)."""
        return Api(self.stack)

    @property
    def db(self) -> "Database":
        return Database(self.stack.run_dir / "auth.db", url=self.stack.env.get("DATABASE_URL"))

    def request(self, method: str, path: str, *, token: str | None = None, authorization: str | None = None,
                body=_UNSET, data: bytes | str | None = None, headers: dict | None = None) -> requests.Response:
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        if authorization is not None:
            h["Authorization"] = authorization
        if body is not _UNSET:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        return self.http.request(method, self.stack.url(path), data=data, headers=h, timeout=15)

    def post(self, path: str, body=_UNSET, **kw) -> requests.Response:
        return self.request("POST", path, body=body, **kw)

    def get(self, path: str, **kw) -> requests.Response:
        return self.request("GET", path, **kw)

    def delete(self, path: str, **kw) -> requests.Response:
        return self.request("DELETE", path, **kw)

    # endpoints
    def register(self, body=_UNSET, **kw) -> requests.Response:
        return self.post("/api/auth/register", body, **kw)

    def login(self, body=_UNSET, **kw) -> requests.Response:
        return self.post("/api/auth/login", body, **kw)

    def refresh(self, refresh_token: str | None, **kw) -> requests.Response:
        return self.post("/api/auth/refresh", token=refresh_token, **kw)

    def logout(self, access_token: str | None, **kw) -> requests.Response:
        return self.post("/api/auth/logout", token=access_token, **kw)

    def logout_all(self, access_token: str | None, **kw) -> requests.Response:
        return self.post("/api/auth/logout-all", token=access_token, **kw)

    def whoami(self, access_token: str | None, **kw) -> requests.Response:
        return self.get("/api/auth/whoami", token=access_token, **kw)

    def me(self, access_token: str | None, **kw) -> requests.Response:
        return self.get("/api/users/me", token=access_token, **kw)

    def change_password(self, access_token: str | None, body=_UNSET, **kw) -> requests.Response:
        return self.post("/api/auth/password/change", body, token=access_token, **kw)

    def sessions(self, access_token: str | None, **kw) -> requests.Response:
        return self.get("/api/auth/sessions", token=access_token, **kw)

    def delete_session(self, access_token: str | None, session_id: str, **kw) -> requests.Response:
        return self.delete(f"/api/auth/sessions/{session_id}", token=access_token, **kw)

    # flows
    @staticmethod
    def registration(**overrides) -> dict:
        name = unique()
        body = {"username": name, "email": f"{name}@example.com", "password": DEFAULT_PASSWORD}
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not _UNSET}

    def new_user(self, **overrides) -> Account:
        body = self.registration(**overrides)
        user = assert_json(self.register(body), 201)["user"]
        return Account(body["username"], body["email"].lower(), body["password"], user["id"], user)

    def login_as(self, account: Account, password: str | None = None, user_agent: str | None = None,
                 by: str = "username") -> Pair:
        headers = {"User-Agent": user_agent} if user_agent else None
        ident = account.username if by == "username" else account.email
        r = self.login({by: ident, "password": password or account.password}, headers=headers)
        return Pair(assert_json(r, 200))

    def whoami_ok(self, access_token: str) -> dict:
        return assert_json(self.whoami(access_token), 200)["user"]


# --- the stack's SQLite file (or PostgreSQL database) --------------------------------

class Database:
    """Short-lived connections to the stack's SQLite database (WAL; the backend keeps its own),
    or, when `url` is the stack's postgresql:// DATABASE_URL, to its PostgreSQL database
    (pg_support; `?` placeholders work on both)."""

    def __init__(self, path: Path, url: str | None = None):
        self.path = Path(path)
        self.postgres = bool(url) and url.startswith(("postgresql://", "postgres://"))
        self.url = url

    def files(self) -> list[Path]:
        """Where the data is stored, to search for what must never be stored: the SQLite
        files, or a plain-SQL dump of the PostgreSQL database."""
        if self.postgres:
            import pg_support
            dump = self.path.parent / "pg_dump.sql"  # in the stack's dir, removed with it
            return [pg_support.SERVER.dump(pg_support.database_of_url(self.url), dump)]
        return sorted(self.path.parent.glob(self.path.name + "*"))

    @contextlib.contextmanager
    def connect(self):
        if self.postgres:
            import pg_support
            with pg_support.connect_url(self.url) as conn:
                yield conn
            return
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA foreign_keys = ON")
            yield conn
        finally:
            conn.close()

    def execute(self, sql: str, params=()) -> int:
        with self.connect() as conn:
            if self.postgres:
                return conn.execute(sql, params)
            return conn.execute(sql, params).rowcount

    def query(self, sql: str, params=()) -> list[tuple]:
        with self.connect() as conn:
            if self.postgres:
                return conn.query(sql, params)
            return conn.execute(sql, params).fetchall()

    def insert_user(self, username: str, email: str, password_hash: str, role: str = "USER", active: int = 1) -> int:
        """A users row written directly (for hashes the service didn't make)."""
        now = int(time.time())
        row = {"username": username, "email": email, "password_hash": password_hash, "first_name": None,
               "last_name": None, "role": role, "active": active, "created_at": now, "updated_at": now,
               "failed_logins": 0}
        if self.postgres:
            row["active"] = bool(active)
            row["search_text"] = "\x1f".join(v.lower() for v in (username, email, "", ""))
            names = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            with self.connect() as conn:
                return conn.query(f"INSERT INTO users ({names}) VALUES ({marks}) RETURNING id", tuple(row.values()))[0][0]
        with self.connect() as conn:
            columns = {r[1] for r in conn.execute("PRAGMA table_info(users)")}
            if "search_text" in columns:  # the user list's search column (issue 4 schema)
                row["search_text"] = "\x1f".join(v.lower() for v in (username, email, "", ""))
            names = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            cur = conn.execute(f"INSERT INTO users ({names}) VALUES ({marks})", tuple(row.values()))
            return cur.lastrowid

    def password_hash(self, user_id: int) -> str:
        return self.query("SELECT password_hash FROM users WHERE id = ?", (user_id,))[0][0]

    def set_active(self, user_id: int, active: bool) -> None:
        assert self.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id)) == 1

    def delete_user(self, user_id: int) -> None:
        assert self.execute("DELETE FROM users WHERE id = ?", (user_id,)) == 1


# --- crypt(3), for hashes in another yescrypt cost --------------------------------------

def _libcrypt():
    lib = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    lib.crypt_gensalt.restype = ctypes.c_char_p
    lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    return lib


def crypt(password: str, setting: str) -> str:
    """libxcrypt's crypt(3) (Python's crypt module is deprecated)."""
    out = _libcrypt().crypt(password.encode(), setting.encode())
    assert out and not out.startswith(b"*"), f"crypt failed for setting {setting!r}"
    return out.decode()


def gensalt(prefix: str, cost: int) -> str:
    """libxcrypt's crypt_gensalt(3) with random salt bytes, e.g. gensalt("$y$", 3)."""
    out = _libcrypt().crypt_gensalt(prefix.encode(), cost, None, 0)
    assert out and not out.startswith(b"*"), f"crypt_gensalt failed for {prefix!r} cost {cost}"
    return out.decode()


def wait_until_next_second(after: int, timeout: float = 3.0) -> None:
    """Polls the clock until the Unix second is past `after` (timestamps are whole seconds)."""
    support.wait_for(lambda: int(time.time()) > after, timeout, f"the clock to pass {after}", interval=0.01)
