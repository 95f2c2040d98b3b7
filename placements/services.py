"""Writes on placements and attendance."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, Role, Unit, User
from audit.history import bulk_create_tracked, bulk_update_tracked, save_with_history
from participants.models import Participant

from .grants import grants_for_placements, grants_membership_ended, grants_supervisor_end
from .models import WEEKDAY_CODES, Attendance, Placement, PlacementSupervisor, Programme

MAX_HOURS_PER_WEEK = Decimal("40")


def _has_role(user: User, organisation_id, role: str) -> bool:
    return (
        Membership.objects.current()
        .filter(user=user, organisation_id=organisation_id, role=role)
        .exists()
    )


def _clean_weekdays(weekdays: str) -> str:
    cleaned = "".join(sorted(set(weekdays or "")))
    if not cleaned or any(code not in WEEKDAY_CODES for code in cleaned):
        raise ValidationError({"weekdays": _("Choose at least one weekday.")})
    return cleaned


def _clean_hours_per_week(hours) -> Decimal:
    try:
        value = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours_per_week": _("Enter a number of hours.")}) from None
    if not Decimal("0") < value <= MAX_HOURS_PER_WEEK:
        raise ValidationError(
            {"hours_per_week": _("Hours per week must be more than 0 and at most 40.")}
        )
    return value


@transaction.atomic
def referral_register(
    *,
    participant: Participant,
    programme: str,
    referred_on: date,
    acting_user: User,
    referring_organisation: Organisation | None = None,
    case_officer: User | None = None,
    proposed_start: date | None = None,
) -> Placement:
    """Register a referral: a placement in the ``referred`` state."""
    errors = {}
    if programme not in Programme.values:
        errors["programme"] = _("Choose a valid programme.")
    if referring_organisation is not None and referring_organisation.kind != "agency":
        errors["referring_organisation"] = _("The referring organisation must be an agency.")
    if case_officer is not None:
        if referring_organisation is None:
            errors["case_officer"] = _("Name the referring agency of the case officer.")
        elif not _has_role(case_officer, referring_organisation.pk, Role.CASE_OFFICER):
            errors["case_officer"] = _("This person is not a case officer at the referring agency.")
    if proposed_start is not None and proposed_start < referred_on:
        errors["proposed_start"] = _("The proposed start cannot be before the referral date.")
    if errors:
        raise ValidationError(errors)
    placement = Placement(
        participant=participant,
        data_key_id=participant.data_key_id,
        programme=programme,
        referring_organisation=referring_organisation,
        case_officer=case_officer,
        referred_on=referred_on,
        proposed_start=proposed_start,
        status=Placement.Status.REFERRED,
    )
    save_with_history(placement, user=acting_user, reason="referral registered")
    grants_for_placements([placement], acting_user=acting_user, reason="grant: referral")
    return placement


@transaction.atomic
def placement_start(
    *,
    placement: Placement,
    unit: Unit,
    supervisors: list[User],
    start_date: date,
    acting_user: User,
    planned_end: date | None = None,
    hours_per_week=None,
    weekdays: str | None = None,
) -> Placement:
    """Start a referred or planned placement at a unit with its supervisor(s)."""
    errors = {}
    if placement.status not in (Placement.Status.REFERRED, Placement.Status.PLANNED):
        raise ValidationError(_("Only a referred or planned placement can be started."))
    if unit.organisation_id != placement.participant.organisation_id:
        errors["unit"] = _("The unit must belong to the participant's enterprise.")
    if planned_end is not None and planned_end < start_date:
        errors["planned_end"] = _("The planned end cannot be before the start date.")
    if not supervisors:
        errors["supervisors"] = _("Choose at least one supervisor.")
    for supervisor in supervisors:
        if not _has_role(supervisor, unit.organisation_id, Role.SUPERVISOR):
            errors["supervisors"] = _("Every supervisor must be a supervisor at the enterprise.")
    try:
        if hours_per_week is not None:
            placement.hours_per_week = _clean_hours_per_week(hours_per_week)
        if weekdays is not None:
            placement.weekdays = _clean_weekdays(weekdays)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    placement.unit = unit
    placement.start_date = start_date
    placement.planned_end = planned_end
    placement.status = Placement.Status.ACTIVE
    save_with_history(placement, user=acting_user, reason="placement started")
    assignments = [
        PlacementSupervisor(placement=placement, supervisor=supervisor, assigned_on=start_date)
        for supervisor in dict.fromkeys(supervisors)
    ]
    bulk_create_tracked(assignments, user=acting_user, reason="supervisor assigned")
    grants_for_placements([placement], acting_user=acting_user, reason="grant: placement started")
    return placement


@transaction.atomic
def placement_pause(*, placement: Placement, acting_user: User) -> Placement:
    if placement.status != Placement.Status.ACTIVE:
        raise ValidationError(_("Only an active placement can be paused."))
    placement.status = Placement.Status.PAUSED
    return save_with_history(
        placement, user=acting_user, reason="placement paused", update_fields=["status"]
    )


@transaction.atomic
def placement_resume(*, placement: Placement, acting_user: User) -> Placement:
    if placement.status != Placement.Status.PAUSED:
        raise ValidationError(_("Only a paused placement can be resumed."))
    placement.status = Placement.Status.ACTIVE
    return save_with_history(
        placement, user=acting_user, reason="placement resumed", update_fields=["status"]
    )


@transaction.atomic
def placement_change_supervisors(
    *, placement: Placement, supervisors: list[User], acting_user: User, on: date | None = None
) -> Placement:
    """Replace the placement's supervisors: ends old assignments, opens new ones."""
    on = on or timezone.localdate()
    if placement.status not in (Placement.Status.ACTIVE, Placement.Status.PAUSED):
        raise ValidationError(_("Supervisors can only be changed on a running placement."))
    if not supervisors:
        raise ValidationError({"supervisors": _("Choose at least one supervisor.")})
    for supervisor in supervisors:
        if not _has_role(supervisor, placement.unit.organisation_id, Role.SUPERVISOR):
            raise ValidationError(
                {"supervisors": _("Every supervisor must be a supervisor at the enterprise.")}
            )
    wanted = {supervisor.pk: supervisor for supervisor in supervisors}
    current = list(placement.supervisor_assignments.filter(ended_on__isnull=True))
    ending = [assignment for assignment in current if assignment.supervisor_id not in wanted]
    for assignment in ending:
        assignment.ended_on = max(on, assignment.assigned_on)
    bulk_update_tracked(ending, ["ended_on"], user=acting_user, reason="supervisor unassigned")
    kept = {assignment.supervisor_id for assignment in current}
    new = [
        PlacementSupervisor(placement=placement, supervisor=supervisor, assigned_on=on)
        for pk, supervisor in wanted.items()
        if pk not in kept
    ]
    bulk_create_tracked(new, user=acting_user, reason="supervisor assigned")
    grants_supervisor_end(
        placement=placement,
        supervisor_ids=[assignment.supervisor_id for assignment in ending],
        ended_on=on,
        acting_user=acting_user,
    )
    grants_for_placements([placement], acting_user=acting_user, reason="grant: supervisor assigned")
    return placement


