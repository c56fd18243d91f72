"""`auth-fcgi import-users` (issue 10): the users of a Flask app — a SQLite file or a
PostgreSQL database written the way Flask-SQLAlchemy writes them, with bcrypt (Flask-Bcrypt)
and Werkzeug scrypt/pbkdf2 password hashes, or a JSON-lines / CSV export — imported into the
stack's database, then logging in through nginx with their original passwords.

The PostgreSQL source lives on the session's server (AUTH_TEST_DATABASE=postgresql) or on a
private one this module starts (pg_support.PostgresServer) when the stack uses SQLite.

The importer runs as its own process against the run dir's auth.db while the stack runs.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sqlite3
import subprocess
from pathlib import Path

import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import bcrypt
import pytest
from werkzeug.security import generate_password_hash

import pg_support
import support
from api_client import assert_json, auth_env, start_api
from support import assert_problem

RUN_TIMEOUT = 60
RESET_TOKEN = "OLD-APP-RESET-TOKEN-must-not-be-imported"

# What Flask-SQLAlchemy's create_all() emits for a typical User model.
FLASK_USER_TABLE = """
CREATE TABLE user (
\tid INTEGER NOT NULL, 
\tusername VARCHAR(80) NOT NULL, 
\temail VARCHAR(120) NOT NULL, 
\tpassword_hash VARCHAR(256), 
\tfirst_name VARCHAR(50), 
\tlast_name VARCHAR(50), 
\trole VARCHAR(20), 
\tis_active BOOLEAN, 
\tcreated_at DATETIME, 
\tupdated_at DATETIME, 
\treset_token VARCHAR(100), 
\tPRIMARY KEY (id), 
\tUNIQUE (username), 
\tUNIQUE (email)
)
"""
COLUMNS = ["id", "username", "email", "password_hash", "first_name", "last_name", "role", "is_active",
           "created_at", "updated_at", "reset_token"]

PASSWORDS = {
    "alice": "alice's bcrypt pass",
    "bob": "bob's scrypt pass",
    "carol": "carol's pbkdf2 pass",
    "dave": "dave's disabled pass",
}


def hashes() -> dict[str, str]:
    return {
        # Flask-Bcrypt's default cost (12) writes $2b$12$…
        "alice": bcrypt.hashpw(PASSWORDS["alice"].encode(), bcrypt.gensalt(12)).decode(),
        # Werkzeug 3's defaults: scrypt:32768:8:1 and pbkdf2:sha256:1000000.
        "bob": generate_password_hash(PASSWORDS["bob"]),
        "carol": generate_password_hash(PASSWORDS["carol"], method="pbkdf2:sha256"),
        "dave": generate_password_hash(PASSWORDS["dave"], method="scrypt"),
    }


def flask_rows(h: dict[str, str]) -> list[tuple]:
    """Rows as SQLAlchemy stores them in SQLite: booleans 0/1, datetimes as text."""
    scrypt_1gib = "scrypt:1048576:8:1$abcdefgh12345678$" + "00" * 64
    return [
        (101, "alice", "Alice@Example.com", h["alice"], "Alice", "Liddell", "ADMIN", 1,
         "2024-01-31 12:34:56.123456", "2024-02-01 08:00:00.000000", RESET_TOKEN),
        (102, "bob", "bob@example.com", h["bob"], None, None, "USER", 1, "2024-02-02 10:00:00", None, None),
        (103, "carol", "carol@example.com", h["carol"], "Carol", None, "User", 1, "2024-02-03 10:00:00", None, None),
        (104, "dave", "dave@example.com", h["dave"], None, None, "USER", 0, "2024-02-04 10:00:00", None, None),
        (105, "x y", "xy@example.com", h["bob"], None, None, "USER", 1, None, None, None),
        (106, "ALICE", "alice.two@example.com", h["bob"], None, None, "USER", 1, None, None, None),
        (107, "erin", "erin@example.com", scrypt_1gib, None, None, "USER", 1, None, None, None),
    ]


def make_flask_db(path: Path, rows: list[tuple]) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(FLASK_USER_TABLE)
        conn.executemany(f"INSERT INTO user VALUES ({', '.join('?' * len(COLUMNS))})", rows)
        conn.commit()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def legacy_hashes() -> dict[str, str]:
    return hashes()


class Importer:
    def __init__(self, binary: Path, directory: Path, run_dir: Path):
        self.binary = binary
        self.dir = directory
        self.env = support.service_env(run_dir, **auth_env())

    def run(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.binary), "import-users", *map(str, args)], capture_output=True,
                              cwd=self.dir, env=self.env, timeout=RUN_TIMEOUT)


def describe(p: subprocess.CompletedProcess) -> str:
    return f"exit {p.returncode}\nstdout: {p.stdout.decode(errors='replace')}\nstderr: {p.stderr.decode(errors='replace')}"


def out(p: subprocess.CompletedProcess) -> str:
    return p.stdout.decode()


@pytest.fixture
def api(stack_factory):
    return start_api(stack_factory)


@pytest.fixture
def importer(auth_bin, short_tmp, api) -> Importer:
    return Importer(auth_bin, short_tmp, api.stack.run_dir)


def user_count(api) -> int:
    return api.db.query("SELECT count(*) FROM users")[0][0]


def stored_hash(api, username: str) -> str:
    return api.db.query("SELECT password_hash FROM users WHERE username = ?", (username,))[0][0]


def login(api, username: str, password: str):
    return api.login({"username": username, "password": password})


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the SQLite file of a Flask app ---------------------------------------------------------

def test_import_from_flask_sqlite_then_log_in_through_nginx(api, importer, short_tmp, legacy_hashes):
    source = short_tmp / "flask.db"
    make_flask_db(source, flask_rows(legacy_hashes))
    before = file_digest(source)

    # Dry run: the mapping and every bad row are reported, nothing is written.
    dry = importer.run("--from-sqlite", source, "--dry-run")
    assert dry.returncode == 0, describe(dry)
    text = out(dry)
    assert re.search(r'password\s+<- "password_hash"', text), text
    assert re.search(r'active\s+<- "is_active"', text), text
    assert re.search(r'not read: "reset_token"', text), text
    assert re.search(r'skipped row 5 \(id 105\): username "x y"', text), text
    assert re.search(r'skipped row 6 \(id 106\): username "ALICE" duplicates row 1 \(id 101\)', text), text
    assert re.search(r"skipped row 7 \(id 107\): password hash: scrypt:1048576:8:1 is over the caps", text), text
    assert re.search(r"Dry run: 7 rows read, 4 would be imported, 3 skipped", text), text
    assert user_count(api) == 0
    for h in legacy_hashes.values():  # the report never shows a hash, nor a Werkzeug salt
        assert h not in text and (h.startswith("$") or h.split("$")[1] not in text)

    # The import: the same report, the valid rows written with new ids.
    p = importer.run("--from-sqlite", source)
    assert p.returncode == 0, describe(p)
    text = out(p)
    assert "Imported 4 of 7 rows, 3 skipped" in text, text
    assert re.search(r'skipped row 5 \(id 105\): username "x y"', text), text
    assert re.search(r'skipped row 6 \(id 106\): username "ALICE"', text), text
    assert file_digest(source) == before, "the Flask database was modified"
    rows = {r[0]: r[1:] for r in api.db.query("SELECT username, id, email, role, active FROM users")}
    assert set(rows) == {"alice", "bob", "carol", "dave"}, rows
    assert not {r[0] for r in rows.values()} & {101, 102, 103, 104}, "old ids were reused"
    assert rows["alice"][1:] == ("alice@example.com", "ADMIN", 1)
    assert rows["carol"][2:] == ("USER", 1) and rows["dave"][2:] == ("USER", 0)
    for name in PASSWORDS:
        assert stored_hash(api, name) == legacy_hashes[name]
    # The old app's reset token is in no column and nowhere in the database files.
    for path in api.stack.run_dir.glob("auth.db*"):
        assert RESET_TOKEN.encode() not in path.read_bytes(), path

    # A wrong password is refused and changes nothing.
    assert_problem(login(api, "bob", "not bob's password"), 401, "invalid_credentials")
    assert stored_hash(api, "bob") == legacy_hashes["bob"]

    # Original passwords work through nginx; each hash becomes the configured scheme.
    for name in ("alice", "bob", "carol"):
        body = assert_json(login(api, name, PASSWORDS[name]), 200)
        assert body["user"]["username"] == name
        assert stored_hash(api, name).startswith("$y$"), name
        assert_json(login(api, name, PASSWORDS[name]), 200)  # and again with the new hash
    alice = assert_json(login(api, "alice", PASSWORDS["alice"]), 200)
    assert alice["user"]["role"] == "ADMIN"
    assert alice["user"]["first_name"] == "Alice" and alice["user"]["last_name"] == "Liddell"
    assert alice["user"]["created_at"] == "2024-01-31T12:34:56Z"
    assert alice["user"]["email"] == "alice@example.com"
    # An ADMIN stays ADMIN: the user list is an admin endpoint.
    assert_json(api.get("/api/users", token=alice["access_token"]), 200)
    carol = assert_json(login(api, "carol", PASSWORDS["carol"]), 200)
    assert carol["user"]["role"] == "USER"
    assert_problem(api.get("/api/users", token=carol["access_token"]), 403, "forbidden")

    # A disabled user: the right password gives 403 account_disabled, and no rehash.
    assert_problem(login(api, "dave", PASSWORDS["dave"]), 403, "account_disabled")
    assert stored_hash(api, "dave") == legacy_hashes["dave"]

    # Importing again: every row is taken or invalid, nothing changes.
    again = importer.run("--from-sqlite", source)
    assert again.returncode == 0, describe(again)
    assert "Imported 0 of 7 rows, 7 skipped" in out(again), describe(again)
    assert re.search(r'skipped row 1 \(id 101\): username "alice" is taken by an existing user', out(again))
    assert user_count(api) == 4


def test_strict_imports_nothing_and_fix_usernames_reports_each_change(api, importer, short_tmp, legacy_hashes):
    source = short_tmp / "flask.db"
    make_flask_db(source, flask_rows(legacy_hashes))
    strict = importer.run("--from-sqlite", source, "--strict")
    assert strict.returncode == 1, describe(strict)
    assert "Nothing imported (--strict)" in out(strict), describe(strict)
    assert user_count(api) == 0

    fixed = importer.run("--from-sqlite", source, "--fix-usernames")
    assert fixed.returncode == 0, describe(fixed)
    assert 'fixed row 5 (id 105): username "x y" becomes "x_y"' in out(fixed), describe(fixed)
    assert "Imported 5 of 7 rows" in out(fixed), describe(fixed)
    assert_json(login(api, "x_y", PASSWORDS["bob"]), 200)


# --- the PostgreSQL database of a Flask app -------------------------------------------------

# What Flask-SQLAlchemy's create_all() emits on PostgreSQL ("user" is a reserved word there).
FLASK_PG_USER_TABLE = """
CREATE TABLE "user" (
	id SERIAL NOT NULL,
	username VARCHAR(80) NOT NULL,
	email VARCHAR(120) NOT NULL,
	password_hash VARCHAR(256),
	first_name VARCHAR(50),
	last_name VARCHAR(50),
	role VARCHAR(20),
	is_active BOOLEAN,
	created_at TIMESTAMP WITHOUT TIME ZONE,
	updated_at TIMESTAMP WITH TIME ZONE,
	reset_token VARCHAR(100),
	PRIMARY KEY (id),
	UNIQUE (username),
	UNIQUE (email)
)
"""
FLASK_PG_ROLE = "flask_app"
FLASK_PG_PASSWORD = "Fl@sk:source/pw %sécret"


@pytest.fixture(scope="module")
def pg_source_server():
    """The session's PostgreSQL server, or a private one for this module's SQLite runs."""
    if pg_support.SERVER is not None:
        yield pg_support.SERVER
        return
    try:
        pg_support.server_bin_dir()
    except AssertionError as error:
        pytest.skip(str(error))
    server = pg_support.PostgresServer().start()
    try:
        yield server
    finally:
        server.destroy()


def make_flask_pg_db(server, rows: list[tuple]) -> tuple[str, str]:
    """A database owned by the app's own role, with a "user" table of `rows` (booleans and
    timestamps as PostgreSQL types; updated_at with a time zone). Returns (name, URL)."""
    name = f"flask_{secrets.token_hex(6)}"
    with server.admin() as db:
        if not db.query("SELECT 1 FROM pg_roles WHERE rolname = ?", (FLASK_PG_ROLE,)):
            db.execute(f"CREATE ROLE {FLASK_PG_ROLE} LOGIN PASSWORD {pg_support.conninfo_quote(FLASK_PG_PASSWORD)}")
        db.execute(f'CREATE DATABASE "{name}" OWNER {FLASK_PG_ROLE}')
    with pg_support.PgConnection(server.conninfo(name)) as db:
        db.execute(FLASK_PG_USER_TABLE)
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        db.execute(f'ALTER TABLE "user" OWNER TO {FLASK_PG_ROLE}')
        # Inserted out of id order: the import reads in id order.
        for row in sorted(rows, key=lambda r: -r[0]):
            row = list(row)
            row[7] = bool(row[7])
            if row[9] is not None:
                row[9] = "2024-02-01 10:00:00.5+02"  # 08:00:00 UTC
            db.execute(f'INSERT INTO "user" VALUES ({", ".join("?" * len(COLUMNS))})', row)
    url = (f"postgresql://{FLASK_PG_ROLE}:{quote(FLASK_PG_PASSWORD, safe='')}@127.0.0.1:{server.port}/{name}"
           "?sslmode=disable")
    return name, url


def pg_table(server, name: str) -> list[tuple]:
    with pg_support.PgConnection(server.conninfo(name)) as db:
        return db.query('SELECT * FROM "user" ORDER BY id')


def test_import_from_flask_postgresql_then_log_in_through_nginx(api, importer, pg_source_server, legacy_hashes):
    name, url = make_flask_pg_db(pg_source_server, flask_rows(legacy_hashes))
    before = pg_table(pg_source_server, name)

    dry = importer.run("--from-postgresql", url, "--dry-run")
    assert dry.returncode == 0, describe(dry)
    text = out(dry)
    assert re.search(r'Source: PostgreSQL database postgresql://flask_app:\*\*\*@127\.0\.0\.1:\d+/' + name
                     + r'\?sslmode=disable, table "public"\."user"', text), text
    assert re.search(r'password\s+<- "password_hash"', text), text
    assert re.search(r'active\s+<- "is_active"', text), text
    assert re.search(r'not read: "reset_token"', text), text
    assert re.search(r'skipped row 5 \(id 105\): username "x y"', text), text
    assert re.search(r'skipped row 6 \(id 106\): username "ALICE" duplicates row 1 \(id 101\)', text), text
    assert re.search(r"skipped row 7 \(id 107\): password hash: scrypt:1048576:8:1 is over the caps", text), text
    assert "Dry run: 7 rows read, 4 would be imported, 3 skipped" in text, text
    assert user_count(api) == 0

    p = importer.run("--from-postgresql", url)
    assert p.returncode == 0, describe(p)
    text = out(p)
    assert "Imported 4 of 7 rows, 3 skipped" in text, describe(p)
    for result in (dry, p):  # neither the URL's password nor a hash nor the reset token is shown
        shown = result.stdout + result.stderr
        assert FLASK_PG_PASSWORD.encode() not in shown and quote(FLASK_PG_PASSWORD, safe="").encode() not in shown
        assert RESET_TOKEN.encode() not in shown
    assert pg_table(pg_source_server, name) == before, "the Flask database was modified"

    rows = {r[0]: r[1:] for r in api.db.query("SELECT username, role, active, created_at, updated_at FROM users")}
    assert set(rows) == {"alice", "bob", "carol", "dave"}, rows
    # timestamp without time zone read as UTC; with time zone converted; fractions dropped.
    assert rows["alice"] == ("ADMIN", 1, 1706704496, 1706774400) or rows["alice"] == (
        "ADMIN", True, 1706704496, 1706774400), rows
    assert rows["dave"][1] in (0, False) and rows["carol"][0] == "USER"
    for user in PASSWORDS:
        assert stored_hash(api, user) == legacy_hashes[user]

    for user in ("alice", "bob", "carol"):
        body = assert_json(login(api, user, PASSWORDS[user]), 200)
        assert body["user"]["username"] == user
        assert stored_hash(api, user).startswith("$y$"), user
        assert_json(login(api, user, PASSWORDS[user]), 200)
    alice = assert_json(login(api, "alice", PASSWORDS["alice"]), 200)["user"]
    assert alice["role"] == "ADMIN" and alice["created_at"] == "2024-01-31T12:34:56Z"
    assert_problem(login(api, "dave", PASSWORDS["dave"]), 403, "account_disabled")

    # --table with a schema; a wrong table and a wrong password fail without showing it.
    again = importer.run("--from-postgresql", url, "--table", "public.user", "--dry-run")
    assert again.returncode == 0, describe(again)
    assert "Dry run: 7 rows read, 0 would be imported, 7 skipped" in out(again), describe(again)
    missing = importer.run("--from-postgresql", url, "--table", "accounts")
    assert missing.returncode == 1, describe(missing)
    assert 'no table "accounts"' in missing.stderr.decode() and '"alembic_version"' in missing.stderr.decode()
    wrong = url.replace(quote(FLASK_PG_PASSWORD, safe=""), quote("wrong " + FLASK_PG_PASSWORD, safe=""))
    refused = importer.run("--from-postgresql", wrong)
    assert refused.returncode == 1, describe(refused)
    assert "can't read the PostgreSQL database postgresql://flask_app:***@" in refused.stderr.decode(), \
        describe(refused)
    assert FLASK_PG_PASSWORD.encode() not in refused.stdout + refused.stderr
    assert user_count(api) == 4


# --- JSON-lines and CSV exports ---------------------------------------------------------------

def export_records(h: dict[str, str]) -> list[dict]:
    records = [dict(zip(COLUMNS, row)) for row in flask_rows(h)]
    for record in records:  # as an export would write them: real booleans
        record["is_active"] = bool(record["is_active"])
    records[0]["last_name"] = 'Liddell, "Ally"'  # CSV quoting
    return records


def test_import_from_jsonl_export(api, importer, short_tmp, legacy_hashes):
    path = short_tmp / "users.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in export_records(legacy_hashes)))
    p = importer.run("--from-jsonl", path)
    assert p.returncode == 0, describe(p)
    assert "Imported 4 of 7 rows, 3 skipped" in out(p), describe(p)
    assert re.search(r'skipped line 5 \(id 105\): username "x y"', out(p)), describe(p)
    for name in ("alice", "bob", "carol"):
        assert_json(login(api, name, PASSWORDS[name]), 200)
    assert_problem(login(api, "dave", PASSWORDS["dave"]), 403, "account_disabled")
    me = assert_json(login(api, "alice", PASSWORDS["alice"]), 200)["user"]
    assert me["role"] == "ADMIN" and me["last_name"] == 'Liddell, "Ally"'


def test_import_from_csv_export_with_a_mapping_override(api, importer, short_tmp, legacy_hashes):
    path = short_tmp / "users.csv"
    records = export_records(legacy_hashes)
    with open(path, "w", newline="") as f:
        # Another app's column names: "login" is detected, "secret" needs --map.
        names = ["id", "login", "email", "secret", "first_name", "last_name", "role", "is_active", "created_at",
                 "updated_at", "reset_token"]
        writer = csv.writer(f)
        writer.writerow(names)
        for r in records:
            writer.writerow([r[c] for c in COLUMNS])
    without = importer.run("--from-csv", path, "--dry-run")
    assert without.returncode == 1, describe(without)
    assert "password" in without.stderr.decode() and "--map" in without.stderr.decode(), describe(without)

    p = importer.run("--from-csv", path, "--map", "password=secret")
    assert p.returncode == 0, describe(p)
    assert re.search(r'password\s+<- "secret"', out(p)), describe(p)
    assert "Imported 4 of 7 rows, 3 skipped" in out(p), describe(p)
    for name in ("alice", "bob", "carol"):
        assert_json(login(api, name, PASSWORDS[name]), 200)
        assert stored_hash(api, name).startswith("$y$")
    me = assert_json(login(api, "alice", PASSWORDS["alice"]), 200)["user"]
    assert me["role"] == "ADMIN" and me["last_name"] == 'Liddell, "Ally"'


# --- email_verified (issue #17) --------------------------------------------------------------------

VERIFIED_PASSWORD = "verified import pass"
VERIFIED_COLUMNS = ["id", "username", "email", "password_hash", "role", "verified", "confirmed_at"]


def write_verified_csv(path: Path, rows: list[tuple]) -> Path:
    """A CSV export with a boolean `verified` and a date `confirmed_at` column; rows are
    (username, role, verified, confirmed_at) with "" for an empty field."""
    digest = generate_password_hash(VERIFIED_PASSWORD, method="pbkdf2:sha256:1000")
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(VERIFIED_COLUMNS)
        for number, (name, role, verified, confirmed_at) in enumerate(rows, start=1):
            writer.writerow([number, name, f"{name}@example.com", digest, role, verified, confirmed_at])
    return path


def email_verified_by_username(api, admin: str) -> dict[str, bool]:
    """Every user's email_verified as GET /api/users shows it to an admin."""
    token = assert_json(login(api, admin, VERIFIED_PASSWORD), 200)["access_token"]
    page = assert_json(api.get("/api/users?per_page=100", token=token), 200)
    return {user["username"]: user["email_verified"] for user in page["items"]}


