"""Writes on placements and attendance.

Each write's checks are a public ``*_validate`` (or ``*_clean``, which also returns
the cleaned values) function that raises the ValidationError the write raises, so
the bulk paths in ``demo.bulk`` check every row the same way.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership, Organisation, Role, Unit, User
from accounts.roles import organisations_with_role
from audit.history import bulk_create_tracked, bulk_update_tracked, save_with_history, stamp
from participants.models import Participant
from participants.policy import Relation
from participants.selectors import participant_write_check

from . import signals
from .grants import grants_for_placements, grants_membership_ended, grants_supervisor_end
from .models import (
    WEEKDAY_CODES,
    Attendance,
    Placement,
    PlacementPause,
    PlacementSupervisor,
    Programme,
)
from .sections import PlacementSection
from .selectors import attendance_today, hours_display, placement_write_check

MAX_HOURS_PER_WEEK = Decimal("40")


def _announce(signal, **kwargs) -> None:
    """Send ``signal`` once the transaction has committed (placements.signals)."""
    transaction.on_commit(lambda: signal.send_robust(sender=Placement, **kwargs))


def _has_role(user: User, organisation_id, role: str) -> bool:
    return (
        Membership.objects.current()
        .filter(user=user, organisation_id=organisation_id, role=role)
        .exists()
    )


def placement_weekdays_clean(weekdays: str) -> str:
    """The weekdays as sorted ISO day codes; at least one."""
    cleaned = "".join(sorted(set(weekdays or "")))
    if not cleaned or any(code not in WEEKDAY_CODES for code in cleaned):
        raise ValidationError({"weekdays": _("Choose at least one weekday.")})
    return cleaned


def placement_hours_clean(hours) -> Decimal:
    """The hours per week as a Decimal, more than 0 and at most 40."""
    try:
        value = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours_per_week": _("Enter a number of hours.")}) from None
    if not Decimal("0") < value <= MAX_HOURS_PER_WEEK:
        raise ValidationError(
            {"hours_per_week": _("Hours per week must be more than 0 and at most 40.")}
        )
    return value


def referral_validate(
    *,
    programme: str,
    referred_on: date,
    referring_organisation: Organisation | None = None,
    case_officer: User | None = None,
    proposed_start: date | None = None,
    case_officer_agency_ids: Collection | None = None,
) -> None:
    """The checks on a referral (referral_register).

    ``case_officer_agency_ids``: the organisations where the case officer currently
    works as one, when the caller has looked them up for a whole batch; without it
    the membership is read here (one query).
    """
    errors = {}
    if programme not in Programme.values:
        errors["programme"] = _("Choose a valid programme.")
    if referring_organisation is not None and referring_organisation.kind != "agency":
        errors["referring_organisation"] = _("The referring organisation must be an agency.")
    if case_officer is not None:
        if referring_organisation is None:
            errors["case_officer"] = _("Name the referring agency of the case officer.")
        elif not (
            referring_organisation.pk in case_officer_agency_ids
            if case_officer_agency_ids is not None
            else _has_role(case_officer, referring_organisation.pk, Role.CASE_OFFICER)
        ):
            errors["case_officer"] = _("This person is not a case officer at the referring agency.")
    if proposed_start is not None and proposed_start < referred_on:
        errors["proposed_start"] = _("The proposed start cannot be before the referral date.")
    if errors:
        raise ValidationError(errors)


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
    decision_number: str = "",
) -> Placement:
    """Register a referral: a placement in the ``referred`` state."""
    participant_write_check(
        user=acting_user, participant_id=participant.pk, relation=Relation.MANAGER
    )
    referral_validate(
        programme=programme,
        referred_on=referred_on,
        referring_organisation=referring_organisation,
        case_officer=case_officer,
        proposed_start=proposed_start,
    )
    placement = Placement(
        participant=participant,
        data_key_id=participant.data_key_id,
        programme=programme,
        referring_organisation=referring_organisation,
        case_officer=case_officer,
        referred_on=referred_on,
        proposed_start=proposed_start,
        decision_number=decision_number.strip(),
        status=Placement.Status.REFERRED,
    )
    save_with_history(placement, user=acting_user, reason="referral registered")
    grants_for_placements([placement], acting_user=acting_user, reason="grant: referral")
    return placement


def placement_start_validate(
    *,
    placement: Placement,
    unit: Unit,
    supervisors: list[User],
    start_date: date,
    planned_end: date | None = None,
    hours_per_week=None,
    weekdays: str | None = None,
    supervisor_organisation_ids: Mapping | None = None,
) -> None:
    """The checks on a placement's start (placement_start): unit, dates, supervisors, scope.

    ``supervisor_organisation_ids``: supervisor id → the organisations where that person
    currently works as a supervisor, when the caller has looked them up for a whole
    batch; without it each supervisor's membership is read here (one query each).
    """
    errors = {}
    if unit.organisation_id != placement.participant.organisation_id:
        errors["unit"] = _("The unit must belong to the participant's enterprise.")
    if planned_end is not None and planned_end < start_date:
        errors["planned_end"] = _("The planned end cannot be before the start date.")
    if not supervisors:
        errors["supervisors"] = _("Choose at least one supervisor.")
    for supervisor in supervisors:
        if not (
            unit.organisation_id in supervisor_organisation_ids.get(supervisor.pk, ())
            if supervisor_organisation_ids is not None
            else _has_role(supervisor, unit.organisation_id, Role.SUPERVISOR)
        ):
            errors["supervisors"] = _("Every supervisor must be a supervisor at the enterprise.")
    try:
        if hours_per_week is not None:
            placement_hours_clean(hours_per_week)
        if weekdays is not None:
            placement_weekdays_clean(weekdays)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


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
    placement_write_check(user=acting_user, placements=[placement], relation=Relation.MANAGER)
    if placement.status not in (Placement.Status.REFERRED, Placement.Status.PLANNED):
        raise ValidationError(_("Only a referred or planned placement can be started."))
    placement_start_validate(
        placement=placement,
        unit=unit,
        supervisors=supervisors,
        start_date=start_date,
        planned_end=planned_end,
        hours_per_week=hours_per_week,
        weekdays=weekdays,
    )
    if hours_per_week is not None:
        placement.hours_per_week = placement_hours_clean(hours_per_week)
    if weekdays is not None:
        placement.weekdays = placement_weekdays_clean(weekdays)
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
def placement_schedule(
    *,
    placement: Placement,
    unit: Unit,
    start_date: date,
    acting_user: User,
    hours_per_week=None,
    planned_end: date | None = None,
) -> Placement:
    """Plan a referred placement at a unit from a day: the ``planned`` state.

    No supervisor is assigned and no enterprise grant made yet: those come with
    placement_start, when the person begins.
    """
    placement_write_check(user=acting_user, placements=[placement], relation=Relation.MANAGER)
    if placement.status != Placement.Status.REFERRED:
        raise ValidationError(_("Only a referred placement can be planned."))
    errors = {}
    if unit.organisation_id != placement.participant.organisation_id:
        errors["unit"] = _("The unit must belong to the participant's enterprise.")
    elif not unit.active:
        errors["unit"] = _("The unit is not active.")
    if start_date < placement.referred_on:
        errors["start_date"] = _("The start cannot be before the referral date.")
    if planned_end is not None and planned_end < start_date:
        errors["planned_end"] = _("The planned end cannot be before the start date.")
    if errors:
        raise ValidationError(errors)
    if hours_per_week is not None:
        placement.hours_per_week = placement_hours_clean(hours_per_week)
    placement.unit = unit
    placement.proposed_start = start_date
    placement.planned_end = planned_end
    placement.status = Placement.Status.PLANNED
    save_with_history(placement, user=acting_user, reason="placement planned")
    return placement


def placement_pause_validate(*, placement: Placement, reason: str, on: date) -> None:
    """The checks on a pause (placement_pause): an active placement, a reason, a real day."""
    if placement.status != Placement.Status.ACTIVE:
        raise ValidationError(_("Only an active placement can be paused."))
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("Say why the placement is paused.")
    if placement.start_date is not None and on < placement.start_date:
        errors["on"] = _("A placement cannot be paused before it starts.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def placement_pause(
    *, placement: Placement, reason: str, acting_user: User, on: date | None = None
) -> Placement:
    """Pause an active placement; the pause keeps its day, reason and who paused it."""
    placement_write_check(user=acting_user, placements=[placement], relation=Relation.MANAGER)
    on = on or attendance_today()
    placement_pause_validate(placement=placement, reason=reason, on=on)
    pause = PlacementPause(
        placement=placement,
        data_key_id=placement.data_key_id,
        paused_on=on,
        reason=reason.strip(),
        paused_by=acting_user,
    )
    save_with_history(pause, user=acting_user, reason="placement paused")
    placement.status = Placement.Status.PAUSED
    return save_with_history(
        placement, user=acting_user, reason="placement paused", update_fields=["status"]
    )


@transaction.atomic
def placement_resume(
    *, placement: Placement, acting_user: User, on: date | None = None
) -> Placement:
    """Resume a paused placement; its open pause is closed on the day."""
    placement_write_check(user=acting_user, placements=[placement], relation=Relation.MANAGER)
    if placement.status != Placement.Status.PAUSED:
        raise ValidationError(_("Only a paused placement can be resumed."))
    on = on or attendance_today()
    pause = placement.pauses.filter(resumed_on__isnull=True).first()
    if pause is not None:
        pause.resumed_on = max(on, pause.paused_on)
        pause.resumed_by = acting_user
        save_with_history(
            pause,
            user=acting_user,
            reason="placement resumed",
            update_fields=["resumed_on", "resumed_by"],
        )
    placement.status = Placement.Status.ACTIVE
    return save_with_history(
        placement, user=acting_user, reason="placement resumed", update_fields=["status"]
    )


@transaction.atomic
def placement_change_supervisors(
    *, placement: Placement, supervisors: list[User], acting_user: User, on: date | None = None
) -> Placement:
    """Replace the placement's supervisors: ends old assignments, opens new ones."""
    placement_write_check(user=acting_user, placements=[placement], relation=Relation.MANAGER)
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
    placement_write_check(
        user=acting_user, placements=[placement], sections=(PlacementSection.PLAN,)
    )
    if placement.plan_status == Placement.PlanStatus.SUBMITTED:
        raise ValidationError(
            _("A submitted plan cannot be edited until the case officer answers.")
        )
    placement.plan_goals, placement.plan_tasks, placement.plan_support = goals, tasks, support
    placement.plan_status = Placement.PlanStatus.DRAFT
    return save_with_history(placement, user=acting_user, reason="plan edited")


