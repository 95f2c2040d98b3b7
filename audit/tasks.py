"""Background sealing on Django's tasks framework (django-tasks-db in production)."""

from django.tasks import task

from .sealing import seal_pending


@task
def seal_audit_task() -> dict:
    return seal_pending().as_dict()