def test_a_verified_column_is_detected_and_without_one_users_are_unverified(api, importer, short_tmp):
    source = write_verified_csv(short_tmp / "verified.csv", [
        ("root", "ADMIN", "1", ""),
        ("ann", "USER", "0", "2024-01-31 12:34:56"),  # the boolean wins over the date
        ("ben", "USER", "true", ""),
        ("cat", "USER", "", ""),
        ("dan", "USER", "maybe", ""),
    ])
    p = importer.run("--from-csv", source)
    assert p.returncode == 0, describe(p)
    assert re.search(r'email_verified\s+<- "verified"\n', out(p)), describe(p)
    assert re.search(r'not read: "confirmed_at"', out(p)), describe(p)
    assert 'skipped line 6 (id 5): email_verified "maybe" is not a boolean' in out(p), describe(p)
    assert "Imported 4 of 5 rows, 1 skipped" in out(p), describe(p)
    assert email_verified_by_username(api, "root") == {"root": True, "ann": False, "ben": True, "cat": False}

    # A source without such a column (the Flask apps' own): everyone unverified.
    plain = short_tmp / "plain.csv"
    with open(plain, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["username", "email", "password_hash"])
        writer.writerow(["eve", "eve@example.com", generate_password_hash("x", method="pbkdf2:sha256:1000")])
    p = importer.run("--from-csv", plain)
    assert p.returncode == 0, describe(p)
    assert re.search(r"email_verified\s+<- \(none\)  \(every user unverified\)", out(p)), describe(p)
    assert email_verified_by_username(api, "root")["eve"] is False


