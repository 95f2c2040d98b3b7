"""config.sqlite3: SQLite gathers planner statistics when a connection closes,
and a failure to gather them never stops the close."""

import logging
import sqlite3

import pytest
from django.db.utils import ConnectionHandler

from config.sqlite3.base import ANALYSIS_LIMIT


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker):
    # These tests open their own SQLite files, not the test database.
    with django_db_blocker.unblock():
        yield


def _wrapper(path, **options):
    handler = ConnectionHandler({"default": {"ENGINE": "config.sqlite3", "NAME": path, **options}})
    return handler["default"]


def _seed(path):
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, state TEXT)")
    raw.execute("CREATE INDEX item_state ON item (state)")
    raw.executemany(
        "INSERT INTO item (state) VALUES (?)",
        [("active" if i % 3 else "ended",) for i in range(3000)],
    )
    raw.commit()
    raw.close()


def _statistics(path) -> list:
    raw = sqlite3.connect(path)
    try:
        if not raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            return []
        return raw.execute("SELECT tbl, idx FROM sqlite_stat1").fetchall()
    finally:
        raw.close()


def test_statistics_gathered_at_close(tmp_path):
    path = str(tmp_path / "stats.sqlite3")
    _seed(path)
    assert _statistics(path) == []
    wrapper = _wrapper(path)
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit")
        assert cursor.fetchone()[0] == ANALYSIS_LIMIT
        cursor.execute("SELECT count(*) FROM item WHERE state = %s", ["active"])
        assert cursor.fetchone()[0] == 2000
    wrapper.close()
    assert ("item", "item_state") in _statistics(path)


def test_a_failed_optimize_is_logged_and_the_close_goes_on(tmp_path, caplog):
    path = tmp_path / "readonly.sqlite3"
    _seed(str(path))
    # Read-only: ANALYZE cannot write sqlite_stat1.
    wrapper = _wrapper(f"file:{path}?mode=ro", OPTIONS={"uri": True})
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM item WHERE state = %s", ["ended"])
        assert cursor.fetchone()[0] == 1000
    with caplog.at_level(logging.WARNING, logger="config.sqlite3.base"):
        wrapper.close()
    assert wrapper.connection is None
    assert "PRAGMA optimize failed" in caplog.text
    assert _statistics(str(path)) == []


def test_the_project_uses_it_for_sqlite(settings):
    # Whichever database this suite runs on, SQLite never goes without it.
    engine = settings.DATABASES["default"]["ENGINE"]
    assert engine in {"config.sqlite3", "django.db.backends.postgresql"}
