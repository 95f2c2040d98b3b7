"""The participant record's summary header and the placement timeline.

``record_summary_for`` gathers what the header on every tab of the record shows
(current placement, unit, supervisors, case officer, status, the next due item)
in a constant number of queries; ``placement_timeline_for`` the events of each
placement the user may see (referral, start, plan versions and decisions,
pauses, reviews, exit, follow-ups), each only where the field policy lets the
user read its section.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from casework.due import is_overdue, placement_review_due_on, with_review_dates
from casework.models import Exit, FollowUp, Review
from casework.sections import CaseworkSection
from casework.selectors import goal_list_for, progress_note_list_for
from participants.identity import mask_identity_number
from participants.models import Participant
from participants.policy import Access, Relation
from placements.models import Placement, PlacementPause, PlacementSupervisor
from placements.sections import PlacementSection
from placements.selectors import RUNNING, attendance_list_for, placement_list_for

#: Which placement the header calls "current": running first, then one on its way, then
#: the latest ended.
_CURRENT_ORDER = {
    Placement.Status.ACTIVE: 0,
    Placement.Status.PAUSED: 0,
    Placement.Status.PLANNED: 1,
    Placement.Status.REFERRED: 1,
    Placement.Status.ENDED: 2,
}

#: Relations that see the whole personal identity number in the record: the manager
#: (registers and corrects it) and the case officer (matches it with the agency's own
#: records). Supervisors work beside the person and see the birth date only.
FULL_IDENTITY_NUMBER = frozenset({Relation.MANAGER, Relation.CASE_OFFICER})


def _access(instance) -> Access:
    """The ``.access`` that a permission-scoped selector put on the instance."""
    return instance.__dict__["access"]


def identity_number_for(participant: Participant) -> str:
    """The personal identity number as the user's relation may see it ("19121212-••••")."""
    number = participant.personal_identity_number
    if _access(participant).relations & FULL_IDENTITY_NUMBER:
        return number
    return mask_identity_number(number)


@dataclass(frozen=True)
class DueItem:
    label: str
    on: date
    overdue: bool
    url_name: str = ""


@dataclass
class RecordSummary:
    participant: Participant
    identity_number: str
    placement: Placement | None
    supervisors: list[User]
    next_due: DueItem | None
    #: Every placement of the participant the user may see (for the timeline).
    placements: list[Placement]


def _visible_placements(*, user: User, participant: Participant):
    """The participant's placements the user may see, with unit, case officer and
    current supervisors (two queries), and the dates the header and timeline need."""
    access = _access(participant)
    annotations: dict[str, Any] = {}
    if access.can_read(CaseworkSection.OUTCOMES):
        annotations["next_follow_up_on"] = Subquery(
            FollowUp.objects.filter(exit__placement_id=OuterRef("pk"), done_at__isnull=True)
            .order_by("due_on")
            .values("due_on")[:1]
        )
    placements = placement_list_for(user=user).filter(participant=participant)
    if access.can_read(CaseworkSection.REVIEWS):
        placements = with_review_dates(placements)
    return list(
        placements.select_related(None)
        .select_related("unit", "referring_organisation", "case_officer", "data_key")
        .prefetch_related(
            Prefetch(
                "supervisor_assignments",
                queryset=PlacementSupervisor.objects.filter(ended_on__isnull=True)
                .select_related("supervisor")
                .order_by("assigned_on"),
                to_attr="current_supervisors",
            )
        )
        .annotate(**annotations)
        .order_by("-referred_on", "pk")
    )


def _next_due(placements: list[Placement], participant: Participant, today: date):
    access = _access(participant)
    items: list[DueItem] = []
    for placement in placements:
        if placement.status in RUNNING and access.can_read(CaseworkSection.REVIEWS):
            due = placement_review_due_on(placement)
            if due is not None:
                items.append(DueItem(str(_("Review")), due, is_overdue(due, today=today)))
        if placement.status in RUNNING and placement.planned_end:
            items.append(
                DueItem(
                    str(_("Planned end")),
                    placement.planned_end,
                    is_overdue(placement.planned_end, today=today),
                )
            )
        follow_up_on = getattr(placement, "next_follow_up_on", None)
        if follow_up_on is not None:
            items.append(
                DueItem(str(_("Follow-up")), follow_up_on, is_overdue(follow_up_on, today=today))
            )
        if (
            placement.plan_status == Placement.PlanStatus.SUBMITTED
            and access.can_read(PlacementSection.PLAN)
            and placement.plan_submitted_at
        ):
            submitted = timezone.localdate(placement.plan_submitted_at)
            items.append(DueItem(str(_("Plan awaiting a decision")), submitted, False))
    return min(items, key=lambda item: item.on, default=None)