def test_map_a_date_column_or_mark_every_email_verified(api, importer, short_tmp):
    rows = [
        ("root", "ADMIN", "0", "2024-01-31 12:34:56.123456"),
        ("ann", "USER", "1", ""),
        ("ben", "USER", "maybe", "2024-02-01T08:00:00Z"),
    ]
    source = write_verified_csv(short_tmp / "confirmed.csv", rows)
    p = importer.run("--from-csv", source, "--map", "email_verified=confirmed_at")
    assert p.returncode == 0, describe(p)
    assert re.search(r'email_verified\s+<- "confirmed_at"  \(a date: verified when set\)', out(p)), describe(p)
    assert "Imported 3 of 3 rows" in out(p), describe(p)  # the boolean column is not read
    assert email_verified_by_username(api, "root") == {"root": True, "ann": False, "ben": True}

    # --emails-verified: every user verified, whatever the column says.
    others = write_verified_csv(short_tmp / "others.csv", [
        (name + "2", role, verified, confirmed_at) for name, role, verified, confirmed_at in rows
    ])
    p = importer.run("--from-csv", others, "--emails-verified", "--map", "email_verified=verified")
    assert p.returncode == 0, describe(p)
    assert re.search(r"email_verified\s+<- \(none\)  \(every user verified: --emails-verified\)", out(p)), describe(p)
    assert "Imported 3 of 3 rows" in out(p), describe(p)
    shown = email_verified_by_username(api, "root")
    assert {name: shown[name] for name in ("root2", "ann2", "ben2")} == {"root2": True, "ann2": True, "ben2": True}
    assert shown["ann"] is False  # the earlier import is left as it was


