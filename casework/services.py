"""Writes on casework: notes, goals, assessments, reviews, exits and follow-ups.

Each write's checks are a public ``<noun>_validate`` function that raises the
ValidationError the write raises, so the bulk paths in ``demo.bulk`` check every
row the same way.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.history import bulk_create_tracked, save_with_history
from participants.selectors import participant_write_check
from placements.grants import grants_placement_ended
from placements.models import Placement
from placements.selectors import placement_write_check

from .due import follow_up_due_dates
from .models import (
    Assessment,
    Exit,
    FollowUp,
    Goal,
    Instrument,
    Item,
    Outcome,
    ProgressNote,
    Review,
    Score,
)
from .sections import CaseworkSection

RUNNING = (Placement.Status.ACTIVE, Placement.Status.PAUSED)


def placement_date_validate(*, placement: Placement, on: date, field: str = "date") -> None:
    """Casework is dated within the placement: not before its start, not after its end."""
    if placement.start_date is None:
        raise ValidationError(_("The placement has not started."))
    if on < placement.start_date:
        raise ValidationError({field: _("The date cannot be before the placement started.")})
    if placement.actual_end is not None and on > placement.actual_end:
        raise ValidationError({field: _("The date cannot be after the placement ended.")})


def progress_note_validate(
    *, placement: Placement, on: date, kind: str, text: str, visibility: str
) -> None:
    """The checks on a progress note (progress_note_add)."""
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
    placement_date_validate(placement=placement, on=on)


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
    placement_write_check(
        user=acting_user,
        placements=[placement],
        sections=(
            CaseworkSection.SHARED_NOTES
            if visibility == ProgressNote.Visibility.SHARED
            else CaseworkSection.INTERNAL_NOTES,
        ),
    )
    on = on or timezone.localdate()
    progress_note_validate(placement=placement, on=on, kind=kind, text=text, visibility=visibility)
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


def goal_validate(*, placement: Placement, text: str, target_date: date | None = None) -> None:
    """The checks on a new goal (goal_add)."""
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the goal.")})
    if target_date is not None and placement.start_date and target_date < placement.start_date:
        raise ValidationError({"target_date": _("The target date cannot be before the start.")})


def goal_status_validate(*, status: str) -> None:
    """The check on a goal's status (goal_set_status)."""
    if status not in Goal.Status.values:
        raise ValidationError({"status": _("Choose a valid status.")})


@transaction.atomic
def goal_add(
    *, placement: Placement, text: str, acting_user: User, target_date: date | None = None
) -> Goal:
    placement_write_check(
        user=acting_user, placements=[placement], sections=(CaseworkSection.GOALS,)
    )
    goal_validate(placement=placement, text=text, target_date=target_date)
    goal = Goal(
        placement=placement,
        data_key_id=placement.data_key_id,
        text=text.strip(),
        target_date=target_date,
    )
    return save_with_history(goal, user=acting_user, reason="goal added")


@transaction.atomic
def goal_set_status(*, goal: Goal, status: str, acting_user: User, on: date | None = None) -> Goal:
    placement_write_check(
        user=acting_user, placements=[goal.placement], sections=(CaseworkSection.GOALS,)
    )
    goal_status_validate(status=status)
    goal.status = status
    goal.achieved_on = (on or timezone.localdate()) if status == Goal.Status.ACHIEVED else None
    return save_with_history(
        goal, user=acting_user, reason=f"goal {status}", update_fields=["status", "achieved_on"]
    )


def assessment_validate(
    *, placement: Placement, items: list[Item], scores: dict, kind: str, on: date
) -> None:
    """The checks on an assessment (assessment_record): ``items`` are the instrument's areas."""
    if kind not in Assessment.Kind.values:
        raise ValidationError({"kind": _("Choose a valid kind of assessment.")})
    placement_date_validate(placement=placement, on=on)
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
    placement_write_check(
        user=acting_user, placements=[placement], sections=(CaseworkSection.ASSESSMENTS,)
    )
    on = on or timezone.localdate()
    items = list(instrument.items.all())
    assessment_validate(placement=placement, items=items, scores=scores, kind=kind, on=on)
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


def review_validate(
    *,
    placement: Placement,
    case_officer: User,
    on: date,
    summary: str,
    decision: str,
    next_review_on: date | None = None,
) -> None:
    """The checks on a review (review_record), which only the placement's case officer writes."""
    if placement.case_officer_id != case_officer.pk:
        raise ValidationError(_("Only the placement's case officer can record a review."))
    errors = {}
    if not (summary or "").strip():
        errors["summary"] = _("Write a summary of the review.")
    if decision not in Review.Decision.values:
        errors["decision"] = _("Choose a decision.")
    if next_review_on is not None and next_review_on <= on:
        errors["next_review_on"] = _("The next review must be after this one.")
    if errors:
        raise ValidationError(errors)
    placement_date_validate(placement=placement, on=on)


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
    placement_write_check(
        user=acting_user, placements=[placement], sections=(CaseworkSection.REVIEWS,)
    )
    on = on or timezone.localdate()
    review_validate(
        placement=placement,
        case_officer=acting_user,
        on=on,
        summary=summary,
        decision=decision,
        next_review_on=next_review_on,
    )
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


def exit_validate(*, placement: Placement, ended_on: date, outcome: str) -> None:
    """The checks on an exit's outcome and date (placement_end)."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose an exit outcome.")})
    if ended_on < placement.start_date:
        raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})
    if ended_on > timezone.localdate() + timedelta(days=31):
        raise ValidationError({"ended_on": _("The end date is too far in the future.")})


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
    placement_write_check(
        user=acting_user, placements=[placement], sections=(CaseworkSection.OUTCOMES,)
    )
    if placement.status not in RUNNING:
        raise ValidationError(_("Only an active or paused placement can be ended."))
    exit_validate(placement=placement, ended_on=ended_on, outcome=outcome)
    # Ending before recorded attendance would leave attendance outside the placement.
    # The message names every such day: days recorded by mistake after the real last
    # day are cleared in the attendance grid (attendance_record_week), then the
    # placement ends on its real last day.
    later = list(
        placement.attendance.filter(date__gt=ended_on)
        .order_by("date")
        .values_list("date", flat=True)
    )
    if later:
        raise ValidationError(
            {
                "ended_on": _(
                    "Attendance is recorded after this date, on %(days)s. Clear those days "
                    "in the unit's attendance grid first (tick “Clear the day” and choose "
                    "why), then end the placement."
                )
                % {"days": ", ".join(day.isoformat() for day in later)}
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
            kind=kind,
            due_on=due_on,
        )
        for kind, due_on in follow_up_due_dates(exit_on=exit_record.date).items()
    ]
    return bulk_create_tracked(follow_ups, user=acting_user, reason="follow-up scheduled")


def follow_up_status_validate(*, status_found: str) -> None:
    """The check on what a follow-up found (follow_up_record)."""
    if status_found not in FollowUp.Status.values:
        raise ValidationError({"status_found": _("Choose the status found.")})


@transaction.atomic
def follow_up_record(
    *, follow_up: FollowUp, status_found: str, acting_user: User, note: str = ""
) -> FollowUp:
    """Record what was found at a follow-up."""
    participant_write_check(
        user=acting_user,
        participant_id=follow_up.participant_id,
        sections=(CaseworkSection.OUTCOMES,),
    )
    if follow_up.done_at is not None:
        raise ValidationError(_("This follow-up has already been recorded."))
    follow_up_status_validate(status_found=status_found)
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
