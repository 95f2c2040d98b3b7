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
"""

import logging

from django.db.backends.sqlite3 import base

logger = logging.getLogger(__name__)

#: Rows ANALYZE samples per index (SQLite suggests 100-1000).
ANALYSIS_LIMIT = 400


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        return connection

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