# --- issue #20: what a real migration ran into ----------------------------------------------------

# flask_jwt's table: random UUID keys, no role column (its admin was hard-coded by username).
UUID_USER_TABLE = """
CREATE TABLE users (
    id VARCHAR(36) NOT NULL PRIMARY KEY, username VARCHAR(80) NOT NULL UNIQUE,
    email VARCHAR(120) NOT NULL UNIQUE, password VARCHAR(256) NOT NULL, created_at DATETIME
)
"""


def make_uuid_db(path: Path, rows: list[tuple]) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(UUID_USER_TABLE)
        conn.executemany("INSERT INTO users VALUES (?, ?, ?, ?, ?)", rows)
        conn.commit()
    finally:
        conn.close()


def test_uuid_keys_keep_the_earliest_of_a_case_duplicate_and_admin_names_the_admin(api, importer, short_tmp):
    source = short_tmp / "jwt.db"
    first, second, gina = "f3a1c2d4-9e8f-4a6b-8c7d-0e1f2a3b4c5d", "0b7e9a10-2c3d-4e5f-8a9b-c0d1e2f3a4b5", \
        "5c6d7e8f-0a1b-4c2d-9e3f-a4b5c6d7e8f9"
    passwords = {"alice": "the first alice", "Alice": "the second alice", "gina": "gina's mixed case"}
    make_uuid_db(source, [  # in registration order; the UUIDs sort the other way
        (first, "alice", "alice@example.com", generate_password_hash(passwords["alice"]),
         "2024-03-01 09:00:00.000000"),
        (second, "Alice", "alice.two@example.com", generate_password_hash(passwords["Alice"]),
         "2024-05-20 18:30:00.000000"),
        (gina, "gina", "Gina.Mixed@Example.COM", generate_password_hash(passwords["gina"]), "2024-06-01 12:00:00"),
    ])

    dry = importer.run("--from-sqlite", source, "--dry-run")
    assert dry.returncode == 0, describe(dry)
    text = out(dry)
    assert (f'skipped row 2 (id {second}): username "Alice" duplicates row 1 (id {first}), kept as created earlier'
            in text), text
    assert "Dry run: 3 rows read, 2 would be imported, 1 skipped" in text, text
    assert "Emails lower-cased: 1 " in text, text
    assert "No active admin exists" in text and "auth-fcgi users set-role" in text, text

    # A name no row to import has: nothing is written.
    for name in ("nobody", "Alice,nobody"):
        refused = importer.run("--from-sqlite", source, "--admin", name)
        assert refused.returncode == 1, describe(refused)
        assert '--admin "nobody" is no user this import takes in' in refused.stderr.decode(), describe(refused)
        assert user_count(api) == 0

    p = importer.run("--from-sqlite", source, "--admin", "ALICE")
    assert p.returncode == 0, describe(p)
    assert "Imported 2 of 3 rows, 1 skipped" in out(p), describe(p)
    assert "No active admin" not in out(p), describe(p)
    rows = {r[0]: r[1:] for r in api.db.query("SELECT username, email, role FROM users")}
    assert rows == {"alice": ("alice@example.com", "ADMIN"), "gina": ("gina.mixed@example.com", "USER")}, rows
    alice = assert_json(login(api, "alice", passwords["alice"]), 200)
    assert alice["user"]["role"] == "ADMIN" and alice["user"]["created_at"] == "2024-03-01T09:00:00Z"
    assert_problem(login(api, "alice", passwords["Alice"]), 401, "invalid_credentials")
    # The email as the old app had it, in the email field.
    assert_json(api.login({"email": "Gina.Mixed@Example.COM", "password": passwords["gina"]}), 200)


