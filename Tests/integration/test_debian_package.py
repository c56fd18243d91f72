"""The Debian package (make deb, scripts/build-deb), used the way an admin would: built
twice from the release binary (revisions 1 and 2), checked by lintian, installed with
dpkg on this machine, its unit's ExecStart started under a private nginx that includes
the packaged snippets, a user registered and logged in through it, upgraded to the
second build with edited conffiles, started again, removed and purged.

It installs system-wide (the package creates a system user and writes to /etc, /var/lib,
/var/log, /run): CI runs as root on a throw-away machine, and a debootstrap root would
cost minutes and the network. It refuses to run over an auth-fcgi that is already
installed, and purges what it installed even when it fails. systemd is not PID 1 here:
the test plays its part (RuntimeDirectory=, ExecStartPre=, User=, EnvironmentFile=).
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shlex
import shutil
import signal
import stat
import subprocess
import uuid
from pathlib import Path

import pytest
import requests

import pg_support
import support
from support import stop_popen, wait_for

PACKAGE = "auth-fcgi"
SERVICE_USER = "auth-fcgi"
BINARY = Path("/usr/sbin/auth-fcgi")
ETC = Path("/etc/auth-fcgi")
SETTINGS = ETC / "env"
SECRETS = ETC / "secrets.env"
STATE = Path("/var/lib/auth-fcgi")
LOGS = Path("/var/log/auth-fcgi")
RUN = Path("/run/auth-fcgi")
SNIPPETS = Path("/etc/nginx/auth-fcgi")
SITE = Path("/etc/nginx/sites-available/auth-fcgi")
SHARE = Path("/usr/share/auth-fcgi")
WANTS = Path("/etc/systemd/system/multi-user.target.wants")
# web-locations.conf logs the token pages here, whatever the server's own log is.
NGINX_TOKENLESS_LOG = Path("/var/log/nginx/auth-fcgi.access.log")
# Every state the package leaves on the machine: none may exist before the test.
LEFTOVERS = [ETC, STATE, LOGS, RUN, SNIPPETS, SITE, SHARE, BINARY]
PASSWORD = "correct horse battery"


def run(argv: list[str], timeout: float = 120, check: bool = True, **env) -> subprocess.CompletedProcess:
    r = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=timeout,
                       env=support.base_env(DEBIAN_FRONTEND="noninteractive", **env))
    if check:
        assert r.returncode == 0, f"{shlex.join(argv)} exited {r.returncode}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


UNITS = ("auth-fcgi.service", "auth-fcgi-socket.socket", "auth-fcgi-socket.service", "auth-fcgi@.service")


def installed_units() -> dict[str, Path]:
    """Unit name -> where dpkg says the package put it (dh_installsystemd chooses the
    directory: /lib/systemd/system on Debian 12, /usr/lib/systemd/system later)."""
    listing = run(["dpkg", "-L", PACKAGE]).stdout.splitlines()
    units = {Path(p).name: Path(p) for p in listing if re.search(r"/systemd/system/auth-fcgi[^/]*$", p)}
    assert set(units) == set(UNITS), units
    return units


def package_status() -> str:
    """dpkg's status of the package ("" when dpkg knows nothing of it)."""
    r = run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", PACKAGE], check=False)
    return r.stdout.strip() if r.returncode == 0 else ""


