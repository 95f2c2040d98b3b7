"""Background task: produce a participant's copy of their data (django-tasks-db)."""

from django.tasks import task

from .models import SubjectCopy


@task
def subject_copy_task(copy_id: str) -> str:
    """Produce the copy; a failure is recorded on the row and re-raised for the worker log."""
    from .services import subject_copy_produce

    copy = SubjectCopy.objects.get(pk=copy_id)
    try:
        subject_copy_produce(copy=copy)
    except BaseException:
        copy.status = SubjectCopy.Status.FAILED
        copy.error = "the copy failed; see the worker log"
        copy.save(update_fields=["status", "error"])
        raise
    return copy_id
