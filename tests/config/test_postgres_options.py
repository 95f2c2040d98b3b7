"""PostgreSQL connections bind parameters on the server and prepare repeated
statements (planning once per connection), unless turned off for a pooler
that cannot keep prepared statements."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'options': db.get('OPTIONS', {})}))"
)


def database_settings(**env) -> dict:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DATABASE_", "STEGVIS_PG_"))
    }
    environment.update(DJANGO_SETTINGS_MODULE="config.settings_test", **env)
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed probe
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_postgres_prepares_statements_by_default():
    found = database_settings(DATABASE_URL="postgres://app@db.example.org:5432/stegvis")
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["options"]["server_side_binding"] is True
    assert found["options"]["prepare_threshold"] == 2


def test_prepared_statements_can_be_turned_off_for_a_pooler():
    found = database_settings(
        DATABASE_URL="postgres://app@db.example.org:5432/stegvis", STEGVIS_PG_PREPARED="0"
    )
    assert "server_side_binding" not in found["options"]
    assert "prepare_threshold" not in found["options"]


def test_sqlite_is_unaffected():
    found = database_settings(DATABASE_URL="sqlite:////tmp/stegvis-options.sqlite3")
    assert "server_side_binding" not in found["options"]


@pytest.mark.django_db
def test_the_test_database_connection_uses_them_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("checks the live PostgreSQL connection; the suite runs on SQLite here")
    connection.ensure_connection()
    assert connection.connection.prepare_threshold == 2
    with connection.cursor() as cursor:
        assert type(cursor.cursor).__name__ == "ServerBindingCursor"