@transaction.atomic
def placement_plan_submit(*, placement: Placement, acting_user: User) -> Placement:
    placement_write_check(
        user=acting_user, placements=[placement], sections=(PlacementSection.PLAN,)
    )
    if placement.plan_status not in (
        Placement.PlanStatus.DRAFT,
        Placement.PlanStatus.CHANGES_REQUESTED,
    ):
        raise ValidationError(_("Only a draft plan can be submitted."))
    if not placement.plan_goals.strip():
        raise ValidationError({"plan_goals": _("Write the plan's goals before submitting it.")})
    placement.plan_status = Placement.PlanStatus.SUBMITTED
    placement.plan_submitted_at = timezone.now()
    save_with_history(
        placement,
        user=acting_user,
        reason="plan submitted",
        update_fields=["plan_status", "plan_submitted_at"],
    )
    _announce(signals.plan_submitted, placement=placement, acting_user=acting_user)
    return placement


@transaction.atomic
def placement_plan_decide(
    *, placement: Placement, approve: bool, acting_user: User, comment: str = ""
) -> Placement:
    """The case officer approves the plan or asks for changes."""
    placement_write_check(user=acting_user, placements=[placement], relation=Relation.CASE_OFFICER)
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
    save_with_history(
        placement, user=acting_user, reason="plan approved" if approve else "plan changes requested"
    )
    _announce(signals.plan_decided, placement=placement, acting_user=acting_user, approved=approve)
    return placement


