"""Background task: produce a funder file (Django's tasks framework, database backend)."""

from django.tasks import task

from .models import FunderFile


@task
def funder_file_task(file_id: str) -> str:
    """Produce the file; a failure is recorded on the row and re-raised for the worker log."""
    from .files import funder_file_produce

    funder_file = FunderFile.objects.select_related("project", "created_by").get(pk=file_id)
    try:
        funder_file_produce(funder_file=funder_file)
    except BaseException:
        funder_file.status = FunderFile.Status.FAILED
        funder_file.error = "the file failed; see the worker log"
        funder_file.save(update_fields=["status", "error"])
        raise
    return file_id