@transaction.atomic
def placement_plan_update(
    *, placement: Placement, goals: str, tasks: str, support: str, acting_user: User
) -> Placement:
    if placement.plan_status == Placement.PlanStatus.SUBMITTED:
        raise ValidationError(
            _("A submitted plan cannot be edited until the case officer answers.")
        )
    placement.plan_goals, placement.plan_tasks, placement.plan_support = goals, tasks, support
    placement.plan_status = Placement.PlanStatus.DRAFT
    return save_with_history(placement, user=acting_user, reason="plan edited")


@transaction.atomic
def placement_plan_submit(*, placement: Placement, acting_user: User) -> Placement:
    if placement.plan_status not in (
        Placement.PlanStatus.DRAFT,
        Placement.PlanStatus.CHANGES_REQUESTED,
    ):
        raise ValidationError(_("Only a draft plan can be submitted."))
    if not placement.plan_goals.strip():
        raise ValidationError({"plan_goals": _("Write the plan's goals before submitting it.")})
    placement.plan_status = Placement.PlanStatus.SUBMITTED
    placement.plan_submitted_at = timezone.now()
    return save_with_history(
        placement,
        user=acting_user,
        reason="plan submitted",
        update_fields=["plan_status", "plan_submitted_at"],
    )


@transaction.atomic
def placement_plan_decide(
    *, placement: Placement, approve: bool, acting_user: User, comment: str = ""
) -> Placement:
    """The case officer approves the plan or asks for changes."""
    if placement.plan_status != Placement.PlanStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted plan can be approved or returned."))
    if placement.case_officer_id != acting_user.pk:
        raise ValidationError(_("Only the placement's case officer can decide on the plan."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say what should change in the plan.")})
    placement.plan_status = (
        Placement.PlanStatus.APPROVED if approve else Placement.PlanStatus.CHANGES_REQUESTED
    )
    placement.plan_decided_at = timezone.now()
    placement.plan_decided_by = acting_user
    placement.plan_comment = comment
    return save_with_history(
        placement, user=acting_user, reason="plan approved" if approve else "plan changes requested"
    )


@transaction.atomic
def membership_end(*, membership: Membership, ended_on: date, acting_user: User) -> Membership:
    """End a membership; every grant it gave is removed at once.

    Lives here rather than in accounts because the grants it removes are on
    placements and participants (accounts imports no domain app).
    """
    if membership.active_to is not None and membership.active_to <= ended_on:
        raise ValidationError(_("This membership has already ended."))
    if ended_on < membership.active_from:
        raise ValidationError({"active_to": _("A membership cannot end before it starts.")})
    membership.active_to = ended_on
    save_with_history(
        membership, user=acting_user, reason="membership ended", update_fields=["active_to"]
    )
    grants_membership_ended(membership=membership, acting_user=acting_user)
    return membership


@dataclass(frozen=True)
class AttendanceEntry:
    """One cell of the unit-week grid."""

    placement_id: object
    date: date
    attended_hours: Decimal
    absence_reason: str = ""
    note: str = ""
    planned_hours: Decimal | None = None


def week_dates(week_start: date) -> list[date]:
    return [week_start + timedelta(days=offset) for offset in range(7)]


@transaction.atomic
def attendance_record_week(
    *, unit: Unit, week_start: date, entries: list[AttendanceEntry], acting_user: User
) -> list[Attendance]:
    """Record (or correct) a unit's attendance for one week in one transaction.

    Every entry is validated before anything is written; corrections update the
    existing row, so its history shows the change.
    """
    if week_start.isoweekday() != 1:
        raise ValidationError({"week_start": _("A week starts on a Monday.")})
    days = set(week_dates(week_start))
    placement_ids = {entry.placement_id for entry in entries}
    placements = {
        placement.pk: placement
        for placement in Placement.objects.filter(pk__in=placement_ids, unit=unit)
    }
    existing = {
        (row.placement_id, row.date): row
        for row in Attendance.objects.filter(placement_id__in=placement_ids, date__in=days)
    }
    errors: list[ValidationError] = []
    to_create: list[Attendance] = []
    to_update: list[Attendance] = []
    weekly_attended: dict = {}
    seen: set = set()
    for entry in entries:
        placement = placements.get(entry.placement_id)
        if placement is None:
            errors.append(
                ValidationError(_("A placement in the list does not belong to this unit."))
            )
            continue
        if entry.date not in days:
            errors.append(ValidationError(_("%(day)s is not in this week.") % {"day": entry.date}))
            continue
        if (placement.pk, entry.date) in seen:
            errors.append(
                ValidationError(
                    _("%(day)s is entered twice for the same placement.") % {"day": entry.date}
                )
            )
            continue
        seen.add((placement.pk, entry.date))
        end = placement.actual_end or placement.planned_end
        if (
            placement.start_date is None
            or entry.date < placement.start_date
            or (placement.actual_end is not None and entry.date > placement.actual_end)
        ):
            errors.append(
                ValidationError(
                    _("%(day)s is outside the placement (%(start)s – %(end)s).")
                    % {"day": entry.date, "start": placement.start_date or "–", "end": end or ""}
                )
            )
            continue
        try:
            attended = Decimal(str(entry.attended_hours))
            planned = None if entry.planned_hours is None else Decimal(str(entry.planned_hours))
        except (InvalidOperation, ValueError):
            errors.append(ValidationError(_("Enter hours as a number.")))
            continue
        # NaN and infinity parse as Decimals; NaN cannot even be compared.
        if not attended.is_finite() or (planned is not None and not planned.is_finite()):
            errors.append(ValidationError(_("Enter hours as a number.")))
            continue
        if not Decimal("0") <= attended <= Decimal("24"):
            errors.append(ValidationError(_("Attended hours must be between 0 and 24.")))
            continue
        if planned is not None and not Decimal("0") <= planned <= Decimal("24"):
            errors.append(ValidationError(_("Planned hours must be between 0 and 24.")))
            continue
        if entry.absence_reason and entry.absence_reason not in Attendance.AbsenceReason.values:
            errors.append(ValidationError(_("Choose a valid absence reason.")))
            continue
        if entry.absence_reason and attended > 0:
            # A partial day is allowed: the reason explains the hours not attended.
            pass
        weekly_attended[placement.pk] = weekly_attended.get(placement.pk, Decimal(0)) + attended
        if planned is None:
            planned = placement.daily_hours if placement.is_scheduled_on(entry.date) else Decimal(0)
        row = existing.get((placement.pk, entry.date))
        if row is None:
            to_create.append(
                Attendance(
                    placement=placement,
                    data_key_id=placement.data_key_id,
                    date=entry.date,
                    planned_hours=planned,
                    attended_hours=attended,
                    absence_reason=entry.absence_reason,
                    note=entry.note,
                    recorded_by=acting_user,
                )
            )
        elif (row.attended_hours, row.absence_reason, row.note) != (
            attended,
            entry.absence_reason,
            entry.note,
        ):
            row.attended_hours = attended
            row.absence_reason = entry.absence_reason
            row.note = entry.note
            row.recorded_by = acting_user
            to_update.append(row)
    # Hours over the placement's weekly scope are refused: the scope is what the
    # referring agency agreed to.
    entered = {(entry.placement_id, entry.date) for entry in entries}
    for placement_id, attended in weekly_attended.items():
        placement = placements[placement_id]
        # Days of this week already recorded and not re-entered now.
        other_days = sum(
            (
                row.attended_hours
                for key, row in existing.items()
                if key[0] == placement_id and key not in entered
            ),
            Decimal(0),
        )
        if attended + other_days > placement.hours_per_week:
            errors.append(
                ValidationError(
                    _(
                        "%(hours)s hours in one week is more than the placement's scope of "
                        "%(scope)s hours."
                    )
                    % {"hours": attended + other_days, "scope": placement.hours_per_week}
                )
            )
    if errors:
        raise ValidationError(errors)
    created = bulk_create_tracked(to_create, user=acting_user, reason="attendance recorded")
    # Corrections are few; each is saved on its own so the encrypted note is
    # re-encrypted for its row (bulk_update cannot encrypt per row).
    for row in to_update:
        save_with_history(
            row,
            user=acting_user,
            reason="attendance corrected",
            update_fields=["attended_hours", "absence_reason", "note", "recorded_by"],
        )
    return created + to_update


# --- bulk paths (demo data, imports, benchmarks)

STARTED = (Placement.Status.ACTIVE, Placement.Status.PAUSED, Placement.Status.ENDED)


def _placement_errors(placement: Placement) -> list[str]:
    """What is wrong with an unsaved placement built by an import (empty if nothing)."""
    problems = []
    participant = placement.participant
    if placement.data_key_id != participant.data_key_id:
        problems.append(_("the placement must use the participant's data key"))
    if placement.programme not in Programme.values:
        problems.append(_("choose a valid programme"))
    if placement.status not in Placement.Status.values:
        problems.append(_("choose a valid status"))
    if placement.plan_status not in Placement.PlanStatus.values:
        problems.append(_("choose a valid plan status"))
    if placement.unit is not None and placement.unit.organisation_id != participant.organisation_id:
        problems.append(_("the unit must belong to the participant's enterprise"))
    if placement.referring_organisation is not None and (
        placement.referring_organisation.kind != Organisation.Kind.AGENCY
    ):
        problems.append(_("the referring organisation must be an agency"))
    if placement.case_officer_id is not None and placement.referring_organisation is None:
        problems.append(_("name the referring agency of the case officer"))
    if placement.proposed_start is not None and placement.proposed_start < placement.referred_on:
        problems.append(_("the proposed start cannot be before the referral date"))
    if placement.status in STARTED:
        if placement.unit is None or placement.start_date is None:
            problems.append(_("a started placement needs a unit and a start date"))
        elif placement.start_date < placement.referred_on:
            problems.append(_("the start date cannot be before the referral date"))
    if (
        placement.planned_end
        and placement.start_date
        and placement.planned_end < placement.start_date
    ):
        problems.append(_("the planned end cannot be before the start date"))
    if (placement.status == Placement.Status.ENDED) != (placement.actual_end is not None):
        problems.append(_("an ended placement, and only an ended one, has an actual end"))
    if placement.actual_end is not None and (
        placement.start_date is None or placement.actual_end < placement.start_date
    ):
        problems.append(_("the actual end cannot be before the start date"))
    if placement.plan_status == Placement.PlanStatus.APPROVED and (
        placement.plan_decided_by_id is None
        or placement.plan_decided_by_id != placement.case_officer_id
    ):
        problems.append(_("only the placement's case officer can approve the plan"))
    try:
        placement.hours_per_week = _clean_hours_per_week(placement.hours_per_week)
        placement.weekdays = _clean_weekdays(placement.weekdays)
    except ValidationError as error:
        problems.extend(message for messages in error.message_dict.values() for message in messages)
    return problems


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
    supervisor_orgs: dict = {}
    wanted_ids = {user.pk for users in supervisors.values() for user in users}
    for membership in (
        Membership.objects.current()
        .filter(user_id__in=wanted_ids, role=Role.SUPERVISOR)
        .values("user_id", "organisation_id")
    ):
        supervisor_orgs.setdefault(membership["user_id"], set()).add(membership["organisation_id"])
    case_officer_orgs: dict = {}
    officer_ids = {placement.case_officer_id for placement in placements} - {None}
    for membership in (
        Membership.objects.current()
        .filter(user_id__in=officer_ids, role=Role.CASE_OFFICER)
        .values("user_id", "organisation_id")
    ):
        case_officer_orgs.setdefault(membership["user_id"], set()).add(
            membership["organisation_id"]
        )
    assignments: list[PlacementSupervisor] = []
    for position, placement in enumerate(placements, start=1):
        problems = _placement_errors(placement)
        if placement.case_officer_id is not None and placement.referring_organisation_id not in (
            case_officer_orgs.get(placement.case_officer_id, set())
        ):
            problems.append(_("the case officer must work at the referring agency"))
        assigned = supervisors.get(placement.pk, [])
        if placement.status in STARTED and not assigned:
            problems.append(_("a started placement needs at least one supervisor"))
        if assigned and placement.status not in STARTED:
            problems.append(_("only a started placement has supervisors"))
        for supervisor in assigned:
            if placement.unit is None or placement.unit.organisation_id not in (
                supervisor_orgs.get(supervisor.pk, set())
            ):
                problems.append(_("every supervisor must be a supervisor at the enterprise"))
                break
        if problems:
            raise ValidationError(
                _("Row %(row)s: %(message)s") % {"row": position, "message": problems[0]}
            )
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
    """Record many days of attendance at once (imports, demo data, benchmarks).

    The same checks as attendance_record_week, for any number of weeks; every
    placement an entry names must be in ``placements``. Existing days are not
    corrected here: a day recorded twice fails on the database constraint.
    """
    by_id = {placement.pk: placement for placement in placements}
    reasons = set(Attendance.AbsenceReason.values) | {""}
    seen: set = set()
    weekly: dict = {}
    rows: list[Attendance] = []
    for position, entry in enumerate(entries, start=1):
        placement = by_id.get(entry.placement_id)
        problem = None
        if placement is None:
            problem = _("the placement is not in the list")
        elif (
            placement.start_date is None
            or entry.date < placement.start_date
            or (placement.actual_end is not None and entry.date > placement.actual_end)
        ):
            problem = _("the day is outside the placement")
        elif (entry.placement_id, entry.date) in seen:
            problem = _("the day appears twice")
        elif entry.absence_reason not in reasons:
            problem = _("choose a valid absence reason")
        if problem is None:
            try:
                attended = Decimal(str(entry.attended_hours))
                planned = (
                    placement.daily_hours
                    if entry.planned_hours is None
                    else Decimal(str(entry.planned_hours))
                )
            except (InvalidOperation, ValueError):
                problem = _("enter hours as a number")
            else:
                if not (Decimal(0) <= attended <= 24 and Decimal(0) <= planned <= 24):
                    problem = _("hours must be between 0 and 24")
        if problem is None:
            week = (entry.placement_id, entry.date.isocalendar()[:2])
            weekly[week] = weekly.get(week, Decimal(0)) + attended
            if weekly[week] > placement.hours_per_week:
                problem = _("more hours in one week than the placement's scope")
        if problem is not None:
            raise ValidationError(
                _("Row %(row)s: %(message)s") % {"row": position, "message": problem}
            )
        seen.add((entry.placement_id, entry.date))
        rows.append(
            Attendance(
                placement=placement,
                data_key_id=placement.data_key_id,
                date=entry.date,
                planned_hours=planned,
                attended_hours=attended,
                absence_reason=entry.absence_reason,
                note=entry.note,
                recorded_by=acting_user,
            )
        )
    return bulk_create_tracked(rows, user=acting_user, reason=reason, batch_size=2000)


# --- placement_change_unit (issue 6, screens) -----------------------------------------


@transaction.atomic
def placement_change_unit(
    *, placement: Placement, unit: Unit, acting_user: User, reason: str = "unit changed"
) -> Placement:
    """Move a running placement to another unit of the same enterprise.

    Supervisors, grants and attendance stay with the placement: the people who
    work with the participant do not change because the worksite does.
    """
    if placement.status not in (Placement.Status.ACTIVE, Placement.Status.PAUSED):
        raise ValidationError(_("Only a running placement can change unit."))
    if unit.organisation_id != placement.participant.organisation_id:
        raise ValidationError({"unit": _("The unit must belong to the participant's enterprise.")})
    if not unit.active:
        raise ValidationError({"unit": _("The unit is not active.")})
    if unit.pk == placement.unit_id:
        raise ValidationError({"unit": _("The placement is already at this unit.")})
    placement.unit = unit
    return save_with_history(placement, user=acting_user, reason=reason, update_fields=["unit"])