@transaction.atomic
def membership_end(*, membership: Membership, ended_on: date, acting_user: User) -> Membership:
    """End a membership; every grant it gave is removed at once.

    Lives here rather than in accounts because the grants it removes are on
    placements and participants (accounts imports no domain app).
    """
    if membership.organisation_id not in organisations_with_role(acting_user, Role.MANAGER):
        raise PermissionDenied(_("You may not make this change."))
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


class AttendanceClearReason(models.TextChoices):
    """Why a recorded day is cleared (deleted); kept in the history row's reason."""

    MISTAKE = "mistake", gettext_lazy("Recorded by mistake")
    WRONG_DAY = "wrong_day", gettext_lazy("Recorded on the wrong day")
    WRONG_PERSON = "wrong_person", gettext_lazy("Recorded for the wrong person")
    AFTER_END = "after_end", gettext_lazy("After the placement's real last day")


def week_dates(week_start: date) -> list[date]:
    return [week_start + timedelta(days=offset) for offset in range(7)]


def attendance_error_key(placement_id, day: date | None = None) -> str:
    """The key of attendance_record_week's errors: one placement's day, or its whole week."""
    return f"{placement_id}/{day.isoformat()}" if day is not None else str(placement_id)


def attendance_entry_clean(
    *, placement: Placement, entry: AttendanceEntry, today: date | None = None
) -> tuple[Decimal, Decimal | None]:
    """The checks on one day of attendance (attendance_record_week).

    Returns the attended and planned hours as Decimals (planned ``None`` if not given).
    ``today`` is the last day that takes attendance (default: today in Europe/Stockholm).
    """
    if (
        placement.start_date is None
        or entry.date < placement.start_date
        or (placement.actual_end is not None and entry.date > placement.actual_end)
    ):
        end = placement.actual_end or placement.planned_end
        raise ValidationError(
            _("%(day)s is outside the placement (%(start)s – %(end)s).")
            % {"day": entry.date, "start": placement.start_date or "–", "end": end or ""}
        )
    if entry.date > (today or attendance_today()):
        raise ValidationError(
            _("%(day)s has not happened yet: attendance is recorded on the day or afterwards.")
            % {"day": entry.date}
        )
    try:
        attended = Decimal(str(entry.attended_hours))
        planned = None if entry.planned_hours is None else Decimal(str(entry.planned_hours))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter hours as a number.")) from None
    # NaN and infinity parse as Decimals; NaN cannot even be compared.
    if not attended.is_finite() or (planned is not None and not planned.is_finite()):
        raise ValidationError(_("Enter hours as a number."))
    if not Decimal("0") <= attended <= Decimal("24"):
        raise ValidationError(_("Attended hours must be between 0 and 24."))
    if planned is not None and not Decimal("0") <= planned <= Decimal("24"):
        raise ValidationError(_("Planned hours must be between 0 and 24."))
    if entry.absence_reason and entry.absence_reason not in Attendance.AbsenceReason.values:
        raise ValidationError(_("Choose a valid absence reason."))
    # An absence reason is a whole day away: with a reason the day counts 0 hours.
    # A partial day is the hours attended with no reason (the planned hours show
    # what was missed), so a day is never both attended and absent.
    if entry.absence_reason and attended > 0:
        raise ValidationError(
            _(
                "A day with an absence reason has 0 hours attended. If the person was "
                "there part of the day, enter those hours and choose no absence reason."
            )
        )
    return attended, planned


