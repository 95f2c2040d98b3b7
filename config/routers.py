"""Send report reads to the read replica, when one is configured.

Report code wraps its queries in ``with reporting():``; everything else, and
every write, goes to the primary.
"""

import contextlib
import contextvars

from django.conf import settings

_reporting: contextvars.ContextVar[bool] = contextvars.ContextVar("reporting", default=False)


@contextlib.contextmanager
def reporting():
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


class ReportReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reporting.get() and "replica" in settings.DATABASES:
            return "replica"
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
