"""Files the service creates are private whatever the umask (contract §5 Security (v2),
issue 16 item 9): the SQLite database and its -wal/-shm, the development key and mail files
0600, the directories it creates 0700, its unix socket 0660."""

import os
import stat

import fcgi_client
import pg_support
import pytest
import support
from api_client import DEFAULT_PASSWORD, auth_env, unique


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def start_with_umask_022(b: support.Backend) -> support.Backend:
    """Starts the backend as a shell with `umask 022` would (the umask is inherited)."""
    previous = os.umask(0o022)
    try:
        return b.start()
    finally:
        os.umask(previous)


def test_created_files_are_private_under_umask_022(backend_factory, short_tmp):
    mail_dir = short_tmp / "mail" / "out"  # neither exists: the service makes both
    keys = ("JWT_SECRET_KEY", "MFA_SECRET_KEY")  # unset: development generates both
    env = {k: v for k, v in auth_env(AUTH_ENV="development", MAIL_URL=f"file://{mail_dir}").items()
           if k not in keys}
    b = backend_factory(env=env, start=False)
    for key in keys:
        b.env.pop(key, None)
    start_with_umask_022(b)

    name = unique()
    email = f"{name}@example.com"
    r = fcgi_client.post_json(b.socket_path, "/api/auth/register",
                              {"username": name, "email": email, "password": DEFAULT_PASSWORD})
    assert r.status == 201, r.body
    assert fcgi_client.post_json(b.socket_path, "/api/auth/password/forgot", {"email": email}).status == 202
    support.wait_for(lambda: any(mail_dir.glob("*.eml")), 10, "the reset mail")

    assert mode(b.socket_path) == 0o660
    for mail in mail_dir.glob("*.eml"):
        assert mode(mail) == 0o600, mail
    assert mode(mail_dir) == 0o700 and mode(mail_dir.parent) == 0o700
    if pg_support.BACKEND == "postgresql":
        key_dir = b.workdir / "var"
        assert mode(key_dir) == 0o700
    else:
        key_dir = b.workdir
        database = b.workdir / "auth.db"
        for path in (database, database.with_name("auth.db-wal"), database.with_name("auth.db-shm")):
            assert mode(path) == 0o600, path
    for key in ("jwt-secret.key", "mfa-secret.key"):
        assert mode(key_dir / key) == 0o600, key


def test_database_directories_created_for_sqlite_are_0700(backend_factory, short_tmp):
    if pg_support.BACKEND == "postgresql":
        pytest.skip("SQLite only")
    data = short_tmp / "data" / "db"
    b = backend_factory(env={"DATABASE_URL": f"sqlite:///{data}/auth.db"}, start=False)
    start_with_umask_022(b)
    assert support.connectable(b.socket_path)
    assert mode(data) == 0o700 and mode(data.parent) == 0o700
    assert mode(data / "auth.db") == 0o600


def test_socket_in_a_setgid_directory_takes_its_group(backend_factory):
    """As conf/systemd/auth-fcgi.service sets /run/auth-fcgi up (auth-fcgi:www-data 2750):
    the 0660 socket gets the directory's group, so the web server's group can connect."""
    group = 65534  # nogroup: any group other than the service's own
    b = backend_factory(start=False)
    os.chown(b.workdir, -1, group)
    os.chmod(b.workdir, 0o2750)
    start_with_umask_022(b)
    info = os.stat(b.socket_path)
    assert info.st_gid == group and stat.S_IMODE(info.st_mode) == 0o660