# --- building -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def packages(auth_bin, tmp_path_factory) -> dict[int, Path]:
    """Revision -> .deb, both built by scripts/build-deb from the release binary."""
    for tool in ("dpkg-buildpackage", "dh", "lintian"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (scripts/install-deps test)")
    out = tmp_path_factory.mktemp("deb")
    debs = {}
    for revision in (1, 2):
        # xz -1 rather than dpkg-deb's -6: the same format, 3 s instead of 8 per build.
        r = run([str(support.REPO_ROOT / "scripts" / "build-deb")], timeout=300,
                AUTH_FCGI_BIN=str(auth_bin), DEB_REVISION=str(revision), DEB_OUT=str(out / str(revision)),
                DPKG_DEB_COMPRESSOR_LEVEL="1")
        deb = Path(r.stdout.strip())
        assert deb.is_file(), f"build-deb printed {r.stdout!r}"
        debs[revision] = deb
    return debs


def installed_version(auth_bin: Path) -> str:
    return run([str(auth_bin), "--version"]).stdout.split()[1]


def test_package_name_and_version_come_from_the_binary(packages, auth_bin):
    upstream = installed_version(auth_bin)
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    for revision, deb in packages.items():
        assert deb.name == f"auth-fcgi_{upstream}-{revision}_{arch}.deb"
        assert run(["dpkg-deb", "-f", str(deb), "Version"]).stdout.strip() == f"{upstream}-{revision}"
    # The debug symbols are in their own package, beside it.
    assert (packages[1].parent / f"auth-fcgi-dbgsym_{upstream}-1_{arch}.deb").is_file()


def test_lintian_is_clean(packages):
    changes = next(packages[1].parent.glob("*.changes"))
    r = run(["lintian", "--fail-on", "error,warning", str(changes)], check=False)
    findings = [line for line in r.stdout.splitlines() if re.match(r"^[EW]: ", line)]
    assert r.returncode == 0 and not findings, r.stdout + r.stderr


def library_package(binary: Path, soname: str) -> str:
    """The Debian package of the library the dynamic linker loads for soname."""
    loaded = run(["ldd", str(binary)]).stdout
    name = re.escape(soname)
    # "libc.so.6 => /lib/.../libc.so.6 (0x...)", or the loader: "/lib64/ld-linux-x86-64.so.2 (0x...)".
    match = re.search(rf"^\s*{name} => (\S+)", loaded, re.M) or re.search(rf"^\s*(/\S*/{name})\s", loaded, re.M)
    assert match, f"ldd doesn't resolve {soname}"
    path = os.path.realpath(match.group(1))
    owner = run(["dpkg-query", "-S", path], check=False)
    if owner.returncode != 0:  # merged /usr: dpkg may know it by its /lib path
        owner = run(["dpkg-query", "-S", path.removeprefix("/usr")])
    return owner.stdout.split(":")[0]


def test_depends_are_the_linked_libraries(packages, auth_bin):
    """Depends: adduser and the package of every library the binary links (dpkg-shlibdeps),
    nothing else; the libraries opened on first use are only recommended or suggested."""
    fields = {name: run(["dpkg-deb", "-f", str(packages[1]), name]).stdout.strip()
              for name in ("Depends", "Recommends", "Suggests")}
    depends = {d.split()[0] for d in fields["Depends"].split(", ")}
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", run(["readelf", "-d", str(auth_bin)]).stdout)
    assert needed
    assert depends == {library_package(auth_bin, soname) for soname in needed} | {"adduser"}, fields["Depends"]
    opened_lazily = {"libpq5", "libcurl4", "libqrencode4"}
    assert not opened_lazily & depends
    optional = set(fields["Recommends"].split(", ")) | set(fields["Suggests"].split(", "))
    assert opened_lazily <= optional, fields


def packaged_file(deb: Path, member: str) -> str:
    """A file of the package's data archive ("./lib/systemd/system/x.service")."""
    return run(["sh", "-c", f"dpkg-deb --fsys-tarfile {shlex.quote(str(deb))} | tar -xO {shlex.quote(member)}"]).stdout


def test_shipped_nginx_paths_exist_in_the_package(packages):
    """Every absolute path the packaged snippets and example site use is in the package,
    nginx's own log directory, the unit's socket, or Swagger UI (documented as not shipped)."""
    listing = run(["dpkg-deb", "-c", str(packages[1])]).stdout
    shipped = {line.split()[-1].removeprefix(".").rstrip("/") for line in listing.splitlines()}
    unit = next(line for line in listing.splitlines() if line.endswith("/auth-fcgi.service")).split()[-1]
    exec_start = packaged_file(packages[1], unit)
    readme = (support.REPO_ROOT / "packaging" / "debian" / "README.Debian").read_text()
    conf = support.REPO_ROOT / "conf" / "nginx"
    files = [*sorted((conf / "auth-fcgi").glob("*.conf")), conf / "examples" / "site.conf"]
    checked = 0
    for f in files:
        for line in f.read_text().splitlines():
            code = line.split("#", 1)[0]
            for path in re.findall(r"(?<![\w.])(/(?:usr|etc|var|run)/[^\s\";]*)", code):
                path = path.rstrip("/")
                checked += 1
                if path.startswith("/usr/share/auth-fcgi/swagger-ui"):
                    assert "/usr/share/auth-fcgi/swagger-ui/" in readme, f"{f.name}: {path} undocumented"
                elif path.startswith("/var/log/nginx/"):
                    continue
                elif path.startswith("/run/auth-fcgi/"):
                    assert f"--listen unix:{path}" in exec_start, f"{f.name}: no unit listens on {path}"
                else:
                    assert path in shipped, f"{f.name} names {path}, which the package doesn't ship"
    assert checked > 10


def test_packaged_units_and_site_name_only_what_the_package_installs(packages):
    """The units and the example site as installed: their comments don't give the source
    tree's manual install steps (over dpkg's files) nor name files the package lacks, and
    every absolute path in the units is in the package or made by postinst or the unit."""
    listing = run(["dpkg-deb", "-c", str(packages[1])]).stdout
    members = [line.split()[-1] for line in listing.splitlines()]
    shipped = {m.removeprefix(".").rstrip("/") for m in members}
    made = {str(p) for p in (SECRETS, STATE, LOGS, RUN)}
    units = [m for m in members if re.search(r"/systemd/system/auth-fcgi[^/]*\.(service|socket)$", m)]
    assert len(units) == 4, units
    site = next(m for m in members if m.endswith("/etc/nginx/sites-available/auth-fcgi"))
    for member in [*units, site]:
        text = packaged_file(packages[1], member)
        for pattern in (r"\bconf/", r"\bexamples/", r"\.build/", r"/usr/local/", r"^#\s*(install|cp|useradd)\s",
                        r"[Cc]opy to "):
            assert not re.search(pattern, text, re.M), f"{member}: matches {pattern!r}"
        if member == site:
            continue
        header = text.split("\n[", 1)[0]
        for pointer in ("/usr/share/doc/auth-fcgi/README.Debian", "auth-fcgi(8)", "systemctl edit"):
            assert pointer in header, f"{member}: the header doesn't point to {pointer}"
        for path in re.findall(r"(?<![\w.])(/(?:usr|etc|var|run|lib)/[^\s\";:)]*)", text):
            path = path.rstrip("/.,")
            assert path in shipped or any(path == m or path.startswith(m + "/") for m in made), \
                f"{member} names {path}, which neither the package nor its postinst makes"


def maintainer_script(deb: Path, name: str) -> str:
    return run(["dpkg-deb", "-I", str(deb), name]).stdout


def unit_actions(script: str) -> list[tuple[str, list[str], list[str]]]:
    """(verb, arguments, enclosing if-conditions) of every deb-systemd-invoke or systemctl
    command a shell script runs (not in here-documents), daemon-reload aside."""
    actions = []
    conditions: list[str] = []
    heredoc = None
    for raw in script.splitlines():
        line = raw.strip()
        if heredoc is not None:
            heredoc = None if line == heredoc else heredoc
            continue
        line = re.sub(r"(^|\s)#.*", "", line).strip()
        if m := re.search(r"<<-?\s*'?(\w+)'?", line):
            heredoc = m.group(1)
        if re.match(r"if\s", line):
            conditions.append(line)
        elif re.match(r"elif\s", line):
            conditions[-1] = line
        elif re.match(r"else\b", line):
            conditions[-1] = f"not ({conditions[-1]})"
        elif re.match(r"fi\b", line):
            conditions.pop()
        if m := re.search(r"\b(?:deb-systemd-invoke|systemctl)\s+(?:--system\s+)?(\S+)(.*)", line):
            verb, args = m.group(1), shlex.split(m.group(2).split(">", 1)[0].split("||", 1)[0])
            if verb != "daemon-reload":
                actions.append((verb, args, list(conditions)))
    return actions


def test_maintainer_scripts_start_nothing_and_restart_on_upgrade(packages):
    """systemd is not PID 1 here, so the install below can't show a start: the generated
    scripts must not have one. postinst's only unit action is the upgrade's try-restart
    (auth-fcgi.service, the socket pair and every auth-fcgi@ instance); prerm stops them
    all on remove."""
    postinst = maintainer_script(packages[1], "postinst")
    assert "_dh_action=start" not in postinst and not re.search(r"deb-systemd-invoke\s+start", postinst), postinst
    actions = unit_actions(postinst)
    restarted = set()
    for verb, args, conditions in actions:
        assert verb == "try-restart", f"postinst runs {verb} {args}"
        assert any('[ -n "$2" ]' in c and "not (" not in c for c in conditions), f"try-restart {args} not on upgrade"
        restarted.update(args)
    assert {"auth-fcgi.service", "auth-fcgi-socket.socket", "auth-fcgi-socket.service",
            "auth-fcgi@*.service"} <= restarted, actions

    stopped = set()
    for verb, args, conditions in unit_actions(maintainer_script(packages[1], "prerm")):
        if verb == "stop" and any('[ "$1" = remove ]' in c for c in conditions):
            stopped.update(args)
    assert {"auth-fcgi.service", "auth-fcgi-socket.socket", "auth-fcgi-socket.service",
            "auth-fcgi@*.service"} <= stopped, stopped


def test_man_page_has_no_warnings():
    page = support.REPO_ROOT / "docs" / "auth-fcgi.8"
    r = run(["man", "--warnings", "-l", str(page)], MANWIDTH="80")
    assert not r.stderr.strip(), r.stderr
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "ENVIRONMENT", "FILES", "SIGNALS",
                    "EXIT STATUS", "SEE ALSO"):
        assert re.search(rf"^{section}$", r.stdout, re.M), f"no {section} section"
    assert "auth-fcgi help config" in r.stdout