def record_summary_for(*, user: User, participant: Participant) -> RecordSummary:
    """The header of the participant's record. Two queries, whatever the record holds.

    ``participant`` comes from ``participant_get_for`` (with ``.access``).
    """
    placements = _visible_placements(user=user, participant=participant)
    current = min(
        placements,
        key=lambda placement: (
            _CURRENT_ORDER.get(placement.status, 3),
            -(placement.actual_end or placement.referred_on).toordinal(),
        ),
        default=None,
    )
    return RecordSummary(
        participant=participant,
        identity_number=identity_number_for(participant),
        placement=current,
        supervisors=[
            assignment.supervisor for assignment in getattr(current, "current_supervisors", [])
        ],
        next_due=_next_due(placements, participant, timezone.localdate()),
        placements=placements,
    )


# --- The timeline -------------------------------------------------------------


@dataclass
class TimelineEvent:
    on: date
    kind: str
    title: str
    by: str = ""
    text: str = ""
    detail: str = ""
    #: Orders events of the same day (a referral before its start, a start before its end).
    at: datetime | None = None


@dataclass
class PlacementTimeline:
    placement: Placement
    events: list[TimelineEvent] = field(default_factory=list)
    exit: Exit | None = None
    review_due_on: date | None = None
    review_overdue: bool = False


_PLAN_EVENTS = {
    "plan submitted": _("Plan version %(version)s submitted for approval"),
    "plan approved": _("Plan version %(version)s approved"),
    "plan changes requested": _("Changes requested to plan version %(version)s"),
}


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def placement_timeline_for(
    *, user: User, participant: Participant, placements: list[Placement] | None = None
) -> list[PlacementTimeline]:
    """Each visible placement with its events in date order. A constant number of
    queries (history, pauses, reviews, exits, follow-ups; and the placements with
    their supervisors unless ``placements`` comes from ``record_summary_for``)."""
    access = _access(participant)
    if placements is None:
        placements = _visible_placements(user=user, participant=participant)
    today = timezone.localdate()
    timelines = {placement.pk: PlacementTimeline(placement) for placement in placements}
    ids = list(timelines)
    if not ids:
        return []
    history = Placement.history.model.objects.filter(
        id__in=ids,
        history_change_reason__in=[
            "referral registered",
            "placement started",
            "placement ended",
            *(_PLAN_EVENTS if access.can_read(PlacementSection.PLAN) else ()),
        ],
    ).select_related("history_user")
    versions: dict = {}
    for row in history.order_by("history_date", "history_id"):
        timeline = timelines[row.id]
        reason = row.history_change_reason
        by = _name(row.history_user)
        at = row.history_date
        if reason == "referral registered":
            agency = row.referring_organisation_id and timeline.placement.referring_organisation
            timeline.events.append(
                TimelineEvent(
                    row.referred_on,
                    "referral",
                    str(_("Referred")),
                    by,
                    detail=agency.name if agency else "",
                    at=at,
                )
            )
        elif reason == "placement started":
            timeline.events.append(
                TimelineEvent(row.start_date, "start", str(_("Started")), by, at=at)
            )
        elif reason == "placement ended":
            timeline.events.append(TimelineEvent(row.actual_end, "end", str(_("Ended")), by, at=at))
        else:
            if reason == "plan submitted":
                versions[row.id] = versions.get(row.id, 0) + 1
            version = versions.get(row.id, 1)
            comment = ""
            if reason in ("plan approved", "plan changes requested"):
                comment = row.plan_comment
            timeline.events.append(
                TimelineEvent(
                    timezone.localdate(at),
                    "plan",
                    str(_PLAN_EVENTS[reason] % {"version": version}),
                    by,
                    text=comment,
                    at=at,
                )
            )
    for pause in (
        PlacementPause.objects.filter(placement_id__in=ids)
        .select_related("data_key", "paused_by", "resumed_by")
        .order_by("paused_on", "pk")
    ):
        timeline = timelines[pause.placement_id]
        timeline.events.append(
            TimelineEvent(
                pause.paused_on,
                "pause",
                str(_("Paused")),
                _name(pause.paused_by),
                text=pause.reason,
            )
        )
        if pause.resumed_on:
            timeline.events.append(
                TimelineEvent(
                    pause.resumed_on, "resume", str(_("Resumed")), _name(pause.resumed_by)
                )
            )
    if access.can_read(CaseworkSection.REVIEWS):
        for review in (
            Review.objects.filter(placement_id__in=ids)
            .select_related("data_key", "case_officer")
            .order_by("date", "pk")
        ):
            next_on = review.next_review_on
            timelines[review.placement_id].events.append(
                TimelineEvent(
                    review.date,
                    "review",
                    str(_("Review: %(decision)s") % {"decision": review.get_decision_display()}),
                    _name(review.case_officer),
                    text=review.summary,
                    detail=str(_("Next review %(date)s") % {"date": next_on.isoformat()})
                    if next_on
                    else "",
                )
            )
    if access.can_read(CaseworkSection.OUTCOMES):
        for exit_record in Exit.objects.filter(placement_id__in=ids).select_related(
            "data_key", "recorded_by"
        ):
            timeline = timelines[exit_record.placement_id]
            timeline.exit = exit_record
            timeline.events.append(
                TimelineEvent(
                    exit_record.date,
                    "exit",
                    str(_("Exit: %(outcome)s") % {"outcome": exit_record.get_outcome_display()}),
                    _name(exit_record.recorded_by),
                    text=exit_record.comment,
                )
            )
        for follow_up in (
            FollowUp.objects.filter(exit__placement_id__in=ids)
            .select_related("data_key", "done_by", "exit")
            .order_by("due_on", "pk")
        ):
            timeline = timelines[follow_up.exit.placement_id]
            if follow_up.done_at:
                title = _("Follow-up %(kind)s: %(status)s") % {
                    "kind": follow_up.get_kind_display(),
                    "status": follow_up.get_status_found_display(),
                }
                on = timezone.localdate(follow_up.done_at)
            else:
                title = _("Follow-up %(kind)s due") % {"kind": follow_up.get_kind_display()}
                on = follow_up.due_on
            timeline.events.append(
                TimelineEvent(
                    on,
                    "follow_up",
                    str(title),
                    _name(follow_up.done_by),
                    detail=str(_("Overdue"))
                    if not follow_up.done_at and is_overdue(on, today=today)
                    else "",
                )
            )
    for timeline in timelines.values():
        placement = timeline.placement
        if placement.status in RUNNING and access.can_read(CaseworkSection.REVIEWS):
            timeline.review_due_on = placement_review_due_on(placement)
            timeline.review_overdue = is_overdue(timeline.review_due_on, today=today)
        timeline.events.sort(key=lambda event: (event.on, event.at is None, event.at or 0))
    return list(timelines.values())


