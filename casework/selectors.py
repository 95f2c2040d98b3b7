"""Permission-scoped reads of casework on a placement fetched with placement_get_for."""

from django.db.models import QuerySet

from participants.policy import Section
from placements.models import Placement

from .models import Assessment, Goal, ProgressNote, Review


def progress_note_list_for(*, placement: Placement) -> QuerySet[ProgressNote]:
    """Internal notes only for those who may read them; shared notes for the case officer."""
    access = placement.access
    notes = placement.notes.select_related("data_key", "author")
    if access.can_read(Section.INTERNAL_NOTES):
        return notes
    if access.can_read(Section.SHARED_NOTES):
        return notes.filter(visibility=ProgressNote.Visibility.SHARED)
    return notes.none()


def goal_list_for(*, placement: Placement) -> QuerySet[Goal]:
    if not placement.access.can_read(Section.GOALS):
        return Goal.objects.none()
    return placement.goals.select_related("data_key")


def assessment_list_for(*, placement: Placement) -> QuerySet[Assessment]:
    if not placement.access.can_read(Section.ASSESSMENTS):
        return Assessment.objects.none()
    return (
        placement.assessments.select_related("data_key", "instrument")
        .prefetch_related("scores__item")
        .order_by("date")
    )


def review_list_for(*, placement: Placement) -> QuerySet[Review]:
    if not placement.access.can_read(Section.REVIEWS):
        return Review.objects.none()
    return placement.reviews.select_related("data_key")
