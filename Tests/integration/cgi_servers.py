"""Apache and lighttpd serving the shipped plain-CGI examples (conf/cgi/), for the tests
and for scripts/cgi-figures.

Each server runs in the foreground in its own session, on a free 127.0.0.1 port, with
everything under one root directory: the binary as `auth-fcgi.cgi` with a `.env` next
to it (the configuration the examples describe), the data directory, the server's
configuration, logs and run files. The example is included as shipped (lighttpd: only
its `var.auth_fcgi_dir` line is replaced; Apache: `Define AUTH_FCGI_DIR` before the
Include). As root, Apache's children (and so the CGI programs) run as www-data (or
nobody), which owns the data directory; lighttpd runs its CGIs as itself.
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
from dataclasses import dataclass
from pathlib import Path

import requests

import support
from support import wait_for

CONF_CGI = support.REPO_ROOT / "conf" / "cgi"
APACHE_MODULES = Path("/usr/lib/apache2/modules")  # Debian's apache2


class SetupError(RuntimeError):
    """A server is missing or refused its configuration."""


@dataclass
class Site:
    name: str
    base_url: str
    root: Path
    logs: list[Path]
    dotenv_urls: list[str]
    cgi_dir: Path  # where auth-fcgi.cgi and its .env are

    def url(self, path: str) -> str:
        return self.base_url + path

    def diagnostics(self) -> str:
        return "".join(f"\n--- {p.name}:\n{support.tail(p, 2000)}" for p in self.logs)


def run_as() -> tuple[str, str]:
    """The user and group Apache's children (and so the CGI programs) run as: an
    unprivileged account when running as root (Apache refuses to run as root), else the
    current user (Apache can't switch users then anyway)."""
    if os.geteuid() == 0:
        for name in ("www-data", "nobody"):
            try:
                pw = pwd.getpwnam(name)
            except KeyError:
                continue
            return name, grp.getgrgid(pw.pw_gid).gr_name
        raise SetupError("running as root, but there is no www-data or nobody account for Apache's children")
    return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name


def make_layout(auth_bin: Path, root: Path, cgi_dir: Path, owner: str | None, settings: dict[str, str]) -> Path:
    """The binary as `auth-fcgi.cgi` in cgi_dir with a `.env` next to it (`settings`, then
    the data directory's DATABASE_URL and MAIL_URL), and the data directory (outside any
    document root), writable by `owner` when given."""
    os.chmod(root, 0o755)  # mkdtemp makes it 0700: the CGI user must reach its files
    cgi_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(auth_bin, cgi_dir / "auth-fcgi.cgi")
    os.chmod(cgi_dir / "auth-fcgi.cgi", 0o755)
    data = root / "data"
    data.mkdir()
    lines = [f"{key}={value}" for key, value in settings.items()]
    lines += [f"DATABASE_URL=sqlite:///{data}/auth.db", f"MAIL_URL=file://{data}/mail"]
    (cgi_dir / ".env").write_text("# written by cgi_servers.make_layout\n" + "\n".join(lines) + "\n")
    os.chmod(cgi_dir / ".env", 0o644)
    if owner is not None and os.geteuid() == 0:
        shutil.chown(data, user=owner, group=pwd.getpwnam(owner).pw_gid)
    return data


# lighttpd 1.4.69 stopped by SIGTERM exits 0 or 1 (its main() can return the 1 its
# set-up succeeded with), after an orderly stop either way: its error log ends with
# "server stopped by UID = ..." and nothing else. Seen on runs up for several seconds.
LIGHTTPD_STOP_CODES = (0, 1)


class Server:
    """A web server started in the foreground in its own session; stopped by its PID, after
    which it must exit with one of `stop_codes` and leave no process behind."""

    def __init__(self, name: str, argv: list[str], root: Path, port: int, logs: list[Path],
                 env: dict[str, str] | None = None, stop_codes: tuple[int, ...] = (0,)):
        self.name, self.argv, self.root, self.port, self.logs = name, argv, root, port, logs
        self.env = env if env is not None else support.base_env()
        self.stop_codes = stop_codes
        self.out = root / f"{name}.out"
        self.logs.insert(0, self.out)
        self.proc: subprocess.Popen | None = None

    def start(self, health_url: str) -> None:
        with open(self.out, "wb") as out:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                         env=self.env, cwd=self.root, start_new_session=True)

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

    def wait_cgis_done(self) -> None:
        """Waits until no CGI program of this server runs (a client that gave up on its
        requests, like wrk at its deadline, leaves them running for a while): lighttpd
        stopped while a CGI runs exits 1."""
        def done():
            return not any(support.comm(p) == "auth-fcgi.cgi" for p in support.process_group_members(self.proc.pid))

        wait_for(done, 20, f"{self.name}'s CGI programs to finish")

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
        assert clean and rc in self.stop_codes, f"{self.name} exit {rc} (clean={clean}):{self.diagnostics()}"
        assert not leftovers, f"{self.name} left processes behind: {leftovers}"