def test_postgresql_uuid_keys_break_created_at_ties_in_insertion_order(api, importer, pg_source_server):
    """Without a serial id the table's physical order (ctid) stands for the insertion order."""
    name, url = make_flask_pg_db(pg_source_server, [])
    with pg_support.PgConnection(pg_source_server.conninfo(name)) as db:
        db.execute('DROP TABLE "user"')
        db.execute(UUID_USER_TABLE.replace("DATETIME", "TIMESTAMP WITHOUT TIME ZONE"))
        db.execute(f"ALTER TABLE users OWNER TO {FLASK_PG_ROLE}")
        for key, username in (("ff000000-0000-4000-8000-000000000001", "alice"),
                              ("00000000-0000-4000-8000-000000000002", "Alice")):
            db.execute("INSERT INTO users VALUES (?, ?, ?, ?, '2024-03-01 09:00:00')",
                       (key, username, f"{key[:2]}@example.com",
                        generate_password_hash(username, method="pbkdf2:sha256:1000")))
    p = importer.run("--from-postgresql", url, "--dry-run")
    assert p.returncode == 0, describe(p)
    assert ('skipped row 2 (id 00000000-0000-4000-8000-000000000002): username "Alice" duplicates '
            'row 1 (id ff000000-0000-4000-8000-000000000001), kept as created at the same second and earlier '
            'in the source') in out(p), describe(p)


