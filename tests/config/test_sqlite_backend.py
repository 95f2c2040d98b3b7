"""config.sqlite3: SQLite gathers planner statistics when a connection closes,
and a failure to gather them never stops the close."""

import logging
import os
import sqlite3
import stat

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


def test_year_month_and_day_of_a_date_are_extracted_natively_with_djangos_values(tmp_path):
    wrapper = _wrapper(str(tmp_path / "dates.sqlite3"))
    ops = wrapper.ops
    dates = ["2026-01-05", "1999-12-31", "0001-02-03", "2024-02-29", None]
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE day (d date)")
        for value in dates:
            cursor.execute("INSERT INTO day (d) VALUES (%s)", [value])
        for part in ("year", "month", "day"):
            native, params = ops.date_extract_sql(part, '"d"', ())
            # No call back into Python: a plain SQLite expression.
            assert "django_" not in native
            cursor.execute(f'SELECT {native}, django_date_extract(%s, "d") FROM day', [part])
            rows = cursor.fetchall()
            assert [row[0] for row in rows] == [row[1] for row in rows]
            assert rows[0][0] == {"year": 2026, "month": 1, "day": 5}[part]
            assert rows[-1] == (None, None)
        # Parts that are not fixed substrings keep Django's function.
        other, _params = ops.date_extract_sql("week_day", '"d"', ())
        assert other.startswith("django_date_extract(")
    wrapper.close()


def test_a_new_database_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "db.sqlite3"
    previous = os.umask(0o022)  # the usual umask, under which SQLite makes 0644 files
    try:
        wrapper = _wrapper(str(path), OPTIONS={"init_command": "PRAGMA journal_mode=WAL;"})
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE item (id INTEGER PRIMARY KEY)")
            cursor.execute("INSERT INTO item DEFAULT VALUES")
            modes = {file.name: stat.S_IMODE(file.stat().st_mode) for file in tmp_path.iterdir()}
        wrapper.close()
    finally:
        os.umask(previous)
    # The write-ahead log and its index hold the same data: the same mode.
    assert modes == {"db.sqlite3": 0o600, "db.sqlite3-wal": 0o600, "db.sqlite3-shm": 0o600}
