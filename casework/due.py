"""When reviews, follow-ups and plan deadlines fall due: the one rule.

The home pages, the review and follow-up lists, the participant record, the
notification job and the reports all ask this module; none keeps a copy of the
intervals or the comparisons (``tests/casework/test_due.py`` checks that).

- A **review** of a running placement falls due on the next review date set at
  the last review or, with none set, 90 days after the last review (or the
  start).
- A **follow-up** falls due 28 days and six months after the exit and stays due
  until it is recorded.
- A placement's **plan deadline** is its planned end: a running placement past
  it is overdue for a decision (extend or end).
- Lists show what falls due within 14 days; a notification says "due soon"
  within 7 days and "overdue" the day after the due date.
"""

import calendar
from datetime import date, timedelta
from enum import StrEnum

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from placements.models import Placement
from placements.selectors import RUNNING

from .models import FollowUp, Review

#: A review is due when the next review date set at the last one is this close,
REVIEW_DUE_WITHIN_DAYS = 14
#: or, with no next date set, when nothing has been reviewed for this long.
REVIEW_INTERVAL_DAYS = 90
#: Follow-ups show as due this many days ahead.
FOLLOW_UP_DUE_WITHIN_DAYS = 14
#: Follow-ups after an exit: 28 days and six months.
FOLLOW_UP_DAYS = 28
FOLLOW_UP_MONTHS = 6
#: A notification tells of a due item this many days ahead ("due soon").
DUE_SOON_DAYS = 7


class DueState(StrEnum):
    SOON = "soon"
    OVERDUE = "overdue"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def due_state(due_on: date | None, *, today: date) -> DueState | None:
    """Overdue the day after ``due_on``; due soon within ``DUE_SOON_DAYS``; else nothing."""
    if due_on is None:
        return None
    if due_on < today:
        return DueState.OVERDUE
    if due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return DueState.SOON
    return None


def is_overdue(due_on: date | None, *, today: date) -> bool:
    return due_on is not None and due_on < today


# --- reviews -------------------------------------------------------------------------


def with_review_dates(placements: QuerySet[Placement]) -> QuerySet[Placement]:
    """Annotate what ``reviews_due_by`` and ``placement_review_due_on`` read: the last
    review's date and its next review date, and the base of the 90-day interval."""
    latest = Review.objects.filter(placement=OuterRef("pk")).order_by("-date", "-pk")
    return placements.annotate(
        last_review_on=Max("reviews__date"),
        next_review_on=Subquery(latest.values("next_review_on")[:1]),
    ).annotate(review_base=Coalesce("last_review_on", "start_date"))


def reviews_due_by(horizon: date) -> Q:
    """Running placements (from ``with_review_dates``) whose review falls due by ``horizon``.

    Date arithmetic stays in Python: the cut-off for "no review in 90 days" is a
    constant, so the query compares plain dates on every database.
    """
    return Q(status__in=RUNNING) & (
        Q(next_review_on__lte=horizon)
        | Q(
            next_review_on__isnull=True,
            review_base__lte=horizon - timedelta(days=REVIEW_INTERVAL_DAYS),
        )
    )


def review_due_order() -> Coalesce:
    """Order by the date the review fell or falls due."""
    return Coalesce("next_review_on", "review_base")


def review_due_on(
    *, next_review_on: date | None, last_review_on: date | None, start_date: date | None
) -> date | None:
    """When a running placement's next review falls due."""
    if next_review_on is not None:
        return next_review_on
    base = last_review_on or start_date
    return base + timedelta(days=REVIEW_INTERVAL_DAYS) if base else None


def placement_review_due_on(placement: Placement) -> date | None:
    """``review_due_on`` for a placement carrying ``review_annotations``."""
    return review_due_on(
        next_review_on=getattr(placement, "next_review_on", None),
        last_review_on=getattr(placement, "last_review_on", None),
        start_date=placement.start_date,
    )


# --- follow-ups ----------------------------------------------------------------------


def follow_up_due_dates(*, exit_on: date) -> dict[str, date]:
    """When an exit's follow-ups are due, by kind: 28 days and six months after it."""
    return {
        FollowUp.Kind.DAY_28: exit_on + timedelta(days=FOLLOW_UP_DAYS),
        FollowUp.Kind.MONTH_6: add_months(exit_on, FOLLOW_UP_MONTHS),
    }


def follow_ups_due_by(horizon: date) -> Q:
    """Follow-ups not yet recorded that fall due by ``horizon``."""
    return Q(done_at__isnull=True, due_on__lte=horizon)


def follow_ups_overdue(today: date) -> Q:
    """Follow-ups not yet recorded whose due date has passed."""
    return Q(done_at__isnull=True, due_on__lt=today)


def follow_up_counts_as_due(as_of: date) -> Q:
    """For the reports: a follow-up recorded, or due by ``as_of`` (recorded or not)."""
    return Q(due_on__lte=as_of) | Q(done_at__isnull=False)


# --- plan deadlines ------------------------------------------------------------------


def planned_end_passed(today: date) -> Q:
    """Running placements past their planned end: the plan's deadline has passed."""
    return Q(status__in=RUNNING, planned_end__lt=today)


def planned_end_by(horizon: date) -> Q:
    """Running placements whose planned end falls by ``horizon``."""
    return Q(status__in=RUNNING, planned_end__lte=horizon)
