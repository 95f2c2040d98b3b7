"""Many placements, in any state, and many days of attendance at once.

Each row gets the checks of the services that would have brought it there
(referral_register, placement_start, attendance_record_week), plus what only a
row created in its final state can get wrong (an ended placement's end, an
approved plan, …).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from audit.history import bulk_create_tracked
from placements.grants import grants_for_placements
from placements.models import Attendance, Placement, PlacementSupervisor
from placements.services import (
    AttendanceEntry,
    attendance_entry_clean,
    attendance_week_validate,
    placement_hours_clean,
    placement_start_validate,
    placement_weekdays_clean,
    referral_validate,
)

from .rows import row_error

STARTED = (Placement.Status.ACTIVE, Placement.Status.PAUSED, Placement.Status.ENDED)


def _organisations_by_user(user_ids, role: str) -> dict:
    """User id → the organisations where the user currently holds ``role`` (one query)."""
    organisations: dict = {}
    for membership in (
        Membership.objects.current()
        .filter(user_id__in=user_ids, role=role)
        .values("user_id", "organisation_id")
    ):
        organisations.setdefault(membership["user_id"], set()).add(membership["organisation_id"])
    return organisations


def _placement_validate(
    placement: Placement, assigned: list[User], *, case_officer_orgs: dict, supervisor_orgs: dict
) -> None:
    """One placement of the batch; cleans its hours and weekdays in place."""
    if placement.data_key_id != placement.participant.data_key_id:
        raise ValidationError(_("the placement must use the participant's data key"))
    if placement.status not in Placement.Status.values:
        raise ValidationError(_("choose a valid status"))
    if placement.plan_status not in Placement.PlanStatus.values:
        raise ValidationError(_("choose a valid plan status"))
    placement.hours_per_week = placement_hours_clean(placement.hours_per_week)
    placement.weekdays = placement_weekdays_clean(placement.weekdays)
    referral_validate(
        programme=placement.programme,
        referred_on=placement.referred_on,
        referring_organisation=placement.referring_organisation,
        case_officer=placement.case_officer,
        proposed_start=placement.proposed_start,
        case_officer_agency_ids=case_officer_orgs.get(placement.case_officer_id, ()),
    )
    if placement.status in STARTED:
        if placement.unit is None or placement.start_date is None:
            raise ValidationError(_("a started placement needs a unit and a start date"))
        if placement.start_date < placement.referred_on:
            raise ValidationError(_("the start date cannot be before the referral date"))
        placement_start_validate(
            placement=placement,
            unit=placement.unit,
            supervisors=assigned,
            start_date=placement.start_date,
            planned_end=placement.planned_end,
            supervisor_organisation_ids=supervisor_orgs,
        )
    else:
        if assigned:
            raise ValidationError(_("only a started placement has supervisors"))
        # A planned placement may already have its unit.
        if (
            placement.unit is not None
            and placement.unit.organisation_id != placement.participant.organisation_id
        ):
            raise ValidationError(_("the unit must belong to the participant's enterprise"))
    if (placement.status == Placement.Status.ENDED) != (placement.actual_end is not None):
        raise ValidationError(_("an ended placement, and only an ended one, has an actual end"))
    if placement.actual_end is not None and placement.actual_end < placement.start_date:
        raise ValidationError(_("the actual end cannot be before the start date"))
    if placement.plan_status == Placement.PlanStatus.APPROVED and (
        placement.plan_decided_by_id is None
        or placement.plan_decided_by_id != placement.case_officer_id
    ):
        raise ValidationError(_("only the placement's case officer can approve the plan"))


@transaction.atomic
def placement_bulk_create(
    *,
    placements: list[Placement],
    supervisors: dict,
    acting_user: User,
    reason: str = "placement registered",
) -> list[Placement]:
    """Register many placements in any state, with their supervisor assignments.

    ``placements`` are unsaved instances with ``participant`` set;
    ``supervisors`` maps a placement's id to the supervisors assigned from its
    start (until its actual end, for an ended placement). Every row is checked
    before anything is written.
    """
    # The memberships the checks need, read once for the batch.
    supervisor_orgs = _organisations_by_user(
        {user.pk for users in supervisors.values() for user in users}, Role.SUPERVISOR
    )
    case_officer_orgs = _organisations_by_user(
        {placement.case_officer_id for placement in placements} - {None}, Role.CASE_OFFICER
    )
    assignments: list[PlacementSupervisor] = []
    for position, placement in enumerate(placements, start=1):
        assigned = supervisors.get(placement.pk, [])
        try:
            _placement_validate(
                placement,
                assigned,
                case_officer_orgs=case_officer_orgs,
                supervisor_orgs=supervisor_orgs,
            )
        except ValidationError as error:
            raise row_error(position, error) from None
        for supervisor in dict.fromkeys(assigned):
            assignments.append(
                PlacementSupervisor(
                    placement=placement,
                    supervisor=supervisor,
                    assigned_on=placement.start_date,
                    ended_on=placement.actual_end,
                )
            )
    created = bulk_create_tracked(placements, user=acting_user, reason=reason)
    bulk_create_tracked(assignments, user=acting_user, reason="supervisor assigned")
    grants_for_placements(created, acting_user=acting_user, reason="grant: placement registered")
    return created


@transaction.atomic
def attendance_bulk_create(
    *,
    placements: list[Placement],
    entries: list[AttendanceEntry],
    acting_user: User,
    reason: str = "attendance recorded",
) -> list[Attendance]:
    """Record many days of attendance at once (demo data, benchmarks).

    Each day is checked as attendance_record_week checks it, for any number of
    weeks; every placement an entry names must be in ``placements``. Existing
    days are not corrected here: a day recorded twice fails on the database
    constraint.
    """
    by_id = {placement.pk: placement for placement in placements}
    seen: set = set()
    weekly: dict = {}
    rows: list[Attendance] = []
    for position, entry in enumerate(entries, start=1):
        placement = by_id.get(entry.placement_id)
        try:
            if placement is None:
                raise ValidationError(_("the placement is not in the list"))
            if (entry.placement_id, entry.date) in seen:
                raise ValidationError(_("the day appears twice"))
            attended, planned = attendance_entry_clean(placement=placement, entry=entry)
            week = (entry.placement_id, entry.date.isocalendar()[:2])
            weekly[week] = weekly.get(week, 0) + attended
            attendance_week_validate(placement=placement, attended_hours=weekly[week])
        except ValidationError as error:
            raise row_error(position, error) from None
        seen.add((entry.placement_id, entry.date))
        rows.append(
            Attendance(
                placement=placement,
                data_key_id=placement.data_key_id,
                date=entry.date,
                planned_hours=placement.daily_hours if planned is None else planned,
                attended_hours=attended,
                absence_reason=entry.absence_reason,
                note=entry.note,
                recorded_by=acting_user,
            )
        )
    return bulk_create_tracked(rows, user=acting_user, reason=reason, batch_size=2000)
