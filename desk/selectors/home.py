"""What each role's home page shows: a few items per section, each a constant
number of queries, with a flag saying whether the full list has more."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Max, Q
from django.utils import timezone

from accounts.models import Role, User
from accounts.roles import organisations_with_role
from accounts.selectors import membership_pending_list_for
from casework import due
from casework.selectors_followup import follow_ups_due_for, reviews_due_for
from participants.selectors import of_organisations
from placements.models import Placement
from placements.selectors import (
    LIST_PARTICIPANT_DEFERRED,
    RUNNING,
    placement_list_for,
    placement_supervised_by,
)
from referrals.selectors import referral_sent_by, referral_waiting_for
from timesheets.selectors import time_dispute_list_for

HOME_LIMIT = 10
#: An active placement without an assessment for this long is due one.
ASSESSMENT_INTERVAL_DAYS = 90


@dataclass
class HomeList:
    items: list
    has_more: bool


def _first(queryset, limit: int = HOME_LIMIT) -> HomeList:
    """One query: fetch one row more than shown, to know whether there are more."""
    rows = list(queryset[: limit + 1])
    return HomeList(items=rows[:limit], has_more=len(rows) > limit)


def home_supervisor_for(*, user: User, today: date | None = None) -> dict:
    """Today's attendance per unit, assessments and follow-ups due, their participants.

    Four queries.
    """
    today = today or timezone.localdate()
    supervised = placement_supervised_by(user=user).filter(status__in=RUNNING)
    units = list(
        supervised.values("unit_id", "unit__name")
        .annotate(
            placements=Count("id", distinct=True),
            scheduled_today=Count(
                "id",
                distinct=True,
                filter=Q(status=Placement.Status.ACTIVE)
                & Q(weekdays__contains=str(today.isoweekday())),
            ),
            recorded_today=Count("attendance", filter=Q(attendance__date=today)),
        )
        .order_by("unit__name")
    )
    assessments_due = _first(
        supervised.filter(status=Placement.Status.ACTIVE)
        .defer(*LIST_PARTICIPANT_DEFERRED)
        .annotate(last_assessed_on=Max("assessments__date"))
        .filter(
            Q(last_assessed_on__isnull=True)
            | Q(last_assessed_on__lte=today - timedelta(days=ASSESSMENT_INTERVAL_DAYS))
        )
        .order_by(F("last_assessed_on").asc(nulls_first=True), "start_date", "pk")
    )
    return {
        "today": today,
        "week_start": today - timedelta(days=today.weekday()),
        "units": units,
        "assessments_due": assessments_due,
        "follow_ups_due": _first(follow_ups_due_for(user=user, today=today)),
        "participants": _first(
            supervised.defer(*LIST_PARTICIPANT_DEFERRED).order_by("start_date", "pk")
        ),
    }


def home_case_officer_for(*, user: User, today: date | None = None) -> dict:
    """Plans awaiting approval, reviews due, their placements counted per enterprise.

    Four queries (with the case officer's referrals by status).
    """
    today = today or timezone.localdate()
    mine = placement_list_for(user=user).filter(case_officer=user)
    reviews = _first(reviews_due_for(user=user, today=today))
    for placement in reviews.items:
        placement.review_due_on = due.placement_review_due_on(placement)
        placement.review_overdue = due.is_overdue(placement.review_due_on, today=today)
    return {
        "today": today,
        "plans_submitted": _first(
            mine.filter(plan_status=Placement.PlanStatus.SUBMITTED)
            .select_related("unit__organisation")
            .defer(*LIST_PARTICIPANT_DEFERRED)
            .order_by("plan_submitted_at", "pk")
        ),
        "reviews_due": reviews,
        # The case officer's own referrals by status (one query).
        "referrals_by_status": dict(
            referral_sent_by(user=user).order_by().values_list("status").annotate(count=Count("id"))
        ),
        "by_enterprise": list(
            mine.exclude(status=Placement.Status.ENDED)
            .values("participant__organisation_id", "participant__organisation__name")
            .annotate(
                active=Count("id", filter=Q(status=Placement.Status.ACTIVE)),
                paused=Count("id", filter=Q(status=Placement.Status.PAUSED)),
                waiting=Count(
                    "id",
                    filter=Q(status__in=[Placement.Status.REFERRED, Placement.Status.PLANNED]),
                ),
            )
            .order_by("participant__organisation__name")
        ),
    }


def home_manager_for(*, user: User, today: date | None = None) -> dict:
    """Referrals waiting, running placements per unit, what is overdue, access
    requests waiting for approval, referrals from agencies waiting, disputed attendance.
    Seven queries."""
    today = today or timezone.localdate()
    managed = organisations_with_role(user, Role.MANAGER)
    # The enterprise's participants first (accounts.lookups): placements carry
    # no enterprise, and from the status index PostgreSQL read the waiting and
    # running placements of every enterprise before keeping this one's.
    placements = placement_list_for(user=user).filter(of_organisations(managed))
    return {
        "today": today,
        "week_start": today - timedelta(days=today.weekday()),
        "referrals": _first(
            placements.filter(status__in=[Placement.Status.REFERRED, Placement.Status.PLANNED])
            .defer(*LIST_PARTICIPANT_DEFERRED)
            .order_by("referred_on", "pk")
        ),
        "units": list(
            placements.filter(status__in=RUNNING)
            .values("unit_id", "unit__name", "unit__organisation__name")
            .annotate(
                active=Count("id", filter=Q(status=Placement.Status.ACTIVE)),
                paused=Count("id", filter=Q(status=Placement.Status.PAUSED)),
            )
            .order_by("unit__organisation__name", "unit__name")
        ),
        "follow_ups_overdue": _first(
            follow_ups_due_for(user=user, today=today).filter(due.follow_ups_overdue(today))
        ),
        "past_planned_end": _first(
            placements.filter(due.planned_end_passed(today))
            .defer(*LIST_PARTICIPANT_DEFERRED)
            .order_by("planned_end", "pk")
        ),
        "access_requests": membership_pending_list_for(user=user).count(),
        # Referrals sent by agencies' case officers, waiting for the manager's answer.
        # A plain list, not a HomeList: a referral has no participant record yet.
        "agency_referrals": list(referral_waiting_for(user=user)[:HOME_LIMIT]),
        # Months a participant disputed, waiting for the manager's decision (a count).
        "time_disputes": time_dispute_list_for(user=user).count(),
    }


def participants_on_home(sections: list[dict]) -> list:
    """The participants the home page's cards show (placements and follow-ups
    carry their ``participant_id``), for the page's access events."""
    return list(
        dict.fromkeys(
            item.participant_id
            for section in sections
            for listed in section.values()
            if isinstance(listed, HomeList)
            for item in listed.items
        )
    )
