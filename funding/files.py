"""Producing a funder file in the background, opening it for a download, and expiry.

Rows are built in batches of ``BATCH_SIZE`` placements-in-project with a fixed
number of queries per batch (the placements with their participants, the
six-month follow-ups, the consents), however large the project. A participant
whose consent does not allow sharing with the project's funder is left out of
the file and listed on the row as missing consent.
"""

import io
from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models import Q
from django.utils import timezone, translation

from accounts.models import Organisation, Role
from accounts.roles import organisations_with_role
from casework.models import FollowUp
from encryption import keycache
from encryption.exceptions import DataKeyDestroyed
from encryption.services import data_key_destroy
from participants.models import Consent
from reports.exports import SheetTable, to_csv, to_xlsx

from .kinds import KINDS, Row
from .models import FileKind, FundedProject, FunderFile, ProjectPlacement
from .sealed import seal, unseal

BATCH_SIZE = 500
#: Queries per batch of rows: placements in the project (with participant and
#: keys), the six-month follow-ups of their exits, the consents that allow sharing.
QUERIES_PER_BATCH = 3
DEFAULT_VALID_HOURS = 24


def valid_hours() -> int:
    return int(getattr(settings, "FUNDER_FILE_VALID_HOURS", DEFAULT_VALID_HOURS))


def storage() -> FileSystemStorage:
    """Under EXPORTS_ROOT, never in static or media; served only by the checked view."""
    return FileSystemStorage(location=settings.EXPORTS_ROOT, base_url=None)


def month_end(first_day: date) -> date:
    return (first_day + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def in_period(project: FundedProject, first_month: date, last_month: date):
    """The project's placements whose time in the project overlaps the months."""
    return ProjectPlacement.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gte=first_month),
        project=project,
        joined_on__lte=month_end(last_month),
    )


def consent_q(project: FundedProject) -> Q:
    """An active consent that allows the participant's data to go to the project's funder.

    A funder is named on a "registration in a funder's follow-up system"
    consent; where the funder is an agency (Arbetsförmedlingen's decision), a
    consent to sharing with that agency counts too.
    """
    allowed = Q(purpose=Consent.Purpose.SHARE_WITH_FUNDER, funder_id=project.funder_id)
    if project.funder.kind == Organisation.Kind.AGENCY:
        allowed |= Q(purpose=Consent.Purpose.SHARE_WITH_AGENCY, agency_id=project.funder_id)
    return allowed & Q(withdrawn_at__isnull=True)


def rows_in_batches(
    *, project: FundedProject, membership_ids: list, batch_size: int = BATCH_SIZE
) -> Iterator[list[Row]]:
    """The rows of the given placements-in-project, ``batch_size`` at a time (3 queries each)."""
    allowed = consent_q(project)
    for start in range(0, len(membership_ids), batch_size):
        ids = membership_ids[start : start + batch_size]
        memberships = list(
            ProjectPlacement.objects.filter(pk__in=ids)
            .select_related(
                "data_key",
                "placement",
                "placement__participant",
                "placement__participant__data_key",
            )
            .order_by("joined_on", "id")
        )
        for membership in memberships:
            # The project is one object for the whole file: no query per row.
            membership.project = project
        placement_ids = [m.placement_id for m in memberships]
        follow_ups = {
            row["exit__placement_id"]: row
            for row in FollowUp.objects.filter(
                exit__placement_id__in=placement_ids, kind=FollowUp.Kind.MONTH_6
            ).values("id", "exit__placement_id", "status_found", "due_on")
        }
        participant_ids = {m.placement.participant_id for m in memberships}
        consenting = set(
            Consent.objects.filter(allowed, participant_id__in=participant_ids).values_list(
                "participant_id", flat=True
            )
        )
        batch = []
        for membership in memberships:
            follow_up = follow_ups.get(membership.placement_id)
            batch.append(
                Row(
                    membership=membership,
                    six_month_status=follow_up["status_found"] if follow_up else "",
                    six_month_due=follow_up["due_on"] if follow_up else None,
                    six_month_id=follow_up["id"] if follow_up else None,
                    consent=membership.placement.participant_id in consenting,
                )
            )
        yield batch


def file_rows(
    *, project: FundedProject, first_month: date, last_month: date, batch_size: int = BATCH_SIZE
) -> Iterator[list[Row]]:
    ids = list(
        in_period(project, first_month, last_month)
        .order_by("joined_on", "id")
        .values_list("id", flat=True)
    )
    return rows_in_batches(project=project, membership_ids=ids, batch_size=batch_size)


def file_base_name(funder_file: FunderFile) -> str:
    return (
        (
            f"{funder_file.kind}-{funder_file.project.reference}-"
            f"{funder_file.first_month:%Y-%m}-{funder_file.last_month:%Y-%m}"
        )
        .replace("/", "-")
        .replace(" ", "-")
    )


def _progress(funder_file: FunderFile, progress: int, status: str | None = None) -> None:
    funder_file.progress = progress
    fields = ["progress"]
    if status:
        funder_file.status = status
        fields.append("status")
    funder_file.save(update_fields=fields)


def table_of(*, funder_file: FunderFile, progress=None) -> tuple[SheetTable, list, list]:
    """The file's table (consenting participants only), who is in it and who lacks consent."""
    kind = KINDS[funder_file.kind]
    table = SheetTable(key=funder_file.kind, title=funder_file.kind, header=kind.header)
    included, missing = [], []
    for batch in file_rows(
        project=funder_file.project,
        first_month=funder_file.first_month,
        last_month=funder_file.last_month,
    ):
        for row in batch:
            participant_id = str(row.membership.placement.participant_id)
            if not row.consent:
                missing.append(participant_id)
                continue
            included.append(participant_id)
            table.rows.append(kind.values(row))
        if progress is not None:
            progress()
    return table, list(dict.fromkeys(included)), list(dict.fromkeys(missing))


