"""The shipped plain-CGI examples (conf/cgi/) under real web servers: lighttpd with
lighttpd-auth-fcgi.conf, Apache (mod_cgid) with apache-auth-fcgi.conf, and Apache with
apache.htaccess in a document root. Each server is started by the test, unprivileged
where the server allows it, on a free port in a temp directory, with the example included
as shipped (lighttpd: only its `var.auth_fcgi_dir` line is replaced) and the
configuration in a `.env` next to the binary, as the examples describe. The API is then
driven over HTTP: health, register, login, whoami with `Authorization: Bearer` (the
header must reach the CGI program), a query string, a 404 problem, and the `.env` must
not be served.
"""

from __future__ import annotations

import grp
import http.client
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest
import requests

import support
from support import assert_problem, media_type, wait_for

CONF_CGI = support.REPO_ROOT / "conf" / "cgi"
APACHE_MODULES = Path("/usr/lib/apache2/modules")  # Debian's apache2
ADMIN_KEY = "cgi-example-admin-registration-key-0001"
PASSWORD = "correct horse battery"
HEALTH = {"status": "ok", "database": "ok"}


@dataclass
class Site:
    name: str
    base_url: str
    root: Path
    logs: list[Path]
    dotenv_urls: list[str]

    def url(self, path: str) -> str:
        return self.base_url + path

    def diagnostics(self) -> str:
        return "".join(f"\n--- {p.name}:\n{support.tail(p, 2000)}" for p in self.logs)


def run_as() -> tuple[str, str]:
    """The user and group Apache's children (and so the CGI programs) run as: an
    unprivileged account when the tests run as root (Apache refuses to run as root),
    else the current user (Apache can't switch users then anyway)."""
    if os.geteuid() == 0:
        for name in ("www-data", "nobody"):
            try:
                pw = pwd.getpwnam(name)
            except KeyError:
                continue
            return name, grp.getgrgid(pw.pw_gid).gr_name
        pytest.fail("running as root, but there is no www-data or nobody account for Apache's children")
    return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name


def make_layout(auth_bin: Path, root: Path, cgi_dir: Path, owner: str | None) -> Path:
    """The binary as `auth-fcgi.cgi` in cgi_dir with a `.env` next to it, and the data
    directory (outside any document root), writable by `owner` when given."""
    os.chmod(root, 0o755)  # mkdtemp makes it 0700: the CGI user must reach its files
    cgi_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(auth_bin, cgi_dir / "auth-fcgi.cgi")
    os.chmod(cgi_dir / "auth-fcgi.cgi", 0o755)
    data = root / "data"
    data.mkdir()
    (cgi_dir / ".env").write_text(
        "# written by test_deploy_cgi_examples.py\n"
        "AUTH_ENV=production\n"
        f"JWT_SECRET_KEY={support.TEST_JWT_SECRET}\n"
        f"MFA_SECRET_KEY={support.TEST_MFA_SECRET}\n"
        f"DATABASE_URL=sqlite:///{data}/auth.db\n"
        f"MAIL_URL=file://{data}/mail\n"
        "PUBLIC_BASE_URL=http://127.0.0.1\n"
        f"ADMIN_REGISTRATION_KEY={ADMIN_KEY}\n"
        "PASSWORD_SCHEME=yescrypt\n"
        "PASSWORD_COST=1\n"
    )
    os.chmod(cgi_dir / ".env", 0o644)
    if owner is not None and os.geteuid() == 0:
        shutil.chown(data, user=owner, group=pwd.getpwnam(owner).pw_gid)
    return data