def test_naive_timestamps_in_the_source_timezone(api, importer, short_tmp, legacy_hashes):
    """An app on a server in UTC+6 wrote `func.now()` into DATETIME columns: local time."""
    source = short_tmp / "flask.db"
    dhaka_now = (datetime.now(timezone.utc) + timedelta(hours=6)).strftime("%Y-%m-%d %H:%M:%S.%f")
    make_flask_db(source, [
        (1, "alice", "alice@example.com", legacy_hashes["alice"], None, None, "ADMIN", 1,
         "2024-01-31 18:34:56.123456", "2024-02-01 14:00:00.000000", None),
        (2, "bob", "bob@example.com", legacy_hashes["bob"], None, None, "USER", 1, dhaka_now, None, None),
    ])
    naive = importer.run("--from-sqlite", source, "--dry-run")
    assert naive.returncode == 0, describe(naive)
    assert "Warning: 1 user has a created_at or updated_at in the future" in out(naive), describe(naive)
    assert "--source-timezone" in out(naive)

    p = importer.run("--from-sqlite", source, "--source-timezone", "Asia/Dhaka")
    assert p.returncode == 0, describe(p)
    assert "Imported 2 of 2 rows" in out(p) and "in the future" not in out(p), describe(p)
    rows = {r[0]: r[1:] for r in api.db.query("SELECT username, created_at, updated_at FROM users")}
    assert rows["alice"] == (1706704496, 1706774400), rows
    assert abs(rows["bob"][0] - datetime.now(timezone.utc).timestamp()) < 120, rows
    alice = assert_json(login(api, "alice", PASSWORDS["alice"]), 200)
    assert alice["user"]["created_at"] == "2024-01-31T12:34:56Z"


