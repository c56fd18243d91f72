"""`make run`: foreground, serves /api/health through nginx, and SIGTERM to make stops
every process it started (all of make's process group) and frees the port."""

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import requests

import support
from support import process_group_members, wait_for

# make run installs missing packages and builds the release configuration first; with
# everything in place that is seconds, but allow a slow incremental build.
READY_TIMEOUT = 300


def test_make_run(repo_root):
    run_dir = Path(tempfile.mkdtemp(prefix="afit-mk-", dir="/tmp"))
    port = support.free_port()
    out_path = run_dir.parent / (run_dir.name + ".make.out")
    env = support.service_env(run_dir, HTTP_PORT=port, RUN_DIR=run_dir)
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(["make", "run"], cwd=repo_root, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    pgid = proc.pid
    url = f"http://127.0.0.1:{port}/api/health"
    try:
        def ready():
            if proc.poll() is not None:
                raise AssertionError(f"make run exited {proc.returncode}:\n{support.tail(out_path)}")
            try:
                return requests.get(url, timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_for(ready, READY_TIMEOUT, f"make run to answer {url}", interval=0.1)
        r = requests.get(url, timeout=5)
        assert r.json() == {"status": "ok", "database": "ok"}
        members = process_group_members(pgid)
        names = {support.comm(p) for p in members}
        assert "nginx" in names, f"nginx not in make's process group: {[(p, support.cmdline(p)) for p in members]}"
        # The URL is printed once serve-local saw the stack answer itself: a moment after ours.
        wait_for(lambda: f"http://127.0.0.1:{port}" in out_path.read_text(errors="replace"), 15,
                 "make run to print the URL")

        os.kill(proc.pid, signal.SIGTERM)
        rc = proc.wait(timeout=20)
        try:
            wait_for(lambda: not process_group_members(pgid), 15, "every process of make's group to exit")
        except support.WaitTimeout:
            left = [(p, support.cmdline(p)) for p in process_group_members(pgid)]
            raise AssertionError(f"still running after SIGTERM to make (exit {rc}): {left}")
        wait_for(lambda: not support.tcp_listening(port), 5, f"port {port} to be free")
        assert not support.connectable(("127.0.0.1", port))
    finally:
        if proc.poll() is None:
            support.stop_popen(proc)
        for p in process_group_members(pgid):
            support.kill_quietly(p)
        shutil.rmtree(run_dir, ignore_errors=True)
        out_path.unlink(missing_ok=True)
