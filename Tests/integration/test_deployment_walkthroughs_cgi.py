"""Deployment walkthroughs, plain CGI: the README's own commands (section "Shared hosting
with plain CGI", blocks marked `cgi-layout`, `apache-cgi`, `lighttpd-cgi` and
`apache-htaccess-cgi`, read by readme_walkthrough) run with bash (`-euo pipefail`) on a
fresh directory tree, then the API is driven through the web server they set up: health,
register, login, whoami with `Authorization: Bearer`, the first admin (made by the
walkthrough's create-admin) listing the users, `.env` not served, and the password-reset
mail the CGI sends after its answer.

Root only (CI runs as root): the commands install files for www-data, run as www-data
and configure the system's servers. What the test changes, and nothing else:

- Every block runs in the repository (`conf/cgi/...`) except `apache-htaccess-cgi`
  (below); create-admin reads the password from standard input (no terminal);
  `MAIL_URL=smtp://user:password@smtp.example.com:587` becomes a `file://` directory in
  the tree (no mail leaves the machine).
- `cgi-layout`: `/srv/auth-fcgi` becomes `TREE/srv/auth-fcgi`, and
  `.build/release/auth-fcgi` the binary under test.
- `apache-cgi`: `/etc/apache2` becomes `TREE/etc/apache2`, a copy of the host's
  /etc/apache2 (Debian's) in which ports.conf listens on 127.0.0.1:PORT only, the
  sites' `<VirtualHost *:80>` are `*:PORT`, envvars' run, lock and log directories are
  in the tree (the log directory made, as the package makes /var/log/apache2), and
  apache2.conf starts with `Define AUTH_FCGI_DIR TREE/srv/auth-fcgi` (what the README
  says to do for another directory); APACHE_CONFDIR points there, so a2enmod, a2enconf
  and apachectl work on the copy. The last line, `systemctl restart apache2`, is
  replaced by the test starting `apache2 -d TREE/etc/apache2 -DFOREGROUND` with the
  copy's envvars.
- `lighttpd-cgi`: `/etc/lighttpd` becomes `TREE/etc/lighttpd`, a copy of the host's
  /etc/lighttpd whose lighttpd.conf has server.port PORT and its document root, upload
  directory, error log and pid file in the tree (the directories made, www-data's as the
  package makes them); after the commands, the copied 50-auth-fcgi.conf's
  `var.auth_fcgi_dir` line names `TREE/srv/auth-fcgi` (the one line the file says to
  edit). The last line, `systemctl restart lighttpd`, is replaced by the test starting
  `lighttpd -D -f TREE/etc/lighttpd/lighttpd.conf`.
- `apache-htaccess-cgi`: the commands run as www-data with HOME=`TREE/home/you` (its
  `public_html` made beforehand, as a host provides it), in a copy of the two source
  files they name (`.build/release/auth-fcgi`, the binary under test, and
  `conf/cgi/apache.htaccess`) that www-data can read. The host is an Apache run by the
  test (cgi_servers.shared_host: the `.htaccess` overrides it needs) whose CGIs run as
  www-data, the files' owner: what suEXEC gives a shared host's user.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

import cgi_servers
import support
from readme_walkthrough import walkthrough_blocks
from support import assert_problem, media_type

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the CGI walkthroughs install files as root for www-data "
                                "(CI runs as root)")

ADMIN = "admin"  # the username the walkthroughs' create-admin gives
ADMIN_PASSWORD = "walkthrough admin password"
PASSWORD = "correct horse battery"
SMTP_PLACEHOLDER = "MAIL_URL=smtp://user:password@smtp.example.com:587"
CGI_USER = "www-data"


def substituted(text: str, replacements: dict[str, str]) -> str:
    """text with each key replaced by its value; every key must occur, and none may be left
    outside the values (a README change must not send a command to the real system)."""
    for old, new in replacements.items():
        assert old in text, f"the walkthrough no longer contains {old!r}: update the substitutions\n{text}"
        text = text.replace(old, new)
    leftover = text
    for new in replacements.values():
        leftover = leftover.replace(new, "")
    for old in replacements:
        assert old not in leftover, f"{old!r} survived the substitution:\n{text}"
    return text


def without_last_line(block: str, expected: str) -> str:
    """The block without its last command, which must be `expected` (the test does it)."""
    lines = block.rstrip("\n").split("\n")
    assert lines[-1] == expected, f"the walkthrough's last line is {lines[-1]!r}, not {expected!r}"
    return "\n".join(lines[:-1]) + "\n"


def run_commands(script: str, cwd: Path, env: dict[str, str], log: Path, user: str | None = None) -> None:
    """Runs the commands with bash; the create-admin password on standard input."""
    with open(log, "ab") as out:
        out.write(f"$ cd {cwd}\n{script}\n".encode())
        out.flush()
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env,
                                input=f"{ADMIN_PASSWORD}\n".encode(), stdout=out, stderr=subprocess.STDOUT,
                                timeout=60, user=user, group=pwd.getpwnam(user).pw_gid if user else None,
                                extra_groups=[] if user else None)
    assert result.returncode == 0, f"the walkthrough failed ({result.returncode}):\n{support.tail(log)}"


def layout(auth_bin: Path, tree: Path, env: dict[str, str], log: Path) -> Path:
    """The `cgi-layout` block on the tree; returns the layout's directory."""
    srv = tree / "srv" / "auth-fcgi"
    (block,) = walkthrough_blocks("cgi-layout")
    run_commands(substituted(block, {
        "/srv/auth-fcgi": str(srv),
        ".build/release/auth-fcgi": str(auth_bin),
        SMTP_PLACEHOLDER: f"MAIL_URL=file://{srv}/data/mail",
    }), support.REPO_ROOT, env, log)
    return srv


