"""Every shipped nginx config passes `nginx -t` (scripts/check-nginx-configs)."""

import subprocess

import support


def test_check_nginx_configs(repo_root):
    script = repo_root / "scripts" / "check-nginx-configs"
    assert script.exists(), f"{script} missing"
    r = subprocess.run([str(script)], cwd=repo_root, env=support.base_env(), stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=60)
    assert r.returncode == 0, (r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace"))[-4000:]


def test_conf_nginx_has_files(repo_root):
    files = [p for p in (repo_root / "conf" / "nginx").rglob("*") if p.is_file()]
    assert files, "conf/nginx ships no files"
