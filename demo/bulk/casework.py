"""Many notes, goals, assessments, reviews and exits at once.

Each row gets the checks of the service that writes one (progress_note_add,
goal_add, assessment_record, review_record, placement_end, follow_up_record),
plus what only a row created in its final state can get wrong (a goal already
achieved, a follow-up already made).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.history import bulk_create_tracked
from casework.due import follow_up_due_dates
from casework.models import (
    Assessment,
    Exit,
    FollowUp,
    Goal,
    Instrument,
    ProgressNote,
    Review,
    Score,
)
from casework.services import (
    assessment_validate,
    exit_validate,
    follow_up_status_validate,
    goal_status_validate,
    goal_validate,
    placement_date_validate,
    progress_note_validate,
    review_validate,
)
from placements.models import Placement

from .rows import row_error


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
    """Write many progress notes by one author (demo data, benchmarks)."""
    notes = []
    for position, record in enumerate(records, start=1):
        try:
            progress_note_validate(
                placement=record.placement,
                on=record.on,
                kind=record.kind,
                text=record.text,
                visibility=record.visibility,
            )
        except ValidationError as error:
            raise row_error(position, error) from None
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
    """Add many goals, in any status (demo data, benchmarks)."""
    goals = []
    for position, record in enumerate(records, start=1):
        placement = record.placement
        try:
            goal_validate(placement=placement, text=record.text, target_date=record.target_date)
            goal_status_validate(status=record.status)
            if (record.status == Goal.Status.ACHIEVED) != (record.achieved_on is not None):
                raise ValidationError(
                    _("an achieved goal, and only an achieved one, has a date achieved")
                )
            if record.achieved_on is not None:
                placement_date_validate(
                    placement=placement, on=record.achieved_on, field="achieved_on"
                )
        except ValidationError as error:
            raise row_error(position, error) from None
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
    assessments: list[Assessment] = []
    scores: list[Score] = []
    for position, record in enumerate(records, start=1):
        try:
            assessment_validate(
                placement=record.placement,
                items=items,
                scores=record.scores,
                kind=record.kind,
                on=record.on,
            )
        except ValidationError as error:
            raise row_error(position, error) from None
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
            Score(assessment=assessment, item=item, value=int(record.scores[item.code]))
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
    """Record many reviews by one case officer (demo data, benchmarks)."""
    reviews = []
    for position, record in enumerate(records, start=1):
        try:
            review_validate(
                placement=record.placement,
                case_officer=acting_user,
                on=record.on,
                summary=record.summary,
                decision=record.decision,
                next_review_on=record.next_review_on,
            )
        except ValidationError as error:
            raise row_error(position, error) from None
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
    """What was found at a follow-up that has already been made."""

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


def _findings_validate(findings: tuple[FollowUpFinding, ...], now: datetime) -> None:
    if len({finding.kind for finding in findings}) != len(findings):
        raise ValidationError(_("one finding per follow-up"))
    for finding in findings:
        if finding.kind not in FollowUp.Kind.values:
            raise ValidationError(_("choose a valid kind of follow-up"))
        follow_up_status_validate(status_found=finding.status_found)
        if finding.done_at > now:
            raise ValidationError(_("a follow-up cannot be recorded in the future"))


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
        try:
            if placement.status != Placement.Status.ENDED or placement.actual_end is None:
                raise ValidationError(_("only an ended placement has an exit"))
            exit_validate(
                placement=placement, ended_on=placement.actual_end, outcome=record.outcome
            )
            _findings_validate(record.findings, now)
        except ValidationError as error:
            raise row_error(position, error) from None
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
        for kind, due_on in follow_up_due_dates(exit_on=exit_record.date).items():
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