def check_layout(srv: Path) -> None:
    """The modes and owners the README promises."""
    www = pwd.getpwnam(CGI_USER)
    dotenv = (srv / "cgi-bin" / ".env").stat()
    assert stat.S_IMODE(dotenv.st_mode) == 0o640 and dotenv.st_gid == www.pw_gid, oct(dotenv.st_mode)
    database = (srv / "data" / "auth.db").stat()
    assert database.st_uid == www.pw_uid, "the database belongs to the CGI's user"
    assert stat.S_IMODE(database.st_mode) & 0o077 == 0, oct(database.st_mode)


# --- the servers' configuration, copied from the host ------------------------------------------

def copy_host_config(name: str, tree: Path) -> Path:
    source = Path("/etc") / name
    if not source.is_dir():
        pytest.fail(f"{source} is missing: install Debian's {name} package (scripts/install-deps test)")
    target = tree / "etc" / name
    shutil.copytree(source, target, symlinks=True)
    return target


def apache_copy(tree: Path, port: int, srv: Path) -> Path:
    conf = copy_host_config("apache2", tree)
    (conf / "ports.conf").write_text(f"Listen 127.0.0.1:{port}\n")
    for site in (conf / "sites-available").glob("*.conf"):
        site.write_text(site.read_text().replace("<VirtualHost *:80>", f"<VirtualHost *:{port}>"))
    var = tree / "var"
    (var / "log").mkdir(parents=True)  # as the package makes /var/log/apache2
    with open(conf / "envvars", "a") as envvars:
        envvars.write(f"""
# test_deployment_walkthroughs_cgi: this copy's files stay in its tree
export APACHE_PID_FILE={var}/run/apache2.pid
export APACHE_RUN_DIR={var}/run
export APACHE_LOCK_DIR={var}/lock
export APACHE_LOG_DIR={var}/log
""")
    main = conf / "apache2.conf"
    main.write_text(f"Define AUTH_FCGI_DIR {srv}\n" + main.read_text())
    return conf


def lighttpd_copy(tree: Path, port: int) -> Path:
    conf = copy_host_config("lighttpd", tree)
    htdocs, var = tree / "htdocs", tree / "var"
    for directory in (htdocs, var / "uploads", var / "log"):
        directory.mkdir(parents=True, exist_ok=True)
    (htdocs / "index.html").write_text("static\n")
    for directory in (var / "uploads", var / "log"):  # www-data's, as the package makes them
        shutil.chown(directory, user=CGI_USER)
    settings = {
        "server.document-root": f'"{htdocs}"',
        "server.upload-dirs": f'( "{var}/uploads" )',
        "server.errorlog": f'"{var}/log/error.log"',
        "server.pid-file": f'"{var}/lighttpd.pid"',
        "server.port": str(port),
    }
    text = (conf / "lighttpd.conf").read_text()
    for key, value in settings.items():
        text, count = re.subn(rf"^{re.escape(key)}\s*=.*$", f"{key} = {value}", text, flags=re.M)
        assert count == 1, f"the host's lighttpd.conf has {count} `{key} =` lines"
    (conf / "lighttpd.conf").write_text(text.replace("/etc/lighttpd", str(conf)))
    return conf


