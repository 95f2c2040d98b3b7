"""Django's SQLite backend, plus the planner statistics SQLite asks applications
to keep: ``PRAGMA optimize`` just before each connection closes
(https://sqlite.org/lang_analyze.html, "Automatically Running ANALYZE").

Without statistics SQLite's planner guesses about ten rows for any indexed
equality, so it read every active placement through the status index rather
than the sixteen a supervisor is granted by primary key (docs/performance.md).
``PRAGMA optimize`` is usually a no-op (about 0.05 ms); it runs ``ANALYZE`` on a
table this connection used only when the table was never analysed or has
changed a lot since, bounded by ``analysis_limit`` so it stays quick on a large
file. Django closes a SQLite connection after every request (CONN_MAX_AGE 0),
so the statistics follow the data without a scheduled job.

It also extracts the year, month and day of a date natively. Django's backend
calls back into Python (``django_date_extract``) for every row; over the five
million attendance rows of the outcome report at 100,000 participants that
callback was half of the report's SQL (docs/performance.md). SQLite stores a
date as ISO text (``YYYY-MM-DD``), so these parts are fixed substrings. Other
parts (week, quarter, …) and every date-time part (which depends on the time
zone) keep Django's functions.

A database file it creates (var/db.sqlite3 in development) is readable by its
owner only.
"""

import logging
import os

from django.db.backends.sqlite3 import base, operations

logger = logging.getLogger(__name__)

#: Rows ANALYZE samples per index (SQLite suggests 100-1000).
ANALYSIS_LIMIT = 400


class DatabaseOperations(operations.DatabaseOperations):
    #: Date part -> (first character, length) in ``YYYY-MM-DD``.
    NATIVE_DATE_PARTS = {"year": (1, 4), "month": (6, 2), "day": (9, 2)}

    def date_extract_sql(self, lookup_type, sql, params):
        part = self.NATIVE_DATE_PARTS.get(lookup_type.lower())
        if part is None:
            return super().date_extract_sql(lookup_type, sql, params)
        start, length = part
        return f"CAST(substr({sql}, {start}, {length}) AS INTEGER)", params


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params):
        self._create_private_file(conn_params)
        connection = super().get_new_connection(conn_params)
        connection.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        return connection

    def _create_private_file(self, conn_params) -> None:
        """Create a new database file readable by its owner only (0600).

        SQLite would create it with the process's umask (usually 0644), so
        every local user could copy it. Its -wal and -shm files take the mode
        of the database file.
        """
        name = str(conn_params["database"])
        if self.is_in_memory_db() or name.startswith("file:"):
            return  # in memory, or a URI (SQLite opens it as it says)
        try:
            descriptor = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except (FileExistsError, FileNotFoundError):
            return  # there already, or no folder for it (SQLite then says so itself)
        os.close(descriptor)

    def _close(self):
        if self.connection is not None and not self.is_in_memory_db():
            try:
                self.connection.execute("PRAGMA optimize")
            except Exception:  # noqa: BLE001 (statistics are an optimisation; closing must go on)
                # The file may be read-only, locked by a long write, or the
                # connection broken; the data is unaffected, so the close
                # goes on and the reason is logged.
                logger.warning("PRAGMA optimize failed before closing", exc_info=True)
        super()._close()
