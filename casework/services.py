"""Writes on casework: notes, goals, assessments, reviews, exits and follow-ups."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.history import bulk_create_tracked, save_with_history
from placements.grants import grants_placement_ended
from placements.models import Placement

from .models import (
    Assessment,
    Exit,
    FollowUp,
    Goal,
    Instrument,
    Outcome,
    ProgressNote,
    Review,
    Score,
)

FOLLOW_UP_DAYS = 28
FOLLOW_UP_MONTHS = 6
RUNNING = (Placement.Status.ACTIVE, Placement.Status.PAUSED)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _require_started(placement: Placement, on: date, field: str = "date") -> None:
    if placement.start_date is None:
        raise ValidationError(_("The placement has not started."))
    if on < placement.start_date:
        raise ValidationError({field: _("The date cannot be before the placement started.")})
    if placement.actual_end is not None and on > placement.actual_end:
        raise ValidationError({field: _("The date cannot be after the placement ended.")})


@transaction.atomic
def progress_note_add(
    *,
    placement: Placement,
    text: str,
    kind: str,
    acting_user: User,
    visibility: str = ProgressNote.Visibility.INTERNAL,
    on: date | None = None,
) -> ProgressNote:
    """Write a progress note on a placement."""
    on = on or timezone.localdate()
    errors = {}
    if not (text or "").strip():
        errors["text"] = _("Write the note.")
    if kind not in ProgressNote.Kind.values:
        errors["kind"] = _("Choose a valid kind of note.")
    if visibility not in ProgressNote.Visibility.values:
        errors["visibility"] = _("Choose who can see the note.")
    if on > timezone.localdate():
        errors["date"] = _("A note cannot be dated in the future.")
    if errors:
        raise ValidationError(errors)
    _require_started(placement, on)
    note = ProgressNote(
        placement=placement,
        data_key_id=placement.data_key_id,
        author=acting_user,
        date=on,
        kind=kind,
        text=text.strip(),
        visibility=visibility,
    )
    return save_with_history(note, user=acting_user, reason="note added")


@transaction.atomic
def goal_add(
    *, placement: Placement, text: str, acting_user: User, target_date: date | None = None
) -> Goal:
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the goal.")})
    if target_date is not None and placement.start_date and target_date < placement.start_date:
        raise ValidationError({"target_date": _("The target date cannot be before the start.")})
    goal = Goal(
        placement=placement,
        data_key_id=placement.data_key_id,
        text=text.strip(),
        target_date=target_date,
    )
    return save_with_history(goal, user=acting_user, reason="goal added")


@transaction.atomic
def goal_set_status(*, goal: Goal, status: str, acting_user: User, on: date | None = None) -> Goal:
    if status not in Goal.Status.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    goal.status = status
    goal.achieved_on = (on or timezone.localdate()) if status == Goal.Status.ACHIEVED else None
    return save_with_history(
        goal, user=acting_user, reason=f"goal {status}", update_fields=["status", "achieved_on"]
    )


@transaction.atomic
def assessment_record(
    *,
    placement: Placement,
    instrument: Instrument,
    scores: dict[str, int],
    kind: str,
    acting_user: User,
    on: date | None = None,
    comment: str = "",
) -> Assessment:
    """Record an assessment: one score (1–10) per area of the instrument."""
    on = on or timezone.localdate()
    if kind not in Assessment.Kind.values:
        raise ValidationError({"kind": _("Choose a valid kind of assessment.")})
    _require_started(placement, on)
    items = list(instrument.items.all())
    by_code = {item.code: item for item in items}
    errors = {}
    unknown = set(scores) - set(by_code)
    if unknown:
        errors["scores"] = _("Unknown areas: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
    for item in items:
        value = scores.get(item.code)
        if value is None:
            errors[item.code] = _("Score %(area)s.") % {"area": item.label}
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = -1
        if not item.min_score <= value <= item.max_score:
            errors[item.code] = _("A score must be between %(low)s and %(high)s.") % {
                "low": item.min_score,
                "high": item.max_score,
            }
    if errors:
        raise ValidationError(errors)
    assessment = Assessment(
        placement=placement,
        data_key_id=placement.data_key_id,
        instrument=instrument,
        date=on,
        kind=kind,
        assessed_by=acting_user,
        comment=comment,
    )
    save_with_history(assessment, user=acting_user, reason="assessment recorded")
    bulk_create_tracked(
        [Score(assessment=assessment, item=item, value=int(scores[item.code])) for item in items],
        user=acting_user,
        reason="assessment recorded",
    )
    return assessment


@transaction.atomic
def review_record(
    *,
    placement: Placement,
    summary: str,
    decision: str,
    acting_user: User,
    on: date | None = None,
    next_review_on: date | None = None,
) -> Review:
    """The case officer records a review (uppföljning) of the placement."""
    on = on or timezone.localdate()
    errors = {}
    if placement.case_officer_id != acting_user.pk:
        raise ValidationError(_("Only the placement's case officer can record a review."))
    if not (summary or "").strip():
        errors["summary"] = _("Write a summary of the review.")
    if decision not in Review.Decision.values:
        errors["decision"] = _("Choose a decision.")
    if next_review_on is not None and next_review_on <= on:
        errors["next_review_on"] = _("The next review must be after this one.")
    if errors:
        raise ValidationError(errors)
    _require_started(placement, on)
    review = Review(
        placement=placement,
        data_key_id=placement.data_key_id,
        case_officer=acting_user,
        date=on,
        summary=summary.strip(),
        decision=decision,
        next_review_on=next_review_on,
    )
    return save_with_history(review, user=acting_user, reason="review recorded")


@transaction.atomic
def placement_end(
    *,
    placement: Placement,
    ended_on: date,
    outcome: str,
    acting_user: User,
    comment: str = "",
) -> Exit:
    """End a running placement, record the exit and schedule the follow-ups."""
    if placement.status not in RUNNING:
        raise ValidationError(_("Only an active or paused placement can be ended."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose an exit outcome.")})
    if ended_on < placement.start_date:
        raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})
    if ended_on > timezone.localdate() + timedelta(days=31):
        raise ValidationError({"ended_on": _("The end date is too far in the future.")})
    # Ending before recorded attendance would leave attendance outside the placement.
    last_attended = placement.attendance.filter(date__gt=ended_on).aggregate(last=Max("date"))
    if last_attended["last"] is not None:
        raise ValidationError(
            {
                "ended_on": _("Attendance is recorded after this date (last on %(day)s).")
                % {"day": last_attended["last"]}
            }
        )
    placement.status = Placement.Status.ENDED
    placement.actual_end = ended_on
    save_with_history(
        placement,
        user=acting_user,
        reason="placement ended",
        update_fields=["status", "actual_end"],
    )
    exit_record = Exit(
        placement=placement,
        data_key_id=placement.data_key_id,
        date=ended_on,
        outcome=outcome,
        comment=comment,
        recorded_by=acting_user,
    )
    save_with_history(exit_record, user=acting_user, reason="exit recorded")
    follow_ups_schedule(exit_record=exit_record, acting_user=acting_user)
    grants_placement_ended(placement=placement, acting_user=acting_user)
    return exit_record


def follow_ups_schedule(*, exit_record: Exit, acting_user: User) -> list[FollowUp]:
    """Follow-ups at exit + 28 days and exit + 6 months."""
    participant_id = exit_record.placement.participant_id
    follow_ups = [
        FollowUp(
            participant_id=participant_id,
            exit=exit_record,
            data_key_id=exit_record.data_key_id,
            kind=FollowUp.Kind.DAY_28,
            due_on=exit_record.date + timedelta(days=FOLLOW_UP_DAYS),
        ),
        FollowUp(
            participant_id=participant_id,
            exit=exit_record,
            data_key_id=exit_record.data_key_id,
            kind=FollowUp.Kind.MONTH_6,
            due_on=add_months(exit_record.date, FOLLOW_UP_MONTHS),
        ),
    ]
    return bulk_create_tracked(follow_ups, user=acting_user, reason="follow-up scheduled")


@transaction.atomic
def follow_up_record(
    *, follow_up: FollowUp, status_found: str, acting_user: User, note: str = ""
) -> FollowUp:
    """Record what was found at a follow-up."""
    if follow_up.done_at is not None:
        raise ValidationError(_("This follow-up has already been recorded."))
    if status_found not in FollowUp.Status.values:
        raise ValidationError({"status_found": _("Choose the status found.")})
    follow_up.status_found = status_found
    follow_up.note = note
    follow_up.done_at = timezone.now()
    follow_up.done_by = acting_user
    return save_with_history(follow_up, user=acting_user, reason="follow-up recorded")


@dataclass(frozen=True)
class DefaultArea:
    code: str
    label: str
    description: str


#: The default "steps toward work" instrument, in our own words.
DEFAULT_INSTRUMENT_CODE = "steg-mot-arbete"
DEFAULT_AREAS = (
    DefaultArea("work_skills", "Arbetsförmåga", "Utför arbetsuppgifter, tempo och kvalitet."),
    DefaultArea("motivation", "Motivation", "Vilja och drivkraft att nå arbete eller studier."),
    DefaultArea("job_seeking", "Jobbsökande", "Vet hur man söker arbete och gör det."),
    DefaultArea("stability", "Vardagsstabilitet", "Boende, ekonomi, rutiner och tider."),
    DefaultArea("basic_skills", "Grundläggande färdigheter", "Språk, läsning, räkning, digitalt."),
    DefaultArea("cooperation", "Samarbete på arbetsplatsen", "Fungerar med kollegor och chefer."),
    DefaultArea("health", "Hälsa och välmående", "Orkar, sover, mår tillräckligt bra för arbete."),
)


@transaction.atomic
def instrument_ensure_default(*, acting_user: User | None = None) -> Instrument:
    """Create the default instrument if it does not exist; return it."""
    instrument = Instrument.objects.filter(code=DEFAULT_INSTRUMENT_CODE).first()
    if instrument is not None:
        return instrument
    instrument = Instrument(code=DEFAULT_INSTRUMENT_CODE, name="Steg mot arbete", version=1)
    save_with_history(instrument, user=acting_user, reason="default instrument created")
    from .models import Item

    bulk_create_tracked(
        [
            Item(
                instrument=instrument,
                code=area.code,
                label=area.label,
                description=area.description,
                position=position,
            )
            for position, area in enumerate(DEFAULT_AREAS, start=1)
        ],
        user=acting_user,
        reason="default instrument created",
    )
    return instrument


# --- bulk paths (demo data, imports, benchmarks)


def _row_error(position: int, message: str) -> ValidationError:
    return ValidationError(_("Row %(row)s: %(message)s") % {"row": position, "message": message})


def _outside_placement(placement: Placement, on: date) -> str | None:
    if placement.start_date is None:
        return _("the placement has not started")
    if on < placement.start_date:
        return _("the date cannot be before the placement started")
    if placement.actual_end is not None and on > placement.actual_end:
        return _("the date cannot be after the placement ended")
    return None


@dataclass(frozen=True)
class ProgressNoteInput:
    placement: Placement
    on: date
    kind: str
    text: str
    visibility: str = ProgressNote.Visibility.INTERNAL


@transaction.atomic
def progress_note_bulk_create(
    *, records: list[ProgressNoteInput], acting_user: User, reason: str = "note added"
) -> list[ProgressNote]:
    """Write many progress notes by one author (imports, demo data, benchmarks)."""
    today = timezone.localdate()
    notes = []
    for position, record in enumerate(records, start=1):
        problem = _outside_placement(record.placement, record.on)
        if not record.text.strip():
            problem = _("write the note")
        elif record.kind not in ProgressNote.Kind.values:
            problem = _("choose a valid kind of note")
        elif record.visibility not in ProgressNote.Visibility.values:
            problem = _("choose who can see the note")
        elif record.on > today:
            problem = _("a note cannot be dated in the future")
        if problem:
            raise _row_error(position, problem)
        notes.append(
            ProgressNote(
                placement=record.placement,
                data_key_id=record.placement.data_key_id,
                author=acting_user,
                date=record.on,
                kind=record.kind,
                text=record.text.strip(),
                visibility=record.visibility,
            )
        )
    return bulk_create_tracked(notes, user=acting_user, reason=reason)


@dataclass(frozen=True)
class GoalInput:
    placement: Placement
    text: str
    target_date: date | None = None
    status: str = Goal.Status.OPEN
    achieved_on: date | None = None


@transaction.atomic
def goal_bulk_create(
    *, records: list[GoalInput], acting_user: User, reason: str = "goal added"
) -> list[Goal]:
    """Add many goals, in any status (imports, demo data, benchmarks)."""
    goals = []
    for position, record in enumerate(records, start=1):
        placement = record.placement
        problem = None
        if not record.text.strip():
            problem = _("write the goal")
        elif record.status not in Goal.Status.values:
            problem = _("choose a valid status")
        elif (record.status == Goal.Status.ACHIEVED) != (record.achieved_on is not None):
            problem = _("an achieved goal, and only an achieved one, has a date achieved")
        elif (
            record.target_date is not None
            and placement.start_date
            and record.target_date < placement.start_date
        ):
            problem = _("the target date cannot be before the start")
        elif record.achieved_on is not None:
            problem = _outside_placement(placement, record.achieved_on)
        if problem:
            raise _row_error(position, problem)
        goals.append(
            Goal(
                placement=placement,
                data_key_id=placement.data_key_id,
                text=record.text.strip(),
                target_date=record.target_date,
                status=record.status,
                achieved_on=record.achieved_on,
            )
        )
    return bulk_create_tracked(goals, user=acting_user, reason=reason)


@dataclass(frozen=True)
class AssessmentInput:
    placement: Placement
    on: date
    kind: str
    scores: dict
    comment: str = ""


@transaction.atomic
def assessment_bulk_create(
    *,
    instrument: Instrument,
    records: list[AssessmentInput],
    acting_user: User,
    reason: str = "assessment recorded",
) -> list[Assessment]:
    """Record many assessments with one instrument, scored by one person."""
    items = list(instrument.items.all())
    codes = {item.code for item in items}
    assessments: list[Assessment] = []
    scores: list[Score] = []
    for position, record in enumerate(records, start=1):
        problem = _outside_placement(record.placement, record.on)
        if record.kind not in Assessment.Kind.values:
            problem = _("choose a valid kind of assessment")
        elif set(record.scores) != codes:
            problem = _("score every area of the instrument, and only those")
        else:
            for item in items:
                value = record.scores[item.code]
                if not isinstance(value, int) or not item.min_score <= value <= item.max_score:
                    problem = _("a score must be between %(low)s and %(high)s") % {
                        "low": item.min_score,
                        "high": item.max_score,
                    }
                    break
        if problem:
            raise _row_error(position, problem)
        assessment = Assessment(
            placement=record.placement,
            data_key_id=record.placement.data_key_id,
            instrument=instrument,
            date=record.on,
            kind=record.kind,
            assessed_by=acting_user,
            comment=record.comment,
        )
        assessments.append(assessment)
        scores.extend(
            Score(assessment=assessment, item=item, value=record.scores[item.code])
            for item in items
        )
    created = bulk_create_tracked(assessments, user=acting_user, reason=reason)
    bulk_create_tracked(scores, user=acting_user, reason=reason, batch_size=2000)
    return created


@dataclass(frozen=True)
class ReviewInput:
    placement: Placement
    on: date
    summary: str
    decision: str
    next_review_on: date | None = None


@transaction.atomic
def review_bulk_create(
    *, records: list[ReviewInput], acting_user: User, reason: str = "review recorded"
) -> list[Review]:
    """Record many reviews by one case officer (imports, demo data, benchmarks)."""
    reviews = []
    for position, record in enumerate(records, start=1):
        problem = _outside_placement(record.placement, record.on)
        if record.placement.case_officer_id != acting_user.pk:
            problem = _("only the placement's case officer can record a review")
        elif not record.summary.strip():
            problem = _("write a summary of the review")
        elif record.decision not in Review.Decision.values:
            problem = _("choose a decision")
        elif record.next_review_on is not None and record.next_review_on <= record.on:
            problem = _("the next review must be after this one")
        if problem:
            raise _row_error(position, problem)
        reviews.append(
            Review(
                placement=record.placement,
                data_key_id=record.placement.data_key_id,
                case_officer=acting_user,
                date=record.on,
                summary=record.summary.strip(),
                decision=record.decision,
                next_review_on=record.next_review_on,
            )
        )
    return bulk_create_tracked(reviews, user=acting_user, reason=reason)


@dataclass(frozen=True)
class FollowUpFinding:
    """What was found at a follow-up that has already been made (imports)."""

    kind: str
    status_found: str
    done_at: datetime
    done_by: User
    note: str = ""


@dataclass(frozen=True)
class ExitInput:
    placement: Placement
    outcome: str
    comment: str = ""
    findings: tuple[FollowUpFinding, ...] = ()


@transaction.atomic
def exit_bulk_create(
    *, records: list[ExitInput], acting_user: User, reason: str = "exit recorded"
) -> list[Exit]:
    """Record the exits of ended placements and their follow-ups, in bulk.

    The placements were created ended (``placement_bulk_create``); the exit date
    is the placement's actual end. Follow-ups are scheduled as in placement_end;
    a finding records one that has already been made.
    """
    now = timezone.now()
    exits: list[Exit] = []
    follow_ups: list[FollowUp] = []
    for position, record in enumerate(records, start=1):
        placement = record.placement
        problem = None
        if placement.status != Placement.Status.ENDED or placement.actual_end is None:
            problem = _("only an ended placement has an exit")
        elif record.outcome not in Outcome.values:
            problem = _("choose an exit outcome")
        elif len({finding.kind for finding in record.findings}) != len(record.findings):
            problem = _("one finding per follow-up")
        else:
            for finding in record.findings:
                if finding.kind not in FollowUp.Kind.values:
                    problem = _("choose a valid kind of follow-up")
                elif finding.status_found not in FollowUp.Status.values:
                    problem = _("choose the status found")
                elif finding.done_at > now:
                    problem = _("a follow-up cannot be recorded in the future")
        if problem:
            raise _row_error(position, problem)
        exit_record = Exit(
            placement=placement,
            data_key_id=placement.data_key_id,
            date=placement.actual_end,
            outcome=record.outcome,
            comment=record.comment,
            recorded_by=acting_user,
        )
        exits.append(exit_record)
        findings = {finding.kind: finding for finding in record.findings}
        for kind, due_on in (
            (FollowUp.Kind.DAY_28, exit_record.date + timedelta(days=FOLLOW_UP_DAYS)),
            (FollowUp.Kind.MONTH_6, add_months(exit_record.date, FOLLOW_UP_MONTHS)),
        ):
            finding = findings.get(kind)
            follow_ups.append(
                FollowUp(
                    participant_id=placement.participant_id,
                    exit=exit_record,
                    data_key_id=placement.data_key_id,
                    kind=kind,
                    due_on=due_on,
                    status_found=finding.status_found if finding else "",
                    note=finding.note if finding else "",
                    done_at=finding.done_at if finding else None,
                    done_by=finding.done_by if finding else None,
                )
            )
    created = bulk_create_tracked(exits, user=acting_user, reason=reason)
    bulk_create_tracked(follow_ups, user=acting_user, reason="follow-up scheduled")
    return created
