"""Permission-scoped reads of casework on a placement fetched with placement_get_for."""

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404

from accounts.models import Role, User
from accounts.roles import organisations_with_role
from participants import access
from participants.models import Participant
from participants.policy import Access
from placements.models import Attendance, Placement, PlacementUserObjectPermission
from placements.sections import PlacementSection
from placements.selectors import placement_get_for, placement_list_for

from .models import Assessment, Exit, FollowUp, Goal, Outcome, ProgressNote, Review, Score
from .sections import CaseworkSection

RUNNING = (Placement.Status.ACTIVE, Placement.Status.PAUSED)


def _notes_readable(notes: QuerySet[ProgressNote], access: Access) -> QuerySet[ProgressNote]:
    if access.can_read(CaseworkSection.INTERNAL_NOTES):
        return notes
    if access.can_read(CaseworkSection.SHARED_NOTES):
        return notes.filter(visibility=ProgressNote.Visibility.SHARED)
    return notes.none()


def progress_note_list_for(*, placement: Placement) -> QuerySet[ProgressNote]:
    """Internal notes only for those who may read them; shared notes for the case officer."""
    access = placement.access
    notes = placement.notes.select_related("data_key", "author")
    if access.can_read(CaseworkSection.INTERNAL_NOTES):
        return notes
    if access.can_read(CaseworkSection.SHARED_NOTES):
        return notes.filter(visibility=ProgressNote.Visibility.SHARED)
    return notes.none()


def goal_list_for(*, placement: Placement) -> QuerySet[Goal]:
    if not placement.access.can_read(CaseworkSection.GOALS):
        return Goal.objects.none()
    return placement.goals.select_related("data_key")


def assessment_list_for(*, placement: Placement) -> QuerySet[Assessment]:
    if not placement.access.can_read(CaseworkSection.ASSESSMENTS):
        return Assessment.objects.none()
    return (
        placement.assessments.select_related("data_key", "instrument")
        .prefetch_related("scores__item")
        .order_by("date")
    )


def review_list_for(*, placement: Placement) -> QuerySet[Review]:
    if not placement.access.can_read(CaseworkSection.REVIEWS):
        return Review.objects.none()
    return placement.reviews.select_related("data_key")


# --- A participant's casework across the placements the user may see --------
# ``participant`` comes from participants.selectors.participant_get_for, with
# ``.access``; only placements placement_list_for shows the user are included.


def _of_visible_placements(*, user: User, participant: Participant) -> Q:
    """Rows of the participant's placements that the user may see.

    The ``placement__participant`` condition is implied by the subquery but
    lets the database start from this participant's few placements: with the
    subquery alone, PostgreSQL read every note of every placement against it
    (the notes page took 1 s at 100,000 participants, docs/performance.md).
    """
    return Q(placement__participant=participant) & Q(
        placement_id__in=placement_list_for(user=user).filter(participant=participant).values("pk")
    )


def participant_note_list_for(*, user: User, participant: Participant) -> QuerySet[ProgressNote]:
    """The participant's notes the user may read: shared only, for the case officer."""
    notes = ProgressNote.objects.filter(
        _of_visible_placements(user=user, participant=participant)
    ).select_related("data_key", "author", "placement__unit")
    return _notes_readable(notes, participant.access)


def participant_goal_list_for(*, user: User, participant: Participant) -> QuerySet[Goal]:
    if not participant.access.can_read(CaseworkSection.GOALS):
        return Goal.objects.none()
    return (
        Goal.objects.filter(_of_visible_placements(user=user, participant=participant))
        .select_related("data_key", "placement__unit")
        .order_by("status", "target_date", "pk")
    )


def participant_assessment_list_for(
    *, user: User, participant: Participant
) -> QuerySet[Assessment]:
    """Assessments in date order, scores and their areas prefetched (three queries)."""
    if not participant.access.can_read(CaseworkSection.ASSESSMENTS):
        return Assessment.objects.none()
    return (
        Assessment.objects.filter(_of_visible_placements(user=user, participant=participant))
        .select_related("data_key", "instrument", "assessed_by")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("item")))
        .order_by("date", "pk")
    )


def placements_to_log_for(*, user: User, participant: Participant) -> QuerySet[Placement]:
    """Running placements of the participant the user may record progress on."""
    placements = (
        placement_list_for(user=user)
        .filter(participant=participant, status__in=RUNNING)
        .select_related(None)
        .select_related("unit")
        .order_by("-start_date", "pk")
    )
    if participant.organisation_id in organisations_with_role(user, Role.MANAGER):
        return placements
    return placements.filter(
        access.grant_exists(
            PlacementUserObjectPermission, user=user, codename="log_progress", state=access.OPEN
        )
    )


def placement_summary_list_for(*, user: User, participant: Participant) -> list[Placement]:
    """The participant's placements the user may see, each with the summaries
    (attendance, latest review, exit, next follow-up) its policy allows. One query."""
    access = participant.access
    placements = (
        placement_list_for(user=user)
        .filter(participant=participant)
        .select_related(None)
        .select_related("unit", "referring_organisation")
        .order_by("-referred_on", "pk")
    )
    annotations = {}
    if access.can_read(PlacementSection.ATTENDANCE):
        for name, column in (
            ("attended_total", "attended_hours"),
            ("planned_total", "planned_hours"),
        ):
            annotations[name] = Subquery(
                Attendance.objects.filter(placement_id=OuterRef("pk"))
                .values("placement_id")
                .annotate(total=Sum(column))
                .values("total")
            )
    if access.can_read(CaseworkSection.REVIEWS):
        latest = Review.objects.filter(placement_id=OuterRef("pk")).order_by("-date", "-pk")
        annotations["last_review_on"] = Subquery(latest.values("date")[:1])
        annotations["last_review_decision"] = Subquery(latest.values("decision")[:1])
    if access.can_read(CaseworkSection.OUTCOMES):
        exits = Exit.objects.filter(placement_id=OuterRef("pk"))
        annotations["exit_on"] = Subquery(exits.values("date")[:1])
        annotations["exit_outcome"] = Subquery(exits.values("outcome")[:1])
        annotations["next_follow_up_on"] = Subquery(
            FollowUp.objects.filter(exit__placement_id=OuterRef("pk"), done_at__isnull=True)
            .order_by("due_on")
            .values("due_on")[:1]
        )
    rows = list(placements.annotate(**annotations))
    for placement in rows:
        outcome = getattr(placement, "exit_outcome", None)
        placement.exit_outcome_label = Outcome(outcome).label if outcome else ""
        decision = getattr(placement, "last_review_decision", None)
        placement.last_review_label = Review.Decision(decision).label if decision else ""
    return rows


def goal_get_for(*, user: User, goal_id) -> Goal:
    """The goal with its placement (``.access`` set), or Http404."""
    placement_id = Goal.objects.filter(pk=goal_id).values_list("placement_id", flat=True).first()
    if placement_id is None:
        raise Http404
    placement = placement_get_for(user=user, placement_id=placement_id)
    if not placement.access.can_read(CaseworkSection.GOALS):
        raise Http404
    goal = placement.goals.select_related("data_key").get(pk=goal_id)
    goal.placement = placement
    return goal