# --- lighttpd ------------------------------------------------------------------------

def lighttpd_binary() -> str:
    path = shutil.which("lighttpd") or "/usr/sbin/lighttpd"
    if not os.access(path, os.X_OK):
        raise SetupError("lighttpd is not installed (scripts/install-deps test)")
    return path


def lighttpd_site(auth_bin: Path, root: Path, settings: dict[str, str]) -> tuple[Server, Site]:
    lighttpd = lighttpd_binary()
    srv = root / "srv"
    make_layout(auth_bin, root, srv / "cgi-bin", None, settings)  # lighttpd runs CGIs as itself
    htdocs = root / "htdocs"
    htdocs.mkdir()
    (htdocs / "index.html").write_text("static\n")

    example = (CONF_CGI / "lighttpd-auth-fcgi.conf").read_text()
    pattern = re.compile(r'^var\.auth_fcgi_dir = "/srv/auth-fcgi"$', re.M)
    if len(pattern.findall(example)) != 1:
        raise SetupError("lighttpd-auth-fcgi.conf lost its `var.auth_fcgi_dir = ...` line")
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
    if check.returncode != 0:
        raise SetupError(f"lighttpd -tt: {check.stdout.decode()}{check.stderr.decode()}")
    server = Server("lighttpd", [lighttpd, "-D", "-f", str(conf)], root, port, [error_log],
                    stop_codes=LIGHTTPD_STOP_CODES)
    base = f"http://127.0.0.1:{port}"
    site = Site("lighttpd", base, root, server.logs,
                ["/auth-fcgi.cgi/.env", "/.env", "/api/../cgi-bin/.env", "/srv/cgi-bin/.env"], srv / "cgi-bin")
    return server, site


# --- Apache ----------------------------------------------------------------------------

def apache_binary() -> str:
    for name in ("apache2", "httpd"):
        path = shutil.which(name) or f"/usr/sbin/{name}"
        if os.access(path, os.X_OK):
            return path
    raise SetupError("Apache is not installed (apt-get install apache2)")


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
    if check.returncode != 0:
        raise SetupError(f"{httpd} -t: {check.stdout.decode()}{check.stderr.decode()}")
    return Server("apache", [httpd, "-f", str(conf), "-k", "start", "-DFOREGROUND"], root, port,
                  [root / "error.log"])


def apache_site(auth_bin: Path, root: Path, settings: dict[str, str]) -> tuple[Server, Site]:
    """apache-auth-fcgi.conf included unmodified, its directory set with Define."""
    user, group = run_as()
    srv = root / "srv"
    make_layout(auth_bin, root, srv / "cgi-bin", user, settings)
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
                ["/.env", "/api/../.env", "/cgi-bin/.env", "/api/%2e%2e/.env"], srv / "cgi-bin")
    return server, site


def shared_host(root: Path, htdocs: Path, user: str, group: str) -> Server:
    """Apache as a shared host runs it: htdocs the document root, with mod_cgid, mod_rewrite
    and the AllowOverride apache.htaccess asks for."""
    port = support.free_port()
    conf = apache_conf(root, port, user, group, ["mpm_event", "authz_core", "rewrite", "cgid"], f"""
DocumentRoot "{htdocs}"
<Directory "{htdocs}">
    AllowOverride FileInfo AuthConfig Options=ExecCGI,Indexes,SymLinksIfOwnerMatch
    Require all granted
</Directory>
""")
    return apache_server(root, conf, port)


def apache_htaccess_site(auth_bin: Path, root: Path, settings: dict[str, str]) -> tuple[Server, Site]:
    """apache.htaccess as the document root's .htaccess."""
    user, group = run_as()
    htdocs = root / "htdocs"
    make_layout(auth_bin, root, htdocs, user, settings)
    shutil.copy2(CONF_CGI / "apache.htaccess", htdocs / ".htaccess")
    os.chmod(htdocs / ".htaccess", 0o644)
    (htdocs / "index.html").write_text("static\n")
    server = shared_host(root, htdocs, user, group)
    site = Site("apache-htaccess", f"http://127.0.0.1:{server.port}", root, server.logs,
                ["/.env", "/api/../.env", "/.htaccess", "/auth.db", "/auth.db-wal"], htdocs)
    return server, site


def raw_get(base_url: str, path: str) -> tuple[int, bytes]:
    """GET with the path sent exactly as given (no dot-segment removal by the client)."""
    conn = http.client.HTTPConnection("127.0.0.1", int(base_url.rsplit(":", 1)[1]), timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


SITES = {"lighttpd": lighttpd_site, "apache": apache_site, "apache-htaccess": apache_htaccess_site}