class Server:
    """A web server started in the foreground in its own session; stopped by its PID."""

    def __init__(self, name: str, argv: list[str], root: Path, port: int, logs: list[Path]):
        self.name, self.argv, self.root, self.port, self.logs = name, argv, root, port, logs
        self.out = root / f"{name}.out"
        self.logs.insert(0, self.out)
        self.proc: subprocess.Popen | None = None

    def start(self, health_url: str) -> None:
        with open(self.out, "wb") as out:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                         env=support.base_env(), cwd=self.root, start_new_session=True)

        last = ["no answer"]

        def up():
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited {self.proc.returncode} during start-up:{self.diagnostics()}")
            try:
                r = requests.get(health_url, timeout=5)
            except requests.RequestException as e:
                last[0] = repr(e)
                return False
            last[0] = f"{r.status_code} {r.text[:300]}"
            return r.status_code == 200

        try:
            wait_for(up, 20, f"{self.name}: GET {health_url} == 200")
        except support.WaitTimeout as e:
            raise AssertionError(f"{e}; last answer: {last[0]}{self.diagnostics()}") from None

    def diagnostics(self) -> str:
        return "".join(f"\n--- {p.name}:\n{support.tail(p, 2000)}" for p in self.logs)

    def stop(self) -> None:
        if self.proc is None:
            return
        pgid = self.proc.pid
        rc, clean = support.stop_popen(self.proc)
        # Children (Apache's workers and cgid daemon, CGI programs) must be gone too.
        leftovers = []
        try:
            wait_for(lambda: not support.process_group_members(pgid), 10, f"{self.name}'s processes to exit")
        except support.WaitTimeout:
            leftovers = [(p, support.cmdline(p)) for p in support.process_group_members(pgid)]
            for p, _ in leftovers:
                support.kill_quietly(p, signal.SIGKILL)
        assert clean and rc == 0, f"{self.name} exit {rc} (clean={clean}): {support.tail(self.out)}"
        assert not leftovers, f"{self.name} left processes behind: {leftovers}"


# --- lighttpd ------------------------------------------------------------------------

def lighttpd_site(auth_bin: Path, root: Path):
    lighttpd = shutil.which("lighttpd") or "/usr/sbin/lighttpd"
    if not os.access(lighttpd, os.X_OK):
        pytest.fail("lighttpd is not installed (scripts/install-deps test)")
    srv = root / "srv"
    make_layout(auth_bin, root, srv / "cgi-bin", owner=None)  # lighttpd runs CGIs as itself
    htdocs = root / "htdocs"
    htdocs.mkdir()
    (htdocs / "index.html").write_text("static\n")

    example = (CONF_CGI / "lighttpd-auth-fcgi.conf").read_text()
    pattern = re.compile(r'^var\.auth_fcgi_dir = "/srv/auth-fcgi"$', re.M)
    assert len(pattern.findall(example)) == 1, "lighttpd-auth-fcgi.conf lost its `var.auth_fcgi_dir = ...` line"
    (root / "auth-fcgi.conf").write_text(pattern.sub(f'var.auth_fcgi_dir = "{srv}"', example))

    port = support.free_port()
    error_log = root / "error.log"
    conf = root / "lighttpd.conf"
    # Like Debian's lighttpd.conf: some modules loaded already (the example adds its own).
    conf.write_text(f"""
server.document-root = "{htdocs}"
server.bind          = "127.0.0.1"
server.port          = {port}
server.errorlog      = "{error_log}"
server.pid-file      = "{root}/lighttpd.pid"
server.modules       = ( "mod_indexfile", "mod_access", "mod_alias", "mod_redirect" )
server.modules      += ( "mod_staticfile" )
index-file.names     = ( "index.html" )
url.access-deny      = ( "~", ".inc" )
include "{root}/auth-fcgi.conf"
""")
    check = subprocess.run([lighttpd, "-tt", "-f", str(conf)], capture_output=True, env=support.base_env(),
                           timeout=30)
    assert check.returncode == 0, f"lighttpd -tt: {check.stdout.decode()}{check.stderr.decode()}"
    server = Server("lighttpd", [lighttpd, "-D", "-f", str(conf)], root, port, [error_log])
    base = f"http://127.0.0.1:{port}"
    site = Site("lighttpd", base, root, server.logs,
                ["/auth-fcgi.cgi/.env", "/.env", "/api/../cgi-bin/.env", "/srv/cgi-bin/.env"])
    return server, site


# --- Apache ----------------------------------------------------------------------------

