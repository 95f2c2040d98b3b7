"""The daily retention check on Django's tasks framework (django-tasks-db in
production): queued by ``manage.py retention --enqueue`` from cron or a systemd
timer (docs/operations.md), run by the ``db_worker``."""

from django.tasks import task

from .services import retention_check


@task
def retention_check_task() -> dict:
    run = retention_check()
    return {"ran_at": run.ran_at.isoformat(), "due": run.due_count}
