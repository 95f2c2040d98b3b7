"""Database triggers that make the audit tables append-only.

UPDATE is always refused. DELETE is refused unless the retention purge has
raised its flag inside the same transaction:

- PostgreSQL: ``SET LOCAL stegvis.audit_purge = 'on'`` (ends with the
  transaction), read with ``current_setting('stegvis.audit_purge', true)``.
  TRUNCATE skips row triggers, so a statement trigger refuses it too.
- SQLite: a row in ``audit_purgeflag``, inserted and removed by the purge
  within its transaction, checked with ``WHEN NOT EXISTS (...)``.

The triggers guard against the application and its operators making a
mistake; someone with full control of the database can drop them, which is
what the hash chain (``audit.sealing``) and the exported chain head are for.
Installed by migration ``audit.0002``; the tamper tests drop and reinstall them.
"""

from contextlib import contextmanager

from django.db import connection as default_connection

TABLES = ("audit_accessevent", "audit_seal", "audit_auditmaintenance")
PURGE_SETTING = "stegvis.audit_purge"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
       AND coalesce(current_setting('{PURGE_SETTING}', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""


def _postgresql_install(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
    ]


def _sqlite_install(table: str) -> list[str]:
    # Table names come from TABLES, never from input.
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'audit table {table} is append-only: UPDATE refused'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "  # noqa: S608
        "WHEN NOT EXISTS (SELECT 1 FROM audit_purgeflag) "
        f"BEGIN SELECT RAISE(ABORT, 'audit table {table} is append-only: DELETE refused'); END",
    ]


def install_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [_PG_FUNCTION] + [sql for table in TABLES for sql in _postgresql_install(table)]
    if vendor == "sqlite":
        return [sql for table in TABLES for sql in _sqlite_install(table)]
    raise NotImplementedError(f"no audit triggers for database vendor {vendor!r}")


def uninstall_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            sql
            for table in TABLES
            for sql in (
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            )
        ] + ["DROP FUNCTION IF EXISTS audit_refuse_change()"]
    if vendor == "sqlite":
        return [
            sql
            for table in TABLES
            for sql in (
                f"DROP TRIGGER IF EXISTS {table}_no_update",
                f"DROP TRIGGER IF EXISTS {table}_no_delete",
            )
        ]
    raise NotImplementedError(f"no audit triggers for database vendor {vendor!r}")


def install(connection=default_connection) -> None:
    with connection.cursor() as cursor:
        for sql in install_statements(connection.vendor):
            cursor.execute(sql)


def uninstall(connection=default_connection) -> None:
    with connection.cursor() as cursor:
        for sql in uninstall_statements(connection.vendor):
            cursor.execute(sql)


def raise_purge_flag(connection=default_connection) -> None:
    """Allow DELETE on the audit tables until the current transaction ends."""
    if not connection.in_atomic_block:
        raise RuntimeError("the audit purge flag may only be raised inside a transaction")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL {PURGE_SETTING} = 'on'")
        else:
            cursor.execute("INSERT INTO audit_purgeflag (id) VALUES (1)")


def lower_purge_flag(connection=default_connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL {PURGE_SETTING} = 'off'")
        else:
            cursor.execute("DELETE FROM audit_purgeflag")


@contextmanager
def purge_allowed(connection=default_connection):
    """Within an atomic block: the audit tables accept DELETE, then refuse again."""
    raise_purge_flag(connection)
    yield
    lower_purge_flag(connection)