def _attendance_pdf(funder_file: FunderFile, rows: list[Row]) -> bytes:
    """One attendance report per placement and month (reports.attendance), in one PDF."""
    from pypdf import PdfReader, PdfWriter

    from placements.selectors import attendance_month_for
    from reports.attendance import attendance_month_pdf

    writer = PdfWriter()
    for row in rows:
        membership = row.membership
        month = funder_file.first_month
        while month <= funder_file.last_month:
            inside = membership.joined_on <= month_end(month) and (
                membership.left_on is None or membership.left_on >= month
            )
            if inside and membership.placement.start_date:
                report = attendance_month_for(
                    user=funder_file.created_by,
                    placement_id=membership.placement_id,
                    year=month.year,
                    month=month.month,
                )
                pdf = attendance_month_pdf(
                    report=report, show_identity=True, generated_by=funder_file.created_by
                )
                writer.append(PdfReader(io.BytesIO(pdf)))
            month = (month + timedelta(days=32)).replace(day=1)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _contents(funder_file: FunderFile) -> tuple[dict[str, bytes], list, list]:
    name = file_base_name(funder_file)
    if funder_file.kind == FileKind.ATTENDANCE:
        rows: list[Row] = []
        included: list[str] = []
        missing: list[str] = []
        for batch in file_rows(
            project=funder_file.project,
            first_month=funder_file.first_month,
            last_month=funder_file.last_month,
        ):
            for row in batch:
                participant_id = str(row.membership.placement.participant_id)
                (rows if row.consent else []).append(row)
                (included if row.consent else missing).append(participant_id)
        content = _attendance_pdf(funder_file, rows)
        return (
            {f"{name}.pdf": content},
            list(dict.fromkeys(included)),
            list(dict.fromkeys(missing)),
        )
    table, included, missing = table_of(funder_file=funder_file)
    files = {
        f"{name}.csv": to_csv([table], titled=False),
        f"{name}.xlsx": to_xlsx([table], titled=False),
    }
    return files, included, missing


def funder_file_produce(*, funder_file: FunderFile) -> FunderFile:
    """Build, encrypt and store the file; progress is saved as it goes."""
    funder_files_expire()
    project = funder_file.project
    if project.enterprise_id not in organisations_with_role(funder_file.created_by, Role.MANAGER):
        # The membership ended between the request and the work: nothing is made.
        funder_file.status = FunderFile.Status.FAILED
        funder_file.error = "the requester no longer manages the enterprise"
        funder_file.save(update_fields=["status", "error"])
        return funder_file
    _progress(funder_file, 10, FunderFile.Status.RUNNING)
    try:
        with translation.override("sv"):
            contents, included, missing = _contents(funder_file)
        _progress(funder_file, 80)
        files = storage()
        for name, content in contents.items():
            path = f"funder_files/{funder_file.pk}/{name}.enc"
            if files.exists(path):
                files.delete(path)
            sealed = seal(
                data_key=funder_file.data_key, file_id=funder_file.pk, name=name, content=content
            )
            files.save(path, ContentFile(sealed))
    finally:
        # The worker keeps no unwrapped key once the file is made.
        keycache.forget()
    now = timezone.now()
    funder_file.files = sorted(contents)
    funder_file.included = included
    funder_file.missing_consent = missing
    funder_file.status = FunderFile.Status.DONE
    funder_file.progress = 100
    funder_file.finished_at = now
    funder_file.expires_at = now + timedelta(hours=valid_hours())
    funder_file.save(
        update_fields=[
            "files",
            "included",
            "missing_consent",
            "status",
            "progress",
            "finished_at",
            "expires_at",
        ]
    )
    return funder_file


class FileUnavailable(Exception):
    """The file has expired, is not ready, or can no longer be decrypted."""


def funder_file_open(*, funder_file: FunderFile, name: str) -> bytes:
    """The plain file while it is done and not expired; FileUnavailable otherwise."""
    if not funder_file.downloadable or name not in funder_file.files:
        raise FileUnavailable(funder_file.pk)
    try:
        with storage().open(f"funder_files/{funder_file.pk}/{name}.enc", "rb") as handle:
            sealed = handle.read()
    except FileNotFoundError:
        raise FileUnavailable(funder_file.pk) from None
    try:
        return unseal(file_id=funder_file.pk, name=name, sealed=sealed)
    except DataKeyDestroyed:  # expired: its key is gone
        raise FileUnavailable(funder_file.pk) from None
    # A file that does not authenticate (DecryptionError: changed, swapped, damaged)
    # is not an expired one: it propagates and is logged as the server error it is.


def funder_files_expire(*, now=None) -> int:
    """Delete expired files and destroy their keys; the rows stay, marked expired."""
    now = now or timezone.now()
    expired = list(
        FunderFile.objects.filter(
            status=FunderFile.Status.DONE, expires_at__lte=now
        ).select_related("data_key")
    )
    files = storage()
    for funder_file in expired:
        for name in funder_file.files:
            path = f"funder_files/{funder_file.pk}/{name}.enc"
            if files.exists(path):
                files.delete(path)
        if funder_file.data_key.destroyed_at is None:
            data_key_destroy(data_key=funder_file.data_key)
        funder_file.status = FunderFile.Status.EXPIRED
        funder_file.save(update_fields=["status"])
    return len(expired)
