"""Permission-scoped reads of funded projects, their placements and their files.

Only the managers of the project's enterprise see a project; anyone else gets
404, the same answer as for a project that does not exist.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Organisation, Role, User
from accounts.roles import organisations_with_role
from placements.models import Placement

from .files import rows_in_batches
from .kinds import KINDS, Row
from .models import FundedProject, FunderFile, ProjectPlacement


def _uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def project_list_for(*, user: User) -> QuerySet[FundedProject]:
    """The projects of the enterprises the user manages, with their placement counts."""
    if not user.is_authenticated or not user.is_active:
        return FundedProject.objects.none()
    return (
        FundedProject.objects.filter(enterprise_id__in=organisations_with_role(user, Role.MANAGER))
        .select_related("enterprise", "funder")
        .annotate(
            placement_count=Count("placements", distinct=True),
            current_count=Count(
                "placements", filter=Q(placements__left_on__isnull=True), distinct=True
            ),
        )
        .order_by("name")
    )


def project_get_for(*, user: User, project_id) -> FundedProject:
    project = project_list_for(user=user).filter(pk=_uuid(project_id)).first()
    if project is None:
        raise Http404
    return project


def project_placement_get_for(
    *, user: User, project: FundedProject, membership_id
) -> ProjectPlacement:
    """One placement in a project already fetched with project_get_for, or Http404."""
    membership = (
        ProjectPlacement.objects.filter(pk=_uuid(membership_id), project=project)
        .select_related(
            "data_key", "placement", "placement__participant", "placement__participant__data_key"
        )
        .first()
    )
    if membership is None:
        raise Http404
    membership.project = project
    return membership


def placements_addable(*, project: FundedProject) -> QuerySet[Placement]:
    """The enterprise's running placements that are not in the project now."""
    current = ProjectPlacement.objects.filter(
        project=project, placement=OuterRef("pk"), left_on__isnull=True
    )
    return (
        Placement.objects.filter(
            participant__organisation_id=project.enterprise_id,
            status__in=[Placement.Status.ACTIVE, Placement.Status.PAUSED, Placement.Status.PLANNED],
        )
        .exclude(Exists(current))
        .select_related("participant", "participant__data_key", "unit")
        .order_by("start_date", "pk")
    )


def funder_choices() -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        kind__in=[Organisation.Kind.FUNDER, Organisation.Kind.AGENCY]
    ).order_by("name")


@dataclass
class Completeness:
    """How much of what the project's files require is recorded, for one placement."""

    row: Row
    required: int
    recorded: int
    problems: list

    @property
    def complete(self) -> bool:
        return self.required == self.recorded and not self.problems


def _required(project: FundedProject, membership: ProjectPlacement) -> tuple[int, int]:
    required = recorded = 0
    for code in project.obligations:
        kind = KINDS[code]
        names = list(kind.entry_required)
        if membership.left_on:
            names += kind.leaving_required
        for name in names:
            required += 1
            value = getattr(membership, name)
            recorded += bool(value) and value != "unknown"
    return required, recorded


def project_rows(*, project: FundedProject, today: date | None = None) -> list[Completeness]:
    """Every placement in the project with its completeness and problems (3 queries a batch).

    The problems are those of every file the project must deliver.
    """
    today = today or timezone.localdate()
    ids = list(
        ProjectPlacement.objects.filter(project=project)
        .order_by("joined_on", "id")
        .values_list("id", flat=True)
    )
    found = []
    for batch in rows_in_batches(project=project, membership_ids=ids):
        for row in batch:
            required, recorded = _required(project, row.membership)
            problems = []
            for code in project.obligations:
                problems.extend(KINDS[code].problems(row, today))
            found.append(Completeness(row, required, recorded, list(dict.fromkeys(problems))))
    return found


def preflight(
    *, project: FundedProject, kind: str, first_month: date, last_month: date, today=None
):
    """For one file and period: each placement with problems, and those lacking consent."""
    from .files import file_rows

    today = today or timezone.localdate()
    file_kind = KINDS[kind]
    problems, missing_consent, ready = [], [], 0
    for batch in file_rows(project=project, first_month=first_month, last_month=last_month):
        for row in batch:
            if not row.consent:
                missing_consent.append(row)
                continue
            found = file_kind.problems(row, today)
            if found:
                problems.append((row, found))
            else:
                ready += 1
    return {"problems": problems, "missing_consent": missing_consent, "ready": ready}


def funder_file_list_for(*, project: FundedProject) -> QuerySet[FunderFile]:
    """The files of a project already fetched with project_get_for, newest first."""
    return FunderFile.objects.filter(project=project).select_related("created_by")


def funder_file_get_for(*, project: FundedProject, file_id) -> FunderFile:
    funder_file = (
        FunderFile.objects.filter(pk=_uuid(file_id), project=project)
        .select_related("created_by", "data_key")
        .first()
    )
    if funder_file is None:
        raise Http404
    funder_file.project = project
    return funder_file