def apache_binary() -> str:
    for name in ("apache2", "httpd"):
        path = shutil.which(name) or f"/usr/sbin/{name}"
        if os.access(path, os.X_OK):
            return path
    pytest.fail("Apache is not installed (apt-get install apache2)")


def apache_conf(root: Path, port: int, user: str, group: str, modules: list[str], body: str) -> Path:
    loads = "\n".join(
        f"<IfModule !{m}_module>\n    LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so\n</IfModule>"
        for m in modules
    )
    run = root / "run"
    run.mkdir()
    conf = root / "httpd.conf"
    conf.write_text(f"""
ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{run}/httpd.pid"
DefaultRuntimeDir "{run}"
Mutex file:{run} default
ErrorLog "{root}/error.log"
LogLevel warn
User {user}
Group {group}
{loads}
ScriptSock "{run}/cgid.sock"
<Directory />
    AllowOverride None
    Options None
    Require all denied
</Directory>
# As every apache2.conf has it.
<FilesMatch "^\\.ht">
    Require all denied
</FilesMatch>
{body}
""")
    return conf


def apache_server(root: Path, conf: Path, port: int) -> Server:
    httpd = apache_binary()
    check = subprocess.run([httpd, "-t", "-f", str(conf)], capture_output=True, env=support.base_env(), timeout=30)
    assert check.returncode == 0, f"{httpd} -t: {check.stdout.decode()}{check.stderr.decode()}"
    return Server("apache", [httpd, "-f", str(conf), "-k", "start", "-DFOREGROUND"], root, port,
                  [root / "error.log"])


def apache_site(auth_bin: Path, root: Path):
    """apache-auth-fcgi.conf included unmodified, its directory set with Define."""
    user, group = run_as()
    srv = root / "srv"
    make_layout(auth_bin, root, srv / "cgi-bin", owner=user)
    htdocs = root / "htdocs"
    htdocs.mkdir()
    port = support.free_port()
    conf = apache_conf(root, port, user, group, ["mpm_event", "authz_core", "alias", "cgid"], f"""
DocumentRoot "{htdocs}"
<Directory "{htdocs}">
    Require all granted
</Directory>
Define AUTH_FCGI_DIR {srv}
Include "{CONF_CGI / 'apache-auth-fcgi.conf'}"
""")
    server = apache_server(root, conf, port)
    site = Site("apache", f"http://127.0.0.1:{port}", root, server.logs,
                ["/.env", "/api/../.env", "/cgi-bin/.env", "/api/%2e%2e/.env"])
    return server, site


def apache_htaccess_site(auth_bin: Path, root: Path):
    """apache.htaccess as the document root's .htaccess, with the AllowOverride it asks for."""
    user, group = run_as()
    htdocs = root / "htdocs"
    make_layout(auth_bin, root, htdocs, owner=user)
    shutil.copy2(CONF_CGI / "apache.htaccess", htdocs / ".htaccess")
    os.chmod(htdocs / ".htaccess", 0o644)
    (htdocs / "index.html").write_text("static\n")
    port = support.free_port()
    conf = apache_conf(root, port, user, group, ["mpm_event", "authz_core", "rewrite", "cgid"], f"""
DocumentRoot "{htdocs}"
<Directory "{htdocs}">
    AllowOverride FileInfo AuthConfig Options=ExecCGI,Indexes,SymLinksIfOwnerMatch
    Require all granted
</Directory>
""")
    server = apache_server(root, conf, port)
    site = Site("apache-htaccess", f"http://127.0.0.1:{port}", root, server.logs,
                ["/.env", "/api/../.env", "/.htaccess", "/auth.db", "/auth.db-wal"])
    return server, site


SITES = {"lighttpd": lighttpd_site, "apache": apache_site, "apache-htaccess": apache_htaccess_site}


@pytest.fixture(scope="module", params=list(SITES))
def site(request, auth_bin):
    root = Path(tempfile.mkdtemp(prefix="afit-dcgi-", dir="/tmp"))
    server = None
    try:
        server, s = SITES[request.param](auth_bin, root)
        server.start(s.url("/api/health"))
        yield s
    finally:
        try:
            if server is not None:
                server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