# --- the walkthroughs --------------------------------------------------------------------------

@dataclass
class Deployment:
    name: str
    server: cgi_servers.Server
    mail_dir: Path  # MAIL_URL's directory
    layout: Path | None  # /srv/auth-fcgi's stand-in, for cgi-layout's walkthroughs
    private_urls: list[str]  # paths that must not serve the .env

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"


def apache_walkthrough(auth_bin: Path, tree: Path, env: dict[str, str], log: Path):
    port = support.free_port()
    srv = layout(auth_bin, tree, env, log)
    conf = apache_copy(tree, port, srv)
    env = dict(env, APACHE_CONFDIR=str(conf))
    (block,) = walkthrough_blocks("apache-cgi")
    block = without_last_line(block, "systemctl restart apache2")
    run_commands(substituted(block, {"/etc/apache2": str(conf)}), support.REPO_ROOT, env, log)
    httpd = cgi_servers.apache_binary()
    server = cgi_servers.Server("apache", ["sh", "-c", f'. "$APACHE_CONFDIR/envvars" && exec {httpd} '
                                           f'-d "$APACHE_CONFDIR" -DFOREGROUND'],
                                tree, port, [log, tree / "var" / "log" / "error.log"], env)
    return Deployment("apache", server, srv / "data" / "mail", srv,
                      ["/.env", "/api/../.env", "/cgi-bin/.env", "/api/%2e%2e/cgi-bin/.env"])


def lighttpd_walkthrough(auth_bin: Path, tree: Path, env: dict[str, str], log: Path):
    port = support.free_port()
    srv = layout(auth_bin, tree, env, log)
    conf = lighttpd_copy(tree, port)
    (block,) = walkthrough_blocks("lighttpd-cgi")
    block = without_last_line(block, "systemctl restart lighttpd")
    run_commands(substituted(block, {"/etc/lighttpd": str(conf)}), support.REPO_ROOT, env, log)
    enabled = conf / "conf-available" / "50-auth-fcgi.conf"
    text, count = re.subn(r'^var\.auth_fcgi_dir = "/srv/auth-fcgi"$', f'var.auth_fcgi_dir = "{srv}"',
                          enabled.read_text(), flags=re.M)
    assert count == 1, "the copied lighttpd-auth-fcgi.conf has no `var.auth_fcgi_dir` line to edit"
    enabled.write_text(text)
    server = cgi_servers.Server("lighttpd", [shutil.which("lighttpd") or "/usr/sbin/lighttpd", "-D", "-f",
                                             str(conf / "lighttpd.conf")],
                                tree, port, [log, tree / "var" / "log" / "error.log"], env,
                                cgi_servers.LIGHTTPD_STOP_CODES)
    return Deployment("lighttpd", server, srv / "data" / "mail", srv,
                      ["/.env", "/auth-fcgi.cgi/.env", "/api/../cgi-bin/.env", "/srv/auth-fcgi/cgi-bin/.env"])


def htaccess_walkthrough(auth_bin: Path, tree: Path, env: dict[str, str], log: Path):
    user, group = cgi_servers.run_as()
    home = tree / "home" / "you"
    public_html = home / "public_html"
    public_html.mkdir(parents=True)
    shutil.chown(home, user=user, group=group)
    shutil.chown(public_html, user=user, group=group)
    source = tree / "src"
    (source / ".build" / "release").mkdir(parents=True)
    (source / "conf" / "cgi").mkdir(parents=True)
    shutil.copy2(auth_bin, source / ".build" / "release" / "auth-fcgi")
    shutil.copy2(cgi_servers.CONF_CGI / "apache.htaccess", source / "conf" / "cgi" / "apache.htaccess")
    (block,) = walkthrough_blocks("apache-htaccess-cgi")
    data = home / "auth-fcgi-data"
    run_commands(substituted(block, {SMTP_PLACEHOLDER: f"MAIL_URL=file://{data}/mail"}), source,
                 dict(env, HOME=str(home)), log, user=user)
    server = cgi_servers.shared_host(tree, public_html, user, group)
    server.logs.insert(0, log)
    return Deployment("apache-htaccess", server, data / "mail", None,
                      ["/.env", "/.htaccess", "/api/../.env", "/auth-fcgi.cgi/../.env"])


