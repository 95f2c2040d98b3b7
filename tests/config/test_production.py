"""Production settings: the deploy check passes, and the process refuses to
start without a strong secret, the keys, a database URL and allowed hosts."""

import base64
import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def production_env(**overrides) -> dict:
    env = {
        key_name: value
        for key_name, value in os.environ.items()
        if not key_name.startswith(("DJANGO_", "FIELD_ENCRYPTION", "BLIND_INDEX", "DATABASE_"))
    }
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS=f"prod-1:{key()}",
        BLIND_INDEX_KEY=key(),
        # Not connected to: the checks below need none.
        DATABASE_URL="postgres://stegvis@db.invalid:5432/stegvis",
        DJANGO_ALLOWED_HOSTS="stegvis.example.org",
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_at_warning_level():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "a" * 60}, "DJANGO_SECRET_KEY"),
        ({"FIELD_ENCRYPTION_KEYS": None}, "FIELD_ENCRYPTION_KEYS"),
        ({"BLIND_INDEX_KEY": None}, "BLIND_INDEX_KEY"),
        ({"FIELD_ENCRYPTION_KEYS": "bad"}, "FIELD_ENCRYPTION_KEYS"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
    ],
)
def test_production_refuses_to_start(override, message):
    result = manage("check", env=production_env(**override))
    assert result.returncode != 0
    assert message in result.stderr


def encoded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def development_key_ring() -> tuple[str, str]:
    """This checkout's development key ring (var/keys/, as ``make run`` writes it)."""
    from encryption.keyring import _development_keys

    return _development_keys(ROOT / "var" / "keys" / "development-keys.json")


def development_environment() -> dict:
    field_keys, blind_index_key = development_key_ring()
    return {"FIELD_ENCRYPTION_KEYS": field_keys, "BLIND_INDEX_KEY": blind_index_key}


def few_values_key() -> bytes:
    return bytes(secrets.choice(b"ABCDEFGH") for _ in range(32))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        # The development key ring from var/keys/: its ids and its values.
        (
            development_environment,
            "FIELD_ENCRYPTION_KEYS key 'dev-1' has a development or test key id",
        ),
        (
            lambda: {
                "FIELD_ENCRYPTION_KEYS": "prod-1:" + development_key_ring()[0].partition(":")[2]
            },
            "FIELD_ENCRYPTION_KEYS key 'prod-1' is a key of the development key ring",
        ),
        (
            lambda: {"BLIND_INDEX_KEY": development_key_ring()[1]},
            "BLIND_INDEX_KEY is a key of the development key ring",
        ),
        (
            lambda: {"FIELD_ENCRYPTION_KEYS": f"test-1:{key()}"},
            "FIELD_ENCRYPTION_KEYS key 'test-1' has a development or test key id",
        ),
        # Keys nobody generated.
        (
            lambda: {"FIELD_ENCRYPTION_KEYS": f"prod-1:{encoded(bytes(32))}"},
            "FIELD_ENCRYPTION_KEYS key 'prod-1' is not a random key: all its bytes are equal",
        ),
        (
            lambda: {"BLIND_INDEX_KEY": encoded(bytes(32))},
            "BLIND_INDEX_KEY is not a random key: all its bytes are equal",
        ),
        (
            lambda: {"FIELD_ENCRYPTION_KEYS": f"prod-1:{encoded(b'0123456789abcdef' * 2)}"},
            "FIELD_ENCRYPTION_KEYS key 'prod-1' is not a random key: it repeats a 16-byte",
        ),
        (
            lambda: {"BLIND_INDEX_KEY": encoded(bytes(range(100, 132)))},
            "BLIND_INDEX_KEY is not a random key: its bytes follow a simple sequence",
        ),
        (
            lambda: {"BLIND_INDEX_KEY": encoded(few_values_key())},
            "BLIND_INDEX_KEY is not a random key: it has only",
        ),
        # Secrets with a pattern, or meant for development.
        (
            lambda: {"DJANGO_SECRET_KEY": "abcde" * 10},
            "DJANGO_SECRET_KEY is missing or weak (it repeats a 5-character pattern)",
        ),
        (
            lambda: {"DJANGO_SECRET_KEY": "".join(secrets.choice("abcdefgh") for _ in range(60))},
            "DJANGO_SECRET_KEY is missing or weak (it has only",
        ),
        (
            lambda: {"DJANGO_SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(48)},
            "DJANGO_SECRET_KEY is missing or weak (it is a development value)",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "env",
)
def test_production_refuses_weak_and_development_keys(override, message):
    values = override()
    result = manage("check", env=production_env(**values))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    # The message names the variable, never the value.
    for value in values.values():
        for entry in value.split(","):
            assert entry.rpartition(":")[2] not in result.stderr


def test_production_start_up_accepts_generated_keys():
    """The keys ``generate_key`` prints pass, as the deploy check above shows for token_urlsafe."""
    from config.production import key_ring_problems, secret_key_weakness
    from encryption.keyring import b64url_encode, new_key_entry

    for _attempt in range(200):
        assert (
            key_ring_problems(
                f"{new_key_entry()},{new_key_entry('2026-01')}",
                b64url_encode(secrets.token_bytes(32)),
                development_key_file=ROOT / "nonexistent.json",
            )
            == []
        )
        assert secret_key_weakness(secrets.token_urlsafe(64)) is None
        assert secret_key_weakness(secrets.token_hex(32)) is None


def test_an_unreadable_development_key_file_is_refused(tmp_path):
    from config.production import key_ring_problems

    broken = tmp_path / "development-keys.json"
    broken.write_text("{not json")
    problems = key_ring_problems(f"prod-1:{key()}", key(), development_key_file=broken)
    assert problems == [f"{broken} cannot be read to make sure no development key is used"]


def test_deploy_check_warns_about_sqlite():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(DATABASE_URL="sqlite:////tmp/stegvis-deploy-check.sqlite3"),
    )
    assert result.returncode != 0
    assert "encryption.W001" in result.stderr + result.stdout
    assert "Database 'default' is SQLite." in result.stderr + result.stdout