# --- the tests ---------------------------------------------------------------------------

def test_health(site):
    r = requests.get(site.url("/api/health"), headers={"X-Request-ID": "cgi-example.1"}, timeout=10)
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}{site.diagnostics()}"
    assert media_type(r) == "application/json"
    assert r.json() == HEALTH
    assert "no-store" in r.headers.get("Cache-Control", "")
    assert r.headers.get("X-Request-ID") == "cgi-example.1"


def test_register_login_whoami(site):
    """POST bodies, the Authorization header and the query string all reach the CGI."""
    name = f"cgi{uuid.uuid4().hex[:10]}"
    s = requests.Session()
    r = s.post(site.url("/api/auth/register"), timeout=15, json={
        "username": name, "email": f"{name}@example.com", "password": PASSWORD, "admin_key": ADMIN_KEY})
    assert r.status_code == 201, f"{r.status_code} {r.text[:300]}{site.diagnostics()}"
    user = r.json()["user"]
    assert user["username"] == name and user["role"] == "ADMIN"

    r = s.post(site.url("/api/auth/login"), json={"username": name, "password": PASSWORD}, timeout=15)
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    access = r.json()["access_token"]
    # Signed with the key from the .env next to the binary (no other configuration exists).
    claims = jwt.decode(access, support.TEST_JWT_SECRET, algorithms=["HS256"], audience="auth-fcgi-api")
    assert claims["sub"] == str(user["id"])

    r = s.get(site.url("/api/auth/whoami"), headers={"Authorization": f"Bearer {access}"}, timeout=15)
    assert r.status_code == 200, (f"whoami with a valid Bearer token: {r.status_code} {r.text[:300]} "
                                  "(does the server pass the Authorization header to CGI programs?)")
    assert r.json()["user"]["username"] == name

    assert_problem(s.get(site.url("/api/auth/whoami"), timeout=15), 401, "token_missing")
    assert_problem(s.get(site.url("/api/auth/whoami"), headers={"Authorization": "Bearer nope"}, timeout=15),
                   401, "token_invalid")

    r = s.get(site.url("/api/users"), params={"q": name, "per_page": 1},
              headers={"Authorization": f"Bearer {access}"}, timeout=15)
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    body = r.json()
    assert body["per_page"] == 1 and [u["username"] for u in body["items"]] == [name], body


def test_not_found_problem(site):
    assert_problem(requests.get(site.url("/api/no/such/thing?x=1"), timeout=10), 404, "not_found")
    assert_problem(requests.get(site.url("/api/"), timeout=10), 404, "not_found")


def test_method_not_allowed(site):
    r = requests.delete(site.url("/api/health"), timeout=10)
    assert_problem(r, 405, "method_not_allowed")


def raw_get(site: Site, path: str) -> tuple[int, bytes]:
    """GET with the path sent exactly as given (no dot-segment removal by the client)."""
    conn = http.client.HTTPConnection("127.0.0.1", int(site.base_url.rsplit(":", 1)[1]), timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_configuration_is_not_served(site):
    for path in site.dotenv_urls:
        status, body = raw_get(site, path)
        assert status in (400, 403, 404), f"GET {path}: {status} {body[:200]!r}"
        for secret in (support.TEST_JWT_SECRET, support.TEST_MFA_SECRET):
            assert secret.encode() not in body, f"GET {path} served the configuration"


def test_concurrent_requests(site):
    """One process per request, all on one SQLite file: parallel writes don't fail."""
    def one(i):
        name = f"par{i}x{uuid.uuid4().hex[:8]}"
        with requests.Session() as s:
            r = s.post(site.url("/api/auth/register"), timeout=30,
                       json={"username": name, "email": f"{name}@example.com", "password": PASSWORD})
            login = s.post(site.url("/api/auth/login"), json={"username": name, "password": PASSWORD}, timeout=30)
            return r.status_code, login.status_code

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(16)))
    assert results == [(201, 200)] * 16, f"{results}{site.diagnostics()}"