WALKTHROUGHS = {"apache": apache_walkthrough, "lighttpd": lighttpd_walkthrough,
                "apache-htaccess": htaccess_walkthrough}


@pytest.fixture(scope="module", params=list(WALKTHROUGHS))
def deployed(request, auth_bin):
    tree = Path(tempfile.mkdtemp(prefix="afit-wcgi-", dir="/tmp"))
    os.chmod(tree, 0o755)  # www-data reaches the layout inside
    deployment = None
    try:
        try:
            deployment = WALKTHROUGHS[request.param](auth_bin, tree, support.base_env(), tree / "walkthrough.log")
        except cgi_servers.SetupError as e:
            pytest.fail(str(e), pytrace=False)
        deployment.server.start(deployment.base_url + "/api/health")
        yield deployment
        deployment.server.wait_cgis_done()
    finally:
        try:
            if deployment is not None:
                deployment.server.stop()
        finally:
            shutil.rmtree(tree, ignore_errors=True)


def test_walkthrough_serves_the_api(deployed):
    base_url, server = deployed.base_url, deployed.server
    if deployed.layout is not None:
        check_layout(deployed.layout)

    r = requests.get(base_url + "/api/health", timeout=15)
    assert r.status_code == 200 and media_type(r) == "application/json", f"{r.status_code} {r.text[:300]}"
    assert r.json() == {"status": "ok", "database": "ok"}

    name = f"walk{uuid.uuid4().hex[:10]}"
    r = requests.post(base_url + "/api/auth/register", timeout=15,
                      json={"username": name, "email": f"{name}@example.com", "password": PASSWORD})
    assert r.status_code == 201, f"{r.status_code} {r.text[:300]}{server.diagnostics()}"
    r = requests.post(base_url + "/api/auth/login", json={"username": name, "password": PASSWORD}, timeout=15)
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    bearer = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = requests.get(base_url + "/api/auth/whoami", headers=bearer, timeout=15)
    assert r.status_code == 200, f"whoami with a Bearer token: {r.status_code} {r.text[:300]}"
    assert r.json()["user"]["username"] == name and r.json()["user"]["role"] == "USER"
    assert_problem(requests.get(base_url + "/api/users", headers=bearer, timeout=15), 403, "forbidden")

    # The first admin, made by the walkthrough's create-admin in the same database.
    r = requests.post(base_url + "/api/auth/login", json={"username": ADMIN, "password": ADMIN_PASSWORD},
                      timeout=15)
    assert r.status_code == 200, f"the walkthrough's admin can't log in: {r.status_code} {r.text[:300]}"
    r = requests.get(base_url + "/api/users", params={"per_page": 100},
                     headers={"Authorization": f"Bearer {r.json()['access_token']}"}, timeout=15)
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    assert sorted(u["username"] for u in r.json()["items"]) == sorted([ADMIN, name])

    for path in deployed.private_urls:
        status, body = cgi_servers.raw_get(base_url, path)
        assert status in (400, 403, 404), f"GET {path}: {status} {body[:200]!r}"
        assert b"JWT_SECRET_KEY" not in body and b"MFA_SECRET_KEY" not in body, f"GET {path} served the .env"


def test_reset_mail_is_sent(deployed):
    """A CGI answers, closes its stdout, then sends the mail: the server's SIGTERM after the
    answer (lighttpd's at once, Apache's at the request's end) must not cut it."""
    name = f"reset{uuid.uuid4().hex[:10]}"
    address = f"{name}@example.com"
    r = requests.post(deployed.base_url + "/api/auth/register", timeout=15,
                      json={"username": name, "email": address, "password": PASSWORD})
    assert r.status_code == 201, f"{r.status_code} {r.text[:300]}"
    r = requests.post(deployed.base_url + "/api/auth/password/forgot", json={"email": address}, timeout=15)
    assert r.status_code == 202, f"{r.status_code} {r.text[:300]}"

    def reset_mail():
        mails = deployed.mail_dir.glob("*.eml") if deployed.mail_dir.is_dir() else []
        return any(f"To: {address}" in m.read_text() and "Reset your password" in m.read_text() for m in mails)

    try:
        support.wait_for(reset_mail, 10, f"the reset mail to {address} in {deployed.mail_dir}")
    except support.WaitTimeout as e:
        raise AssertionError(f"{e}{deployed.server.diagnostics()}") from None
