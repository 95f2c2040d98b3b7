"""The restore drill of docs/operations.md: dump the database with pg_dump,
restore it into a fresh database, and verify encryption and the audit chain
there with the escrowed keys — and see verification fail with the wrong keys."""

import base64
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres") or not shutil.which("pg_dump"),
    reason="the restore drill needs PostgreSQL and pg_dump (runs in the PostgreSQL CI leg)",
)


def key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def server_args() -> list[str]:
    parsed = urlparse(DATABASE_URL)
    args = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    if parsed.username:
        args += ["-U", parsed.username]
    return args


def url_for(database: str) -> str:
    parsed = urlparse(DATABASE_URL)
    return parsed._replace(path=f"/{database}").geturl()


def run(args: list[str], *, env: dict | None = None, check: bool = True):
    result = subprocess.run(  # noqa: S603 - fixed commands with generated names
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args[:3]} failed:\n{result.stdout}\n{result.stderr}")
    return result


def django_env(database: str, field_keys: str, index_key: str) -> dict:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "FIELD_ENCRYPTION", "BLIND_INDEX", "DATABASE_"))
    }
    env.update(
        DJANGO_ENV="development",
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=url_for(database),
        FIELD_ENCRYPTION_KEYS=field_keys,
        BLIND_INDEX_KEY=index_key,
    )
    return env


def manage(*args, env, check=True):
    return run([sys.executable, "manage.py", *args], env=env, check=check)


def test_dump_restore_verify(tmp_path):
    suffix = uuid.uuid4().hex[:8]
    source, restored = f"stegvis_drill_src_{suffix}", f"stegvis_drill_dst_{suffix}"
    field_keys, index_key = f"escrow-1:{key()}", key()
    run(["createdb", *server_args(), source])
    run(["createdb", *server_args(), restored])
    try:
        env = django_env(source, field_keys, index_key)
        manage("migrate", "--noinput", env=env)
        manage("seed_demo", "--participants", "6", "--seed", "7", env=env)
        manage("seal_audit", env=env)
        dump = tmp_path / "stegvis.dump"
        run(["pg_dump", *server_args(), "--format=custom", f"--file={dump}", source])
        run(["pg_restore", *server_args(), "--no-owner", f"--dbname={restored}", str(dump)])

        restored_env = django_env(restored, field_keys, index_key)
        encryption = manage("verify_encryption", env=restored_env)
        assert encryption.returncode == 0
        audit = manage("verify_audit", env=restored_env)
        assert audit.returncode == 0

        wrong_env = django_env(restored, f"wrong-1:{key()}", index_key)
        wrong = manage("verify_encryption", env=wrong_env, check=False)
        assert wrong.returncode != 0
        assert "wrong-1" in wrong.stdout + wrong.stderr or "escrow-1" in wrong.stdout + wrong.stderr
    finally:
        run(["dropdb", *server_args(), "--if-exists", source], check=False)
        run(["dropdb", *server_args(), "--if-exists", restored], check=False)
