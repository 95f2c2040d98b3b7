"""Writes on funded projects, the placements in them and their files.

Only the manager of the project's enterprise writes here. Adding a placement to
a project takes the snapshot at entry from the participant's record as it is
that day (``project_placement_add``); from then on the snapshot changes only
through ``project_entry_record``, never through an edit of the record.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from accounts.roles import organisations_with_role
from audit.history import save_with_history
from encryption.models import DataKey
from participants.models import LabourMarketStatus
from placements.models import Placement
from placements.selectors import placement_write_check

from .models import (
    Answer,
    EntryStatus,
    FileKind,
    FundedProject,
    FunderFile,
    IncomeSource,
    ProjectKind,
    ProjectPlacement,
    SensitiveAnswer,
)
from .sections import FundingSection

#: The record's coded status, as the snapshot at entry starts from it. "Inactive"
#: is not mapped: whether the person is in education or training is asked at entry.
STATUS_AT_ENTRY: dict[str, str] = {
    LabourMarketStatus.UNEMPLOYED: EntryStatus.UNEMPLOYED,
    LabourMarketStatus.LONG_TERM_UNEMPLOYED: EntryStatus.LONG_TERM_UNEMPLOYED,
    LabourMarketStatus.EMPLOYED: EntryStatus.EMPLOYED,
}
SENSITIVE_FIELDS = (
    "disability",
    "foreign_background",
    "third_country_national",
    "minority",
    "homeless",
)


def _require_manager(user: User, enterprise_id) -> None:
    if enterprise_id not in organisations_with_role(user, Role.MANAGER):
        raise PermissionDenied(_("You may not make this change."))


@dataclass
class ProjectInput:
    kind: str
    name: str
    reference: str
    funder: Organisation
    starts_on: date
    ends_on: date | None = None
    obligations: tuple[str, ...] = ()


def project_validate(data: ProjectInput) -> None:
    errors: dict = {}
    if data.kind not in ProjectKind.values:
        errors["kind"] = _("Choose a valid kind of project.")
    if not data.name.strip():
        errors["name"] = _("This field is required.")
    if not data.reference.strip():
        errors["reference"] = _("This field is required.")
    if data.ends_on is not None and data.ends_on < data.starts_on:
        errors["ends_on"] = _("The project cannot end before it starts.")
    if any(code not in FileKind.values for code in data.obligations):
        errors["obligations"] = _("Choose valid files.")
    if data.funder.kind not in (Organisation.Kind.FUNDER, Organisation.Kind.AGENCY):
        errors["funder"] = _("The funder must be a funder or an agency.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_create(
    *, enterprise: Organisation, data: ProjectInput, acting_user: User
) -> FundedProject:
    """Register a funded project of the enterprise, with the files it must deliver."""
    _require_manager(acting_user, enterprise.pk)
    project_validate(data)
    if FundedProject.objects.filter(
        enterprise=enterprise, kind=data.kind, reference=data.reference.strip()
    ).exists():
        raise ValidationError({"reference": _("The enterprise already has this project.")})
    project = FundedProject(
        enterprise=enterprise,
        kind=data.kind,
        name=data.name.strip(),
        reference=data.reference.strip(),
        funder=data.funder,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        obligations=sorted(set(data.obligations)),
    )
    project.full_clean()
    save_with_history(project, user=acting_user, reason="funded project created")
    return project


def _write_check(user: User, project: FundedProject, placement: Placement) -> None:
    _require_manager(user, project.enterprise_id)
    placement_write_check(user=user, placements=[placement], sections=(FundingSection.FUNDING,))


@transaction.atomic
def project_placement_add(
    *, project: FundedProject, placement: Placement, joined_on: date, acting_user: User
) -> ProjectPlacement:
    """Put a placement in the project from ``joined_on``, with the snapshot at entry."""
    _write_check(acting_user, project, placement)
    participant = placement.participant
    errors: dict = {}
    if participant.organisation_id != project.enterprise_id:
        errors["placement"] = _("The placement is not at the project's enterprise.")
    if joined_on < project.starts_on or (project.ends_on and joined_on > project.ends_on):
        errors["joined_on"] = _("The date is outside the project's period.")
    if placement.start_date and joined_on < placement.start_date:
        errors["joined_on"] = _("The placement had not started on that date.")
    if ProjectPlacement.objects.filter(
        project=project, placement=placement, left_on__isnull=True
    ).exists():
        errors["placement"] = _("The placement is already in the project.")
    if errors:
        raise ValidationError(errors)
    membership = ProjectPlacement(
        project=project,
        placement=placement,
        data_key_id=participant.data_key_id,
        joined_on=joined_on,
        age_at_entry=max(joined_on.year - participant.birth_year, 0),
        entry_status=STATUS_AT_ENTRY.get(participant.labour_market_status, ""),
        education_level=participant.education_level,
        disability=SensitiveAnswer.YES if participant.has_disability else "",
        foreign_background=SensitiveAnswer.YES if participant.foreign_background else "",
        third_country_national="",
        minority="",
        homeless="",
    )
    save_with_history(membership, user=acting_user, reason="placement joined project")
    return membership


@dataclass
class EntryInput:
    entry_status: str
    education_level: str
    disability: str
    foreign_background: str
    third_country_national: str
    minority: str
    homeless: str
    rural_area: str = ""
    income_before: str = ""


def entry_validate(data: EntryInput) -> None:
    from participants.models import EducationLevel

    errors: dict = {}
    if data.entry_status not in EntryStatus.values:
        errors["entry_status"] = _("Choose a valid labour-market status.")
    if data.education_level not in EducationLevel.values:
        errors["education_level"] = _("Choose a valid education level.")
    for name in SENSITIVE_FIELDS:
        if getattr(data, name) not in ("", *SensitiveAnswer.values):
            errors[name] = _("Choose a valid answer.")
    if data.rural_area not in ("", *Answer.values):
        errors["rural_area"] = _("Choose a valid answer.")
    if data.income_before not in ("", *IncomeSource.values):
        errors["income_before"] = _("Choose a valid income source.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_entry_record(
    *, membership: ProjectPlacement, data: EntryInput, acting_user: User
) -> ProjectPlacement:
    """Record or correct the data at entry (the snapshot; the record is not touched)."""
    _write_check(acting_user, membership.project, membership.placement)
    entry_validate(data)
    for name, value in vars(data).items():
        setattr(membership, name, value)
    membership.entry_recorded_by = acting_user
    save_with_history(membership, user=acting_user, reason="project entry recorded")
    return membership


@dataclass
class LeavingInput:
    left_on: date
    job_searching: str
    in_education: str
    gained_qualification: str
    employed_on_leaving: str
    income_after: str = ""


def leaving_validate(membership: ProjectPlacement, data: LeavingInput) -> None:
    errors: dict = {}
    if data.left_on < membership.joined_on:
        errors["left_on"] = _("The placement cannot leave before it joined.")
    for name in ("job_searching", "in_education", "gained_qualification", "employed_on_leaving"):
        if getattr(data, name) not in Answer.values:
            errors[name] = _("Choose a valid answer.")
    if data.income_after not in ("", *IncomeSource.values):
        errors["income_after"] = _("Choose a valid income source.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_leaving_record(
    *, membership: ProjectPlacement, data: LeavingInput, acting_user: User
) -> ProjectPlacement:
    """Record the end of the placement's time in the project and the situation on leaving."""
    _write_check(acting_user, membership.project, membership.placement)
    leaving_validate(membership, data)
    for name, value in vars(data).items():
        setattr(membership, name, value)
    membership.leaving_recorded_by = acting_user
    save_with_history(membership, user=acting_user, reason="project leaving recorded")
    return membership


@transaction.atomic
def funder_file_request(
    *,
    project: FundedProject,
    kind: str,
    first_month: date,
    last_month: date,
    acting_user: User,
) -> FunderFile:
    """Record the request and produce the file in the background once the transaction commits."""
    from .tasks import funder_file_task

    _require_manager(acting_user, project.enterprise_id)
    if kind not in FileKind.values:
        raise ValidationError({"kind": _("Choose a valid file.")})
    if last_month < first_month:
        raise ValidationError({"last_month": _("The last month is before the first.")})
    data_key = DataKey.new()
    data_key.save()
    funder_file = FunderFile.objects.create(
        project=project,
        kind=kind,
        first_month=first_month.replace(day=1),
        last_month=last_month.replace(day=1),
        data_key=data_key,
        created_by=acting_user,
        created_role=Role.MANAGER,
    )
    transaction.on_commit(lambda: funder_file_task.enqueue(str(funder_file.pk)))
    return funder_file
