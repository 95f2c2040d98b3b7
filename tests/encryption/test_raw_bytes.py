"""No plaintext at rest: read the raw database bytes and look for canaries."""

import pytest
from django.db import connection

from encryption.fields import REGISTRY

needs_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads the SQLite database image; runs on SQLite"
)
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="reads PostgreSQL columns; runs on PostgreSQL"
)


def encodings(canary: str) -> list[bytes]:
    return [canary.encode("utf-8"), canary.encode("utf-16-le"), canary.encode("latin-1", "ignore")]


def find_canaries(blob: bytes, canaries: list[str]) -> list[str]:
    return [c for c in canaries if any(form and form in blob for form in encodings(c))]


def all_rows_as_bytes() -> bytes:
    """Every column of every table, as raw as the driver gives it."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode())
    return b"\n".join(chunks)


def seeded(record_builder):
    records = [record_builder("A"), record_builder("B")]
    canaries = [canary for record in records for canary in record.canaries + record.other_canaries]
    assert len(canaries) > 40
    return canaries


def test_canaries_are_found_when_present():
    blob = "x Kanarie-A-note-åäö y".encode("utf-16-le")
    assert find_canaries(blob, ["Kanarie-A-note-åäö"]) == ["Kanarie-A-note-åäö"]


@needs_sqlite
@pytest.mark.django_db(transaction=True)
def test_no_plaintext_in_the_sqlite_file(record_builder):
    canaries = seeded(record_builder)
    image = connection.connection.serialize()  # the whole database file, every page
    assert len(image) > 100_000
    assert find_canaries(image, canaries) == []
    assert find_canaries(all_rows_as_bytes(), canaries) == []
    # The check can see plaintext: the coded, unencrypted values are there.
    assert b"Kaffekvarnen ASF" in image


@needs_postgres
@pytest.mark.django_db  # raw SQL in the same transaction sees every row written
def test_no_plaintext_in_any_postgresql_text_or_bytea_column(record_builder):
    canaries = seeded(record_builder)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema()
              AND data_type IN ('text', 'character varying', 'character', 'bytea', 'json', 'jsonb')
            """
        )
        columns = cursor.fetchall()
        tables = {table for table, _column in columns}
        assert {model._meta.db_table for model in REGISTRY} <= tables  # history included
        found = []
        for table, column in columns:
            quote = connection.ops.quote_name
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)}")  # noqa: S608
            blob = b"\n".join(
                bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                for (value,) in cursor.fetchall()
                if value is not None
            )
            found += [f"{table}.{column}: {c}" for c in find_canaries(blob, canaries)]
    assert found == []
    assert find_canaries(all_rows_as_bytes(), canaries) == []