# --- installed on this machine ------------------------------------------------------------------

class Installation:
    """The package installed system-wide, undone at the end whatever happened."""

    def __init__(self, work: Path):
        self.work = work
        self.procs: list[subprocess.Popen] = []
        self.had_user = user_exists(SERVICE_USER)
        self.had_tokenless_log = NGINX_TOKENLESS_LOG.exists()

    def dpkg(self, *args: str) -> str:
        r = run(["dpkg", "--force-confdef", "--force-confold", *args], timeout=180)
        return r.stdout + r.stderr

    def cleanup(self) -> None:
        for proc in reversed(self.procs):
            stop_popen(proc, sig=signal.SIGQUIT if proc.args[0].endswith("nginx") else signal.SIGTERM)
            for pid in support.process_group_members(proc.pid):
                support.kill_quietly(pid)
        if package_status():
            run(["dpkg", "--purge", PACKAGE], timeout=180, check=False)
        shutil.rmtree(RUN, ignore_errors=True)
        if not self.had_tokenless_log:
            NGINX_TOKENLESS_LOG.unlink(missing_ok=True)
        if not self.had_user and user_exists(SERVICE_USER):
            run(["userdel", SERVICE_USER], check=False)
            if group_exists(SERVICE_USER):
                run(["groupdel", SERVICE_USER], check=False)


