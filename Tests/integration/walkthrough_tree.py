"""A fresh directory tree on which the README's deployment walkthroughs run as written
(test_deployment_walkthroughs.py), and the parts of the host the tree stands in for.

The README's commands name system paths and a system user. They run unchanged except
for these substitutions, made in the text of each block and, by the `nginx` function
below, in the nginx files the blocks copy into the tree (as an admin edits a site):

- the roots in ROOTS (`/usr/local/bin`, `/etc/auth-fcgi`, `/etc/nginx`, `/run/auth-fcgi`,
  ...) become the same paths under the tree (`/usr/local/bin` -> `<tree>/usr/local/bin`);
- `.build/release/auth-fcgi` becomes the binary under test;
- the user `auth-fcgi` becomes a throwaway system user (the README's own `useradd`
  creates it; `Tree.cleanup` deletes it and its group), wherever it names the user:
  `useradd`'s last word, `-o`/`-g`/`-u`/`-U` options, `--reuid=`/`--regid=`;
- in the example site, `listen 80;` becomes `listen 127.0.0.1:<port>;` and the IPv6
  listen line goes.

Each block runs in `bash -euo pipefail` from the repository root, as root, with these
stand-ins for the host: `$EDITOR` appends the test's settings to the file it is given;
`systemctl` records its arguments in `<tree>/systemctl.log` and does nothing else (the
test plays systemd with `start_unit`); `nginx` is the real nginx on the tree's
`etc/nginx/nginx.conf` (Debian's shape: `conf.d/*.conf` and `sites-enabled/*`, workers
as `www-data`). The tree starts with the directories a Debian host with nginx has.

Run as a script (`python3 walkthrough_tree.py relocate-files TREE DIR PORT`), it makes
the substitutions in the files under DIR: the `nginx` function calls it.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shlex
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import support
from readme_walkthrough import walkthrough_blocks

ROOTS = ("/usr/local/bin", "/etc/auth-fcgi", "/etc/nginx", "/etc/systemd/system", "/run/auth-fcgi",
         "/var/lib/auth-fcgi", "/var/log/auth-fcgi", "/var/log/nginx", "/usr/share/auth-fcgi")
# A root where a path starts: not inside a longer path or word, and ending at a separator.
_ROOT_RE = re.compile(r"(?<![\w/.])(" + "|".join(re.escape(r) for r in ROOTS) + r")(?![\w.-])")
_USER_RE = re.compile(r"(?<=-[oguU] )auth-fcgi(?![\w/.@-])|(?<=--reuid=)auth-fcgi|(?<=--regid=)auth-fcgi")
SERVICE_USER = "auth-fcgi"
# What a Debian host with nginx already has.
HOST_DIRS = ("usr/local/bin", "usr/share", "etc/nginx/conf.d", "etc/nginx/sites-available",
             "etc/nginx/sites-enabled", "etc/systemd/system", "run", "var/lib", "var/log/nginx")
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

PRELUDE = """set -euo pipefail
systemctl() { printf '%s\\n' "$*" >> "$WALKTHROUGH_TREE/systemctl.log"; }
nginx() {
    python3 "$WALKTHROUGH_HELPER" relocate-files "$WALKTHROUGH_TREE" "$WALKTHROUGH_TREE/etc/nginx" \\
        "$WALKTHROUGH_HTTP_PORT"
    command nginx -p "$WALKTHROUGH_TREE/nginx-run/" -c "$WALKTHROUGH_TREE/etc/nginx/nginx.conf" -e stderr "$@"
}
"""


def relocate_paths(text: str, tree: Path) -> str:
    return _ROOT_RE.sub(lambda m: f"{tree}{m.group(1)}", text)


def relocate_site(text: str, port: str) -> str:
    text = re.sub(r"^(\s*)listen 80;$", rf"\g<1>listen 127.0.0.1:{port};", text, flags=re.M)
    return re.sub(r"^\s*listen \[::\]:80;\n", "", text, flags=re.M)


def relocate_files(tree: Path, directory: Path, port: str) -> None:
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.is_symlink():
            text = path.read_text()
            moved = relocate_site(relocate_paths(text, tree), port)
            if moved != text:
                path.write_text(moved)


class Tree:
    """A temp tree standing in for the host's system directories, with its own user."""

    def __init__(self, root: Path, binary: Path):
        self.root = root
        self.binary = binary
        self.user = f"afwt{uuid.uuid4().hex[:8]}"
        self.port = support.free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.procs: list[subprocess.Popen] = []
        self.nginx_proc: subprocess.Popen | None = None
        # nginx's workers (www-data) and the service's user reach the tree's files.
        os.chmod(root, 0o755)
        for d in HOST_DIRS + ("nginx-run/logs", "nginx-run/tmp"):
            (root / d).mkdir(parents=True, exist_ok=True)
        self.settings_path = root / "settings"
        self.editor = root / "editor"
        self.editor.write_text('#!/bin/sh\ncat "$WALKTHROUGH_SETTINGS" >> "$1"\n')
        self.editor.chmod(0o755)
        self.path("/etc/nginx/nginx.conf").write_text(support.private_nginx_conf(
            root / "nginx-run", "    include conf.d/*.conf;\n    include sites-enabled/*;", user="www-data"))

    def path(self, system_path: str) -> Path:
        """Where a system path (under one of ROOTS) is in the tree."""
        return Path(relocate_paths(system_path, self.root))

    def url(self, path: str) -> str:
        return self.base_url + path

    def write_settings(self, settings: dict[str, str]) -> None:
        """What `$EDITOR /etc/auth-fcgi/env` adds: KEY=VALUE lines, values as written."""
        self.settings_path.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))

    def script(self, name: str) -> str:
        """The walkthrough's blocks with the substitutions made."""
        text = "".join(walkthrough_blocks(name)).replace(".build/release/auth-fcgi", str(self.binary))
        lines = [re.sub(rf"\b{SERVICE_USER}$", self.user, line) if line.startswith("useradd ") else line
                 for line in text.splitlines()]
        return _USER_RE.sub(self.user, relocate_paths("\n".join(lines) + "\n", self.root))

    def run(self, name: str, stdin: str = "") -> subprocess.CompletedProcess:
        """Runs a walkthrough; fails the test with its output when it fails."""
        env = support.base_env(WALKTHROUGH_TREE=self.root, WALKTHROUGH_HELPER=Path(__file__).resolve(),
                               WALKTHROUGH_HTTP_PORT=self.port, WALKTHROUGH_SETTINGS=self.settings_path,
                               EDITOR=self.editor)
        script = PRELUDE + self.script(name)
        r = subprocess.run(["bash", "-c", script], cwd=support.REPO_ROOT, env=env, input=stdin.encode(),
                           capture_output=True, timeout=60)
        assert r.returncode == 0, (f"walkthrough {name!r} exited {r.returncode}:\n{script}\n"
                                   f"stdout: {r.stdout.decode(errors='replace')}\n"
                                   f"stderr: {r.stderr.decode(errors='replace')}")
        return r

    def systemctl_calls(self) -> list[str]:
        log = self.root / "systemctl.log"
        return log.read_text().splitlines() if log.exists() else []

    # --- playing systemd -------------------------------------------------------------------

    def unit(self, name: str) -> dict[str, list[str]]:
        """A unit the walkthrough copied into the tree's /etc/systemd/system: its [Service]
        or [Socket] section, paths moved into the tree and User=/Group= the tree's user."""
        sections = support.systemd_unit(self.path("/etc/systemd/system") / name)
        section = sections.get("Service") or sections["Socket"]
        values = {key: [relocate_paths(v, self.root) for v in vs] for key, vs in section.items()}
        for key in ("User", "Group", "SocketUser"):
            if key in values:
                values[key] = [self.user if v == SERVICE_USER else v for v in values[key]]
        return values

    def environment(self, service: dict[str, list[str]]) -> dict[str, str]:
        """systemd's environment for the service: PATH and the EnvironmentFile= files (a
        value in single or double quotes loses them)."""
        env = {"PATH": SYSTEMD_PATH}
        for name in service.get("EnvironmentFile", []):
            path = Path(name.removeprefix("-"))
            if name.startswith("-") and not path.exists():
                continue
            for line in path.read_text().splitlines():
                line = line.strip()
                if line and not line.startswith(("#", ";")):
                    key, _, value = line.partition("=")
                    value = value.strip()
                    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                        value = value[1:-1]
                    env[key.strip()] = value
        return env

    def start_unit(self, name: str, instance: str = "", stdin=subprocess.DEVNULL) -> subprocess.Popen:
        """The service as systemd starts it: RuntimeDirectory= made (mode, owner), the root
        ExecStartPre= steps, then ExecStart= as User=/Group= in WorkingDirectory= with
        UMask=, the EnvironmentFile= settings and the output to a log file (the journal)."""
        service = {key: [v.replace("%i", instance) for v in vs] for key, vs in self.unit(name).items()}
        user, group = service["User"][0], service["Group"][0]
        for runtime in service.get("RuntimeDirectory", []):
            directory = self.root / "run" / runtime
            directory.mkdir(exist_ok=True)
            os.chmod(directory, int(service["RuntimeDirectoryMode"][0], 8))
            os.chown(directory, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
        for pre in service.get("ExecStartPre", []):
            assert pre.startswith("+"), f"{name}: ExecStartPre={pre}: expected a root ('+') step"
            subprocess.run(shlex.split(pre[1:]), check=True, capture_output=True, timeout=30)
        (exec_start,) = service["ExecStart"]
        log = self.root / f"journal-{name.replace('@', instance)}.log"
        with open(log, "ab") as out:
            proc = subprocess.Popen(shlex.split(exec_start), cwd=service["WorkingDirectory"][0],
                                    env=self.environment(service), user=user, group=group, extra_groups=[],
                                    umask=int(service["UMask"][0], 8), stdin=stdin, stdout=out,
                                    stderr=subprocess.STDOUT)
        proc.journal = log
        self.procs.append(proc)
        return proc

    def stop_unit(self, proc: subprocess.Popen) -> None:
        """`systemctl stop`: KillSignal=SIGTERM; it must exit 0 within TimeoutStopSec=30s."""
        rc, clean = support.stop_popen(proc, timeout=30)
        assert clean and rc == 0, f"the service exited {rc} on SIGTERM:\n{support.tail(proc.journal)}"

    def listen_socket(self, name: str) -> socket.socket:
        """A .socket unit's listening socket as systemd makes it (ListenStream=, DirectoryMode=,
        SocketUser=/SocketGroup=/SocketMode=, Backlog=)."""
        unit = self.unit(name)
        (path,) = unit["ListenStream"]
        Path(path).parent.mkdir(mode=int(unit["DirectoryMode"][0], 8), exist_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        os.chown(path, pwd.getpwnam(unit["SocketUser"][0]).pw_uid, grp.getgrnam(unit["SocketGroup"][0]).gr_gid)
        os.chmod(path, int(unit["SocketMode"][0], 8))
        sock.listen(int(unit["Backlog"][0]))
        return sock

    # --- nginx -----------------------------------------------------------------------------

    def start_nginx(self) -> None:
        """The tree's nginx in the foreground (what `systemctl reload nginx` would reach)."""
        out = open(self.root / "nginx-run" / "nginx.out", "wb")
        self.nginx_proc = subprocess.Popen(
            ["nginx", "-p", f"{self.root}/nginx-run/", "-c", str(self.path("/etc/nginx") / "nginx.conf"),
             "-e", "stderr"], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            env=support.base_env(), start_new_session=True)
        out.close()

        def up():
            if self.nginx_proc.poll() is not None:
                raise AssertionError(f"nginx exited: {support.tail(self.root / 'nginx-run' / 'nginx.out')}")
            return support.tcp_listening(self.port)

        support.wait_for(up, support.START_TIMEOUT, "the tree's nginx to listen")

    def nginx_errors(self) -> list[str]:
        """The example site's error log (warn and above)."""
        log = self.path("/var/log/nginx") / "auth-fcgi.error.log"
        return log.read_text().splitlines() if log.exists() else []

    # --- clean-up --------------------------------------------------------------------------

    def cleanup(self) -> None:
        """Stops what the tree started (by pid), then removes its user and group."""
        if self.nginx_proc is not None:
            support.stop_popen(self.nginx_proc, sig=signal.SIGQUIT)
            for pid in support.process_group_members(self.nginx_proc.pid):
                support.kill_quietly(pid)
        for proc in self.procs:
            support.stop_popen(proc)
        pid_file = self.path("/run/auth-fcgi") / "auth-fcgi.pid"
        if pid_file.exists() and pid_file.read_text().strip().isdigit():
            pid = int(pid_file.read_text())
            if support.cmdline(pid).startswith(str(self.path("/usr/local/bin"))):
                support.kill_quietly(pid, signal.SIGKILL)
        subprocess.run(["userdel", self.user], capture_output=True, timeout=30)
        subprocess.run(["groupdel", self.user], capture_output=True, timeout=30)


if __name__ == "__main__":
    command, tree, directory, port = sys.argv[1:]
    assert command == "relocate-files", command
    relocate_files(Path(tree), Path(directory), port)