def attendance_week_validate(*, placement: Placement, attended_hours: Decimal) -> None:
    """The check on a week's attended hours: within the scope the referring agency agreed to."""
    if attended_hours > placement.hours_per_week:
        raise ValidationError(
            _("%(hours)s hours in one week is more than the placement's scope of %(scope)s hours.")
            % {
                "hours": hours_display(attended_hours),
                "scope": hours_display(placement.hours_per_week),
            }
        )


@transaction.atomic
def attendance_record_week(
    *,
    unit: Unit,
    week_start: date,
    entries: list[AttendanceEntry],
    acting_user: User,
    cleared: Collection[tuple] = (),
    clear_reason: str = "",
) -> list[Attendance]:
    """Record (or correct, or clear) a unit's attendance for one week in one transaction.

    Every entry is validated before anything is written; corrections update the
    existing row, so its history shows the change. The rules:

    - hours are recorded inside the placement's dates, up to today (Europe/Stockholm),
      never ahead, and not while the placement is paused;
    - an absence reason means the whole day was missed: 0 hours attended. A partial
      day is its hours with no reason;
    - a week's hours stay within the placement's weekly scope;
    - ``cleared`` names (placement id, day) pairs recorded by mistake: each row is
      deleted with ``clear_reason`` (an AttendanceClearReason) as its history reason,
      so the history keeps what was recorded, by whom, and why it went. A day can be
      cleared whatever the placement's state (also a future day or a paused
      placement's), which is how wrong rows after a placement's real last day are
      removed before ending it (casework.services.placement_end).

    Errors are keyed by attendance_error_key: a day's by (placement, day), the
    weekly scope's by placement, ``clear_reason`` and ``week_start`` by name.
    """
    if week_start.isoweekday() != 1:
        raise ValidationError({"week_start": _("A week starts on a Monday.")})
    today = attendance_today()
    days = set(week_dates(week_start))
    cleared = list(cleared)
    placement_ids = {entry.placement_id for entry in entries} | {pid for pid, _day in cleared}
    placements = {
        placement.pk: placement
        for placement in Placement.objects.filter(pk__in=placement_ids, unit=unit)
    }
    placement_write_check(
        user=acting_user,
        placements=list(placements.values()),
        sections=(PlacementSection.ATTENDANCE,),
    )
    existing = {
        (row.placement_id, row.date): row
        for row in Attendance.objects.filter(placement_id__in=placement_ids, date__in=days)
    }
    errors: dict[str, list[ValidationError]] = {}

    def refuse(key: str, message) -> None:
        messages = errors.setdefault(key, [])
        if str(message) not in (str(known.message) for known in messages):
            messages.append(ValidationError(message))

    not_here = _("A placement in the list does not belong to this unit.")
    to_delete: list[Attendance] = []
    clearing: set = set()
    for placement_id, day in cleared:
        key = attendance_error_key(placement_id, day)
        if placement_id not in placements:
            refuse(NON_FIELD_ERRORS, not_here)
        elif day not in days:
            refuse(key, _("%(day)s is not in this week.") % {"day": day})
        elif (placement_id, day) not in existing:
            refuse(key, _("Nothing is recorded on %(day)s to clear.") % {"day": day})
        elif (placement_id, day) not in clearing:
            clearing.add((placement_id, day))
            to_delete.append(existing[(placement_id, day)])
    if cleared and clear_reason not in AttendanceClearReason.values:
        refuse("clear_reason", _("Choose why the days are cleared."))

    to_create: list[Attendance] = []
    to_update: list[Attendance] = []
    weekly_attended: dict = {}
    seen: set = set()
    for entry in entries:
        key = attendance_error_key(entry.placement_id, entry.date)
        placement = placements.get(entry.placement_id)
        if placement is None:
            refuse(NON_FIELD_ERRORS, not_here)
            continue
        if entry.date not in days:
            refuse(key, _("%(day)s is not in this week.") % {"day": entry.date})
            continue
        if (placement.pk, entry.date) in seen:
            refuse(key, _("%(day)s is entered twice for the same placement.") % {"day": entry.date})
            continue
        seen.add((placement.pk, entry.date))
        if (placement.pk, entry.date) in clearing:
            refuse(key, _("%(day)s is both entered and cleared.") % {"day": entry.date})
            continue
        try:
            attended, planned = attendance_entry_clean(
                placement=placement, entry=entry, today=today
            )
        except ValidationError as error:
            for message in error.messages:
                refuse(key, message)
            continue
        if placement.status == Placement.Status.PAUSED:
            # The pause has no date, so a paused placement takes no hours at all;
            # its days are recorded once it is resumed.
            refuse(key, _("The placement is paused: resume it before recording attendance."))
            continue
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
        # Days of this week already recorded, neither re-entered nor cleared now.
        other_days = sum(
            (
                row.attended_hours
                for key, row in existing.items()
                if key[0] == placement_id and key not in entered and key not in clearing
            ),
            Decimal(0),
        )
        try:
            attendance_week_validate(placement=placement, attended_hours=attended + other_days)
        except ValidationError as error:
            for message in error.messages:
                refuse(attendance_error_key(placement_id), message)
    if errors:
        raise ValidationError(errors)
    for row in to_delete:
        # One by one, so that each history row names the acting user and the reason.
        stamp(row, user=acting_user, reason=f"attendance cleared: {clear_reason}")
        row.delete()
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


# --- placement_change_unit ----------------------------------------------------------


@transaction.atomic
def placement_change_unit(
    *, placement: Placement, unit: Unit, acting_user: User, reason: str = "unit changed"
) -> Placement:
    """Move a running placement to another unit of the same enterprise.

    Supervisors, grants and attendance stay with the placement: the people who
    work with the participant do not change because the worksite does.
    """
    placement_write_check(user=acting_user, placements=[placement], relation=Relation.MANAGER)
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
