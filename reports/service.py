"""Running an export: record the request, enqueue the task, produce the files."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.kinds import Kind
from notifications.services import notify

from . import disclosure
from .anonymised import AUTOMATIC, AnonymisedExport, build_anonymised_export
from .differencing import (
    ReleaseRefused,
    Scope,
    digest,
    earlier_releases,
    joint_context,
    stored_tables,
)
from .models import Release, ReportExport
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
    grouping: str = AUTOMATIC,
    recipient_id=None,
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
            "grouping": grouping,
            "recipient_id": str(recipient_id) if recipient_id else None,
            "language": get_language(),
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
    with translation.override(parameters.get("language") or settings.LANGUAGE_CODE):
        try:
            bundle = release_make(
                report=report,
                organisation_ids=parameters["organisation_ids"],
                period=period,
                threshold=int(parameters["threshold"]),
                rounding=bool(parameters["rounding"]),
                grouping=parameters.get("grouping", AUTOMATIC),
                recipient_id=parameters.get("recipient_id"),
                acting_user=export.created_by,
                role=export.created_role,
                parameters={**parameters, "export_id": str(export.pk)},
                export=export,
            )
        except ReleaseRefused as refused:
            export.status = ReportExport.Status.FAILED
            export.progress = 100
            export.error = refused.message[:500]
            export.finished_at = timezone.now()
            export.save(update_fields=["status", "progress", "error", "finished_at"])
            return {}
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
    transaction.on_commit(
        lambda: notify(
            kind=Kind.EXPORT_READY,
            recipients=[export.created_by],
            url=reverse("reports:export_status", kwargs={"export_id": export.pk}),
        ),
        robust=True,
    )
    return bundle.files


def release_make(
    *,
    report: dict,
    organisation_ids,
    period: Period,
    threshold: int,
    rounding: bool,
    grouping: str,
    recipient_id,
    acting_user: User | None,
    role: str,
    parameters: dict,
    export: ReportExport | None = None,
) -> AnonymisedExport:
    """Protect an anonymised release together with the earlier releases to the same
    recipient whose scope overlaps it, and record it (``reports.Release``).

    Raises ``ReleaseRefused`` (a message for the user) when it cannot be protected.
    Releases to one recipient are made one at a time (the recipient's row is
    locked), so two cannot pass the audit without seeing each other.
    """
    from datetime import date

    from accounts.models import Organisation

    scope = Scope.of(
        organisation_ids=organisation_ids,
        first_month=period.first_month,
        last_month=period.last_month,
        as_of=date.fromisoformat(report["as_of"][:10]),
    )
    with transaction.atomic():
        if recipient_id is not None:
            list(Organisation.objects.select_for_update().filter(pk=recipient_id))
        earlier = earlier_releases(
            recipient_id=recipient_id,
            created_by_id=acting_user.pk if acting_user else None,
            scope=scope,
        )
        release = Release(
            created_by=acting_user,
            created_role=role,
            recipient_id=recipient_id,
            export=export,
            organisation_ids=list(scope.organisation_ids),
            first_month=scope.first_month,
            last_month=scope.last_month,
            as_of=scope.as_of,
            threshold=threshold,
            rounding=rounding,
        )
        try:
            bundle = build_anonymised_export(
                report=report,
                threshold=threshold,
                rounding=rounding,
                created_by=acting_user,
                created_role=role,
                parameters={
                    **parameters,
                    "release_id": str(release.pk),
                    "recipient_id": str(recipient_id) if recipient_id else None,
                },
                grouping=grouping,
                joint=lambda tables: joint_context(tables, scope=scope, earlier=earlier),
                earlier_measure_groups=[release.measure_groups for release in earlier],
            )
        except disclosure.ProtectionImpossible as impossible:
            raise ReleaseRefused(_refusal(impossible.cause)) from impossible
        if bundle.release is None:  # build_anonymised_export always protects
            raise disclosure.DisclosureError("The export was not protected.")
        release.grouping = bundle.grouping
        release.tables = stored_tables(bundle.release)
        release.digest = digest(bundle.files)
        release.summary = disclosure.release_summary(bundle.release)
        release.measure_groups = bundle.measure_groups
        release.full_clean()
        release.save()
    return bundle


def _refusal(cause: str) -> str:
    if cause == "changed":
        return _(
            "The export cannot be protected: the figures for enterprises and months "
            "already released to the same recipient have changed since then, so the "
            "difference between the releases would reveal the changes. Contact the "
            "administrator."
        )
    return _(
        "The export cannot be protected: together with earlier releases to the same "
        "recipient, it would reveal counts under the threshold, and the earlier "
        "releases cannot be withdrawn. Choose enterprises and months that do not differ "
        "from an earlier release by a small group (one small enterprise or a single "
        "month), or a coarser scope."
    )
