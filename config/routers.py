"""Send report reads to the read replica, when one is configured.

Report code wraps its queries in ``reports.routing.reporting()``;
everything else, and every write (access events included), goes to the primary.
"""

from django.conf import settings

from reports.routing import is_reporting


class ReportReplicaRouter:
    def db_for_read(self, model, **hints):
        if is_reporting() and "replica" in settings.DATABASES:
            return "replica"
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