def test_log_formatter_cuts_query_strings_and_carries_context():
    from config.logging import JsonFormatter, RequestContextFilter, request_id_var

    token = request_id_var.set("req-123")
    try:
        record = logging.LogRecord(
            "django.server",
            logging.INFO,
            __file__,
            1,
            '"GET /deltagare/?q=Canaryname HTTP/1.1" 200 512',
            None,
            None,
        )
        RequestContextFilter().filter(record)
        entry = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert "Canaryname" not in json.dumps(entry)
    assert entry["request_id"] == "req-123"
    assert entry["logger"] == "django.server"


def _fail_with_personal_data(name: str, number: str):
    try:
        {"given_name": name}[number]
    except KeyError as error:
        raise ValueError(f"could not save {name}, {number}") from error


def test_a_logged_exception_keeps_its_traceback_but_not_its_message():
    from config.logging import JsonFormatter

    # Values the code had in hand, as at run time (the traceback shows source
    # lines, so the canaries must not be literals on them).
    name, number = "".join(["Canary", "name"]), "-".join(["19850101", "2389"])
    try:
        _fail_with_personal_data(name, number)
    except ValueError:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: /deltagare/",
            None,
            sys.exc_info(),
        )
    logged = JsonFormatter().format(record)
    entry = json.loads(logged)

    assert "Canaryname" not in logged and "19850101" not in logged
    exception = entry["exception"]
    # Both exceptions of the chain, cause first, with the function that failed.
    assert exception.index("KeyError: (message withheld") < exception.index(
        "ValueError: (message withheld"
    )
    assert "_fail_with_personal_data" in exception
    assert entry["message"] == "Internal Server Error: /deltagare/"


@pytest.mark.django_db
def test_health_endpoint_reports_database_and_keys(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "keys": "ok"}}
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_endpoint_fails_with_broken_keys(client, settings):
    from encryption import keyring

    settings.FIELD_ENCRYPTION_KEYS = "broken"
    keyring._cached_keyring.cache_clear()
    try:
        response = client.get("/health/")
    finally:
        keyring._cached_keyring.cache_clear()
    assert response.status_code == 503
    assert response.json()["checks"]["keys"] == "failed"


@pytest.mark.django_db
def test_security_headers_on_public_page(client):
    response = client.get("/login/")
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
