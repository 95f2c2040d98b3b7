"""Running an export: record the request, enqueue the task, produce the files."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .anonymised import build_anonymised_export
from .models import ReportExport
from .scope import Period
from .statistics import outcome_report

DEFAULT_THRESHOLD = 5


def exports_storage() -> FileSystemStorage:
    """Export files live under EXPORTS_ROOT, never in static or media; no public URL."""
    return FileSystemStorage(location=settings.EXPORTS_ROOT, base_url=None)


def _set_progress(export: ReportExport, progress: int, status: str | None = None) -> None:
    export.progress = progress
    fields = ["progress"]
    if status:
        export.status = status
        fields.append("status")
    export.save(update_fields=fields)


@transaction.atomic
def export_request(
    *,
    acting_user: User,
    role: str,
    period: Period,
    organisation_ids: list,
    threshold: int = DEFAULT_THRESHOLD,
    rounding: bool = False,
) -> ReportExport:
    """Record the request and enqueue the task once the transaction commits."""
    from reports.tasks import export_outcomes_task

    export = ReportExport.objects.create(
        created_by=acting_user,
        created_role=role,
        anonymised=True,
        parameters={
            "period": period.code,
            "organisation_ids": [str(pk) for pk in organisation_ids],
            "threshold": threshold,
            "rounding": rounding,
        },
    )
    transaction.on_commit(lambda: export_outcomes_task.enqueue(str(export.pk)))
    return export


def export_produce(*, export: ReportExport, as_of=None) -> dict[str, bytes]:
    """Compute, protect and write the files of an export; progress is saved as it goes."""
    _set_progress(export, 5, ReportExport.Status.RUNNING)
    parameters = export.parameters
    period = Period.parse(parameters["period"])
    report = outcome_report(
        period=period, organisation_ids=parameters["organisation_ids"], as_of=as_of
    )
    _set_progress(export, 50)
    bundle = build_anonymised_export(
        report=report,
        threshold=int(parameters["threshold"]),
        rounding=bool(parameters["rounding"]),
        created_by=export.created_by,
        created_role=export.created_role,
        parameters={**parameters, "export_id": str(export.pk)},
    )
    _set_progress(export, 80)
    storage = exports_storage()
    names = []
    for name, content in bundle.files.items():
        path = f"{export.pk}/{name}"
        if storage.exists(path):
            storage.delete(path)
        storage.save(path, ContentFile(content))
        names.append(name)
    export.files = sorted(names)
    export.status = ReportExport.Status.DONE
    export.progress = 100
    export.finished_at = timezone.now()
    export.save(update_fields=["files", "status", "progress", "finished_at"])
    return bundle.files
