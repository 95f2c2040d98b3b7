"""``flush`` that can empty the append-only audit tables outside production.

Django's test cases with real transactions (``transactional_db``,
``live_server``) end by flushing every table; the audit triggers would refuse
that. This override raises the purge flag inside the flush transaction in
development and tests, and refuses outright in production: emptying the audit
trail there goes through ``purge_audit`` only.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections, transaction

from audit import triggers


class Command(flush.Command):
    def handle(self, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("flush would erase the audit trail; refused in production")
        connection = connections[options["database"]]
        plain_flush = connection.ops.execute_sql_flush

        def flush_with_purge_flag(sql_list):
            with transaction.atomic(using=connection.alias):
                triggers.raise_purge_flag(connection)
                if connection.vendor == "sqlite":
                    # One DELETE per table there: keep the flag until the end.
                    sql_list = [sql for sql in sql_list if "audit_purgeflag" not in sql]
                plain_flush(sql_list)
                triggers.lower_purge_flag(connection)

        connection.ops.execute_sql_flush = flush_with_purge_flag
        try:
            return super().handle(**options)
        finally:
            del connection.ops.execute_sql_flush