def user_exists(name: str) -> bool:
    return name in {entry.pw_name for entry in pwd.getpwall()}


def group_exists(name: str) -> bool:
    return name in {entry.gr_name for entry in grp.getgrall()}


@pytest.fixture
def installation(short_tmp):
    if pg_support.BACKEND == "postgresql":
        pytest.skip("the package runs on its own configuration (SQLite): the SQLite run covers it")
    if os.geteuid() != 0:
        pytest.skip("needs root: installs a Debian package system-wide")
    status = package_status()
    if status:
        pytest.fail(f"an auth-fcgi package is already on this machine (dpkg: {status}): not clobbering it",
                    pytrace=False)
    present = [str(p) for p in LEFTOVERS if p.exists()]
    if present:
        pytest.fail(f"auth-fcgi files already on this machine: {present}", pytrace=False)
    inst = Installation(short_tmp)
    try:
        yield inst
    finally:
        inst.cleanup()


def mode_owner(path: Path) -> tuple[int, str, str]:
    st = path.stat()
    return stat.S_IMODE(st.st_mode), pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name


def environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads the simple ones."""
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, _, value = line.partition("=")
        env[key.strip()] = value.strip()
    return env


def processes_running(binary: Path) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "exe") == str(binary):
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def start_service(inst: Installation, log_name: str) -> subprocess.Popen:
    """auth-fcgi.service's ExecStart as systemd would run it: RuntimeDirectory= made,
    ExecStartPre= run (as root: the '+' prefix), then ExecStart as User=/Group= in
    WorkingDirectory= with UMask= and the EnvironmentFile= files loaded in order."""
    service = support.systemd_unit(installed_units()["auth-fcgi.service"])["Service"]
    (runtime,) = service["RuntimeDirectory"]
    run_dir = Path("/run") / runtime
    run_dir.mkdir(mode=int(service["RuntimeDirectoryMode"][0], 8))
    os.chmod(run_dir, int(service["RuntimeDirectoryMode"][0], 8))
    user, group = service["User"][0], service["Group"][0]
    shutil.chown(run_dir, user, group)
    for pre in service["ExecStartPre"]:
        assert pre.startswith("+"), f"ExecStartPre={pre}: expected a root ('+') step"
        run(shlex.split(pre[1:]))
    env = support.base_env()
    for name in service["EnvironmentFile"]:
        optional = name.startswith("-")
        path = Path(name.removeprefix("-"))
        if optional and not path.exists():
            continue
        env.update(environment_file(path))
    (exec_start,) = service["ExecStart"]
    argv = shlex.split(exec_start)
    assert argv[0] == str(BINARY)
    log = inst.work / log_name
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, cwd=service["WorkingDirectory"][0], env=env, user=user, group=group,
                                extra_groups=[], umask=int(service["UMask"][0], 8), stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    inst.procs.append(proc)
    socket_path = RUN / "auth-fcgi.sock"

    def listening():
        if proc.poll() is not None:
            raise AssertionError(f"the service exited {proc.returncode}: {support.tail(log)}")
        return support.connectable(str(socket_path))

    wait_for(listening, 20, f"the service to listen on {socket_path}")
    # Only the service's user and nginx's group may connect.
    assert mode_owner(socket_path)[2] == "www-data"
    return proc


def stop_service(proc: subprocess.Popen) -> None:
    """systemctl stop: KillSignal=SIGTERM; the RuntimeDirectory= goes with the service."""
    rc, clean = stop_popen(proc, timeout=30)
    assert clean and rc == 0, f"the service exited {rc} on SIGTERM"
    shutil.rmtree(RUN)


def start_nginx(inst: Installation) -> str:
    """A private nginx (temp prefix, free port, workers as www-data like Debian's) serving
    the packaged example site, with the http-level includes its header names. Relative
    includes resolve against the config's directory, where auth-fcgi/ is the packaged
    /etc/nginx/auth-fcgi."""
    root = inst.work / "nginx"
    for d in ("logs", "tmp"):
        (root / d).mkdir(parents=True)
    # nginx's workers (www-data) write their temp files under it.
    for d in (inst.work, root, root / "tmp"):
        os.chmod(d, 0o755)
    (root / "auth-fcgi").symlink_to(SNIPPETS)
    port = support.free_port()
    site = SITE.read_text()
    http_includes = ["auth-fcgi/http.conf", "auth-fcgi/rate-limits.conf", "auth-fcgi/upstream.conf"]
    for include in http_includes:
        assert f"include {include};" in site, f"the example site's header doesn't name {include}"
    site, listens = re.subn(r"^(\s*)listen 80;$", rf"\1listen 127.0.0.1:{port};", site, flags=re.M)
    site, ipv6 = re.subn(r"^\s*listen \[::\]:80;$", "", site, flags=re.M)
    site, logs = re.subn(r"/var/log/nginx/auth-fcgi\.(access|error)\.log", rf"{root}/logs/site-\1.log", site)
    assert (listens, ipv6, logs) == (1, 1, 2), "the example site's listen or log lines changed"
    (root / "site.conf").write_text(site)
    includes = "\n".join(f"    include {i};" for i in http_includes)
    conf = root / "nginx.conf"
    conf.write_text(support.private_nginx_conf(root, f"{includes}\n    include site.conf;", user="www-data"))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    run([nginx, "-t", "-p", f"{root}/", "-c", str(conf), "-e", "stderr"])
    with open(root / "nginx.out", "wb") as out:
        proc = subprocess.Popen([nginx, "-p", f"{root}/", "-c", str(conf), "-e", "stderr"], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, env=support.base_env(), start_new_session=True)
    inst.procs.append(proc)
    base = f"http://127.0.0.1:{port}"

    def up():
        if proc.poll() is not None:
            raise AssertionError(f"nginx exited {proc.returncode}: {support.tail(root / 'nginx.out')}")
        return support.tcp_listening(port)

    wait_for(up, 20, "nginx to listen")
    return base


def login(base: str, username: str) -> requests.Response:
    return requests.post(f"{base}/api/auth/login", json={"username": username, "password": PASSWORD}, timeout=15)


def test_install_serve_upgrade_remove_purge(installation, packages, auth_bin):
    inst = installation
    upstream = installed_version(auth_bin)

    # --- first install ---
    output = inst.dpkg("-i", str(packages[1]))
    assert package_status() == "ii"
    assert "enabled, but not started" in output and "systemctl start auth-fcgi" in output, output

    assert run([str(BINARY), "--version"]).stdout.startswith(f"auth-fcgi {upstream}")
    sections = run(["readelf", "-S", "-W", str(BINARY)]).stdout
    assert ".debug_" not in sections and ".symtab" not in sections, "the binary is not stripped"
    units = installed_units()
    for path in [*units.values(), SNIPPETS / "api-locations.conf", SNIPPETS / "web-locations.conf",
                 SNIPPETS / "docs-locations.conf", SITE, SHARE / "web" / "admin" / "index.html",
                 SHARE / "web" / "reset-password" / "index.html", SHARE / "docs" / "index.html",
                 Path("/usr/share/man/man8/auth-fcgi.8.gz"), Path("/usr/share/doc/auth-fcgi/copyright"),
                 Path("/usr/share/doc/auth-fcgi/README.Debian")]:
        assert path.is_file(), f"{path} not installed"
    for unit in units.values():
        assert "/usr/local/" not in unit.read_text(), f"{unit} names /usr/local"
    if shutil.which("systemd-analyze"):  # the package's rendering of the units is valid too
        r = run(["systemd-analyze", "verify", *map(str, units.values())], check=False, SYSTEMD_LOG_LEVEL="info")
        assert r.returncode == 0 and not (r.stdout + r.stderr).strip(), r.stdout + r.stderr
    conffiles = run(["dpkg-query", "-W", "-f=${Conffiles}", PACKAGE]).stdout
    for path in (SETTINGS, SNIPPETS / "api-locations.conf", SITE):
        assert f" {path} " in conffiles, f"{path} is not a conffile"
    assert str(SECRETS) not in conffiles

    account = pwd.getpwnam(SERVICE_USER)
    assert account.pw_uid < 1000 and account.pw_dir == str(STATE) and account.pw_shell == "/usr/sbin/nologin"
    assert mode_owner(SETTINGS) == (0o640, "root", SERVICE_USER)
    assert mode_owner(SECRETS) == (0o640, "root", SERVICE_USER)
    assert mode_owner(STATE) == (0o750, SERVICE_USER, SERVICE_USER)
    assert mode_owner(LOGS) == (0o750, SERVICE_USER, SERVICE_USER)
    secrets = environment_file(SECRETS)
    assert set(secrets) == {"JWT_SECRET_KEY", "MFA_SECRET_KEY"}
    assert all(len(v) >= 32 for v in secrets.values()) and secrets["JWT_SECRET_KEY"] != secrets["MFA_SECRET_KEY"]
    # postinst migrated the database as the service's user, with the unit's UMask=0027.
    db_mode, db_owner, _ = mode_owner(STATE / "auth.db")
    assert db_owner == SERVICE_USER and db_mode & 0o027 == 0, f"auth.db is {db_mode:o} {db_owner}"

    # Enabled (deb-systemd-helper's link), the alternatives not; nothing started.
    assert os.readlink(WANTS / "auth-fcgi.service") == str(units["auth-fcgi.service"])
    assert not list(Path("/etc/systemd/system").glob("*.wants/auth-fcgi-socket.*"))
    assert not list(Path("/etc/systemd/system").glob("*.wants/auth-fcgi@*"))
    assert processes_running(BINARY) == []

    # --- serve through nginx with the packaged snippets ---
    service = start_service(inst, "service-1.log")
    base = start_nginx(inst)
    username = f"deb{uuid.uuid4().hex[:10]}"
    r = requests.post(f"{base}/api/auth/register", timeout=15,
                      json={"username": username, "email": f"{username}@example.com", "password": PASSWORD})
    assert r.status_code == 201, f"{r.status_code} {r.text[:300]}"
    r = login(base, username)
    assert r.status_code == 200 and r.json()["access_token"], f"{r.status_code} {r.text[:300]}"
    who = requests.get(f"{base}/api/auth/whoami", timeout=15,
                       headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert who.status_code == 200 and who.json()["user"]["username"] == username
    # The pages and the docs page from /usr/share/auth-fcgi (read by nginx's www-data).
    for path in ("/reset-password", "/admin/", "/auth-web/shared/api.js", "/api/docs/"):
        page = requests.get(base + path, timeout=15)
        assert page.status_code == 200, f"GET {path}: {page.status_code}"
    stop_service(service)

    # --- the admin edits conffiles; an upgrade keeps them and the generated keys ---
    with SETTINGS.open("a") as f:
        f.write("# edited by the admin\n")
    with (SNIPPETS / "cors-origins.conf").open("a") as f:
        f.write("# edited by the admin\n")
    settings_before = SETTINGS.read_text()
    snippet_before = (SNIPPETS / "cors-origins.conf").read_text()
    secrets_before = SECRETS.read_bytes()

    output = inst.dpkg("-i", str(packages[2]))
    assert run(["dpkg-query", "-W", "-f=${Version}", PACKAGE]).stdout == f"{upstream}-2"
    assert "not started" not in output, "the first-install message again on upgrade"
    assert SETTINGS.read_text() == settings_before
    assert (SNIPPETS / "cors-origins.conf").read_text() == snippet_before
    assert SECRETS.read_bytes() == secrets_before
    assert mode_owner(SETTINGS) == (0o640, "root", SERVICE_USER)
    assert not list(ETC.glob("*.dpkg-*")) and not list(SNIPPETS.glob("*.dpkg-*"))

    service = start_service(inst, "service-2.log")
    r = login(base, username)
    assert r.status_code == 200, f"after the upgrade: {r.status_code} {r.text[:300]}"
    stop_service(service)

    # --- remove keeps the data and the settings; purge deletes them ---
    inst.dpkg("-r", PACKAGE)
    assert package_status() == "rc"
    assert not BINARY.exists() and not units["auth-fcgi.service"].exists()
    assert (STATE / "auth.db").is_file() and SETTINGS.is_file() and SECRETS.read_bytes() == secrets_before

    inst.dpkg("--purge", PACKAGE)
    assert package_status() == ""
    for path in (STATE, LOGS, ETC, SNIPPETS, SITE, WANTS / "auth-fcgi.service"):
        assert not os.path.lexists(path), f"{path} survived the purge"
    assert str(SETTINGS) not in run(["dpkg-statoverride", "--list"]).stdout
    # Debian keeps a package's system user on purge.
    assert user_exists(SERVICE_USER)