def test_a_long_bcrypt_password_is_not_pinned_to_the_first_suffix_that_logs_in(api, importer, short_tmp):
    """Flask-Bcrypt (bcrypt < 5) hashed the first 72 bytes of a 100-byte password."""
    password = ("Tr0ub4dor&3 correct horse battery staple, " * 3)[:100]
    assert len(password.encode()) == 100
    legacy = bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(12)).decode()
    source = short_tmp / "flask.db"
    make_flask_db(source, [(1, "longpw", "longpw@example.com", legacy, None, None, "USER", 1, None, None, None)])
    p = importer.run("--from-sqlite", source)
    assert p.returncode == 0, describe(p)

    # As in the old app, any suffix after the first 72 bytes logs in, and is not re-hashed.
    assert_json(login(api, "longpw", password[:72] + "anything else"), 200)
    assert stored_hash(api, "longpw") == legacy
    body = assert_json(login(api, "longpw", password), 200)
    assert stored_hash(api, "longpw") == legacy
    assert_problem(login(api, "longpw", password[:71]), 401, "invalid_credentials")
    # A password change replaces the hash: then all of the password counts.
    new_password = password[:72] + " and a new ending"
    assert_json(api.post("/api/auth/password/change", {"current_password": password, "new_password": new_password},
                         token=body["access_token"]), 200)
    assert stored_hash(api, "longpw").startswith("$y$")
    assert_problem(login(api, "longpw", password), 401, "invalid_credentials")
    assert_json(login(api, "longpw", new_password), 200)


