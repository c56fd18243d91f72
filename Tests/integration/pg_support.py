"""PostgreSQL for the integration tests: a private server the test session starts from
Debian's postgresql package, and a small libpq client (ctypes, like api_client's
libcrypt) so no Python driver is needed.

`AUTH_TEST_DATABASE=postgresql` makes every stack and backend of the session use a fresh
database on the session's server (see support.service_env); the default is SQLite.

The server: `initdb` into a temp dir, `postgres` listening on a free loopback port (for
the service, with a password) and on a unix socket in that dir (for the tests' own
queries, trusted), run as `nobody` when the tests run as root (PostgreSQL refuses root),
stopped at the end of the session.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import glob
import hashlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import support

BACKEND = os.environ.get("AUTH_TEST_DATABASE", "sqlite").strip().lower() or "sqlite"
if BACKEND in ("postgres", "pg"):
    BACKEND = "postgresql"
if BACKEND not in ("sqlite", "postgresql"):
    raise RuntimeError(f"AUTH_TEST_DATABASE must be sqlite or postgresql, not {BACKEND!r}")

# The service's role: a name and password that need percent-encoding in DATABASE_URL.
APP_ROLE = "auth@app"
APP_PASSWORD = "p@ss:w/rd %ünï"


# --- libpq through ctypes ----------------------------------------------------------------

_lib = None


def libpq():
    global _lib
    if _lib is None:
        lib = ctypes.CDLL(ctypes.util.find_library("pq") or "libpq.so.5")
        lib.PQconnectdb.restype = ctypes.c_void_p
        lib.PQconnectdb.argtypes = [ctypes.c_char_p]
        lib.PQstatus.restype = ctypes.c_int
        lib.PQstatus.argtypes = [ctypes.c_void_p]
        lib.PQerrorMessage.restype = ctypes.c_char_p
        lib.PQerrorMessage.argtypes = [ctypes.c_void_p]
        lib.PQfinish.restype = None
        lib.PQfinish.argtypes = [ctypes.c_void_p]
        lib.PQexecParams.restype = ctypes.c_void_p
        lib.PQexecParams.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p,
                                     ctypes.POINTER(ctypes.c_char_p), ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
        lib.PQresultStatus.restype = ctypes.c_int
        lib.PQresultStatus.argtypes = [ctypes.c_void_p]
        lib.PQresultErrorMessage.restype = ctypes.c_char_p
        lib.PQresultErrorMessage.argtypes = [ctypes.c_void_p]
        lib.PQntuples.restype = ctypes.c_int
        lib.PQntuples.argtypes = [ctypes.c_void_p]
        lib.PQnfields.restype = ctypes.c_int
        lib.PQnfields.argtypes = [ctypes.c_void_p]
        lib.PQftype.restype = ctypes.c_uint
        lib.PQftype.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.PQgetisnull.restype = ctypes.c_int
        lib.PQgetisnull.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        lib.PQgetvalue.restype = ctypes.c_char_p
        lib.PQgetvalue.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        lib.PQcmdTuples.restype = ctypes.c_char_p
        lib.PQcmdTuples.argtypes = [ctypes.c_void_p]
        lib.PQclear.restype = None
        lib.PQclear.argtypes = [ctypes.c_void_p]
        lib.PQping.restype = ctypes.c_int
        lib.PQping.argtypes = [ctypes.c_char_p]
        _lib = lib
    return _lib


CONNECTION_OK = 0
PGRES_COMMAND_OK, PGRES_TUPLES_OK = 1, 2
_INT_TYPES = {20, 21, 23, 26}  # int8, int2, int4, oid
_BOOL = 16
_FLOAT_TYPES = {700, 701, 1700}


class PgError(Exception):
    pass


def conninfo_quote(value: str) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


class PgConnection:
    """One libpq connection; `?` placeholders (sqlite3 style) become $1, $2, ..."""

    def __init__(self, conninfo: str):
        lib = libpq()
        self.conn = lib.PQconnectdb(conninfo.encode())
        if not self.conn or lib.PQstatus(self.conn) != CONNECTION_OK:
            message = lib.PQerrorMessage(self.conn).decode(errors="replace") if self.conn else "out of memory"
            if self.conn:
                lib.PQfinish(self.conn)
            self.conn = None
            raise PgError(message.strip())

    def close(self):
        if self.conn:
            libpq().PQfinish(self.conn)
            self.conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def _numbered(sql: str) -> str:
        out, n = [], 0
        for ch in sql:
            if ch == "?":
                n += 1
                out.append(f"${n}")
            else:
                out.append(ch)
        return "".join(out)

    @staticmethod
    def _text(value) -> bytes | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return b"t" if value else b"f"
        if isinstance(value, bytes):
            return value
        return str(value).encode()

    def _exec(self, sql: str, params=()):
        lib = libpq()
        values = (ctypes.c_char_p * max(len(params), 1))(*[self._text(p) for p in params])
        res = lib.PQexecParams(self.conn, self._numbered(sql).encode(), len(params), None, values, None, None, 0)
        status = lib.PQresultStatus(res) if res else -1
        if status not in (PGRES_COMMAND_OK, PGRES_TUPLES_OK):
            message = (lib.PQresultErrorMessage(res) if res else lib.PQerrorMessage(self.conn)).decode(
                errors="replace")
            lib.PQclear(res)
            raise PgError(message.strip())
        return res

    def execute(self, sql: str, params=()) -> int:
        """Runs one statement; returns the affected row count (0 when none applies)."""
        lib = libpq()
        res = self._exec(sql, params)
        try:
            text = lib.PQcmdTuples(res).decode()
            return int(text) if text else 0
        finally:
            lib.PQclear(res)

    def query(self, sql: str, params=()) -> list[tuple]:
        """Rows as tuples; integer and boolean columns converted, the rest as text."""
        lib = libpq()
        res = self._exec(sql, params)
        try:
            types = [lib.PQftype(res, c) for c in range(lib.PQnfields(res))]
            rows = []
            for r in range(lib.PQntuples(res)):
                row = []
                for c, oid in enumerate(types):
                    if lib.PQgetisnull(res, r, c):
                        row.append(None)
                        continue
                    text = lib.PQgetvalue(res, r, c).decode()
                    if oid in _INT_TYPES:
                        row.append(int(text))
                    elif oid == _BOOL:
                        row.append(text == "t")
                    elif oid in _FLOAT_TYPES:
                        row.append(float(text))
                    else:
                        row.append(text)
                rows.append(tuple(row))
            return rows
        finally:
            lib.PQclear(res)


# --- the server ----------------------------------------------------------------------------

def server_bin_dir() -> Path:
    """AUTH_TEST_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin with initdb."""
    if os.environ.get("AUTH_TEST_PG_BIN"):
        return Path(os.environ["AUTH_TEST_PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise AssertionError("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): "
                             "install the postgresql package (scripts/install-deps test)")
    return Path(found[-1]).parent


class PostgresServer:
    """A private PostgreSQL server in a temp dir; start(), stop(), restart()."""

    def __init__(self, durable: bool = False):
        # Not durable (the default): no fsync and asynchronous commits, for speed; a server
        # that is stopped with `immediate` (a crash) must be durable or it loses the last
        # commits.
        self.durable = durable
        self.bin = server_bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="afpg-", dir="/tmp"))  # short: socket path
        self.data = self.root / "data"
        self.log_path = self.root / "postgres.log"
        self.port = support.free_port()
        self.proc: subprocess.Popen | None = None
        self.user = {}
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root, nobody.pw_uid, nobody.pw_gid)
            self.user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        self._initdb()

    def _run(self, args, **kw):
        return subprocess.run(args, cwd=self.root, capture_output=True, timeout=120, env=support.base_env(),
                              **self.user, **kw)

    def _initdb(self):
        pwfile = self.root / "pw"
        pwfile.write_text("postgres\n")
        if self.user:
            os.chown(pwfile, self.user["user"], self.user["group"])
        r = self._run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-E", "UTF8",
                       "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256",
                       f"--pwfile={pwfile}"])
        pwfile.unlink()
        assert r.returncode == 0, f"initdb failed: {r.stdout.decode(errors='replace')}{r.stderr.decode(errors='replace')}"

    @property
    def admin_conninfo(self) -> str:
        return f"host={self.root} port={self.port} user=postgres dbname=postgres"

    def conninfo(self, database: str) -> str:
        return f"host={self.root} port={self.port} user=postgres dbname={conninfo_quote(database)}"

    def start(self, timeout: float = 60.0) -> "PostgresServer":
        assert self.proc is None or self.proc.poll() is not None, "already running"
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(self.data), "-k", str(self.root), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=400", "-c", "shared_buffers=32MB",
             *([] if self.durable else ["-c", "fsync=off", "-c", "synchronous_commit=off",
                                        "-c", "full_page_writes=off"])],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=self.root, env=support.base_env(),
            start_new_session=True, **self.user)
        log.close()

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"postgres exited {self.proc.returncode}:\n{support.tail(self.log_path)}")
            return libpq().PQping(self.admin_conninfo.encode()) == 0  # PQPING_OK

        support.wait_for(ready, timeout, "PostgreSQL to accept connections")
        return self

    def stop(self, mode: str = "fast", timeout: float = 30.0) -> None:
        """fast: SIGINT (clients are told and disconnected); immediate: SIGQUIT."""
        if self.proc is None or self.proc.poll() is not None:
            return
        support.stop_popen(self.proc, timeout, signal.SIGINT if mode == "fast" else signal.SIGQUIT)

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def admin(self) -> PgConnection:
        return PgConnection(self.admin_conninfo)

    def ensure_app_role(self) -> None:
        with self.admin() as db:
            if not db.query("SELECT 1 FROM pg_roles WHERE rolname = ?", (APP_ROLE,)):
                db.execute(f'CREATE ROLE "{APP_ROLE}" LOGIN PASSWORD {conninfo_quote(APP_PASSWORD)}')

    def create_database(self, name: str, owner: str = APP_ROLE) -> None:
        """A new empty database (owned by the service's role); no-op when it exists."""
        self.ensure_app_role()
        with self.admin() as db:
            if not db.query("SELECT 1 FROM pg_database WHERE datname = ?", (name,)):
                db.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')

    def url(self, database: str, **query) -> str:
        """DATABASE_URL for the service: TCP on loopback with the percent-encoded password."""
        params = {"sslmode": "disable", **query}
        q = "&".join(f"{k}={quote(str(v), safe='/')}" for k, v in params.items())
        return (f"postgresql://{quote(APP_ROLE, safe='')}:{quote(APP_PASSWORD, safe='')}"
                f"@127.0.0.1:{self.port}/{quote(database, safe='')}?{q}")

    def database_for(self, data_dir) -> str:
        """The database of a data dir: the same dir always gets the same database, as it
        would get the same SQLite file."""
        digest = hashlib.sha1(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
        name = f"t_{digest}"
        self.create_database(name)
        return name

    def client_socket_inodes(self) -> set[str]:
        """`socket:[inode]` names of the TCP connections to this server (from /proc/net)."""
        found = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except FileNotFoundError:
                continue
            for line in lines:
                parts = line.split()
                if int(parts[2].rsplit(":", 1)[1], 16) == self.port:
                    found.add(f"socket:[{parts[9]}]")
        return found

    def dump(self, database: str, into: Path) -> Path:
        """pg_dump of one database (plain SQL) into a file."""
        out = Path(into)
        r = subprocess.run([str(self.bin / "pg_dump"), "-h", str(self.root), "-p", str(self.port), "-U", "postgres",
                            "-d", database, "-f", str(out)], capture_output=True, timeout=60, env=support.base_env())
        assert r.returncode == 0, r.stderr.decode(errors="replace")
        return out


# The session's server when AUTH_TEST_DATABASE=postgresql (set by conftest).
SERVER: PostgresServer | None = None


def database_of_url(url: str) -> str:
    """The database name of a DATABASE_URL made by PostgresServer.url."""
    from urllib.parse import unquote, urlsplit
    return unquote(urlsplit(url).path.lstrip("/"))


@contextlib.contextmanager
def connect_url(url: str):
    """A test-side connection (trusted unix socket, as postgres) to the database of `url`."""
    assert SERVER is not None, "no PostgreSQL server in this session"
    conn = PgConnection(SERVER.conninfo(database_of_url(url)))
    try:
        yield conn
    finally:
        conn.close()