# --- What a review is based on ------------------------------------------------

REVIEW_NOTES_SHOWN = 10


@dataclass
class ReviewBasis:
    """What the case officer sees beside the review form: attendance, notes, goals, plan."""

    planned_hours: Any
    attended_hours: Any
    absent_days: int
    notes: list
    goals: list
    last_review: Review | None
    due_on: date | None
    overdue: bool
    sections: frozenset = frozenset()


def review_basis_for(*, user: User, placement: Placement) -> ReviewBasis:
    """For a placement from ``placement_get_for``: only what its access lets the user
    read (a case officer: shared notes only). Four queries."""
    access = _access(placement)
    totals = attendance_list_for(user=user, placement=placement).aggregate(
        planned=Sum("planned_hours"),
        attended=Sum("attended_hours"),
        absent=Count("pk", filter=~Q(absence_reason="")),
    )
    reviews = (
        list(
            Review.objects.filter(placement=placement)
            .order_by("-date", "-pk")
            .select_related("data_key")[:1]
        )
        if access.can_read(CaseworkSection.REVIEWS)
        else []
    )
    last = reviews[0] if reviews else None
    if last is not None:
        placement.last_review_on = last.date  # type: ignore[attr-defined]
        placement.next_review_on = last.next_review_on  # type: ignore[attr-defined]
    due = placement_review_due_on(placement) if placement.status in RUNNING else None
    return ReviewBasis(
        planned_hours=totals["planned"] or 0,
        attended_hours=totals["attended"] or 0,
        absent_days=totals["absent"] or 0,
        notes=list(progress_note_list_for(placement=placement)[:REVIEW_NOTES_SHOWN]),
        goals=list(goal_list_for(placement=placement)),
        last_review=last,
        due_on=due,
        overdue=is_overdue(due, today=timezone.localdate()),
        sections=access.read,
    )