# --- help and usage ------------------------------------------------------------------------------

def test_help_names_sources_and_flags(auth_bin, short_tmp):
    p = subprocess.run([str(auth_bin), "import-users", "--help"], capture_output=True, cwd=short_tmp,
                       env=support.service_env(short_tmp, **auth_env()), timeout=RUN_TIMEOUT)
    assert p.returncode == 0, describe(p)
    text = out(p)
    for flag in ("--from-sqlite", "--from-postgresql", "--from-jsonl", "--from-csv", "--table", "--map", "--dry-run",
                 "--partial", "--fix-usernames", "--emails-verified", "email_verified", "confirmed_at", "--admin",
                 "auth-fcgi users set-role", "--source-timezone", "Asia/Dhaka"):
        assert flag in text, text
    assert "PostgreSQL" in text, text
    assert not (short_tmp / "auth.db").exists()


@pytest.mark.parametrize("args", [
    [],
    ["--from-csv", "a.csv", "--from-jsonl", "b.jsonl"],
    ["--from-csv", "a.csv", "--table", "user"],
    ["--from-postgresql", "postgresql://u@h/db", "--from-sqlite", "a.db"],
    ["--from-sqlite", "a.db", "--partial", "--strict"],
    ["--from-sqlite", "a.db", "--dry-run=yes"],
    ["--from-sqlite", "a.db", "--source-timezone", "Mars/Olympus_Mons"],
    ["--from-sqlite", "a.db", "--source-timezone", "../../etc/passwd"],
    ["--from-sqlite"],
    ["--bogus"],
])
def test_usage_errors_exit_2_without_touching_the_database(auth_bin, short_tmp, args):
    p = subprocess.run([str(auth_bin), "import-users", *args], capture_output=True, cwd=short_tmp,
                       env=support.service_env(short_tmp, **auth_env()), timeout=RUN_TIMEOUT)
    assert p.returncode == 2, describe(p)
    assert p.stderr.strip(), describe(p)
    assert not (short_tmp / "auth.db").exists()


def test_missing_source_fails_cleanly(auth_bin, short_tmp):
    p = subprocess.run([str(auth_bin), "import-users", "--from-sqlite", short_tmp / "missing.db"],
                       capture_output=True, cwd=short_tmp, env=support.service_env(short_tmp, **auth_env()),
                       timeout=RUN_TIMEOUT)
    assert p.returncode == 1, describe(p)
    assert "missing.db" in p.stderr.decode(), describe(p)
    assert not (short_tmp / "missing.db").exists(), "the source was created"
