"""Background tasks of reports (Django's tasks framework, database backend)."""

from django.tasks import task

from .models import GENERIC_FAILURE, ReportExport


@task
def export_outcomes_task(export_id: str) -> str:
    """Produce an anonymised outcome export; a failure is recorded and re-raised."""
    from .service import export_produce

    export = ReportExport.objects.select_related("created_by").get(pk=export_id)
    try:
        export_produce(export=export)
    except BaseException:
        export.status = ReportExport.Status.FAILED
        export.error = GENERIC_FAILURE
        export.save(update_fields=["status", "error"])
        raise
    return export_id
