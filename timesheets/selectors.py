"""Permission-scoped reads of time confirmations, and the digest that tells whether
a confirmation still covers the attendance recorded now."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.roles import organisations_with_role
from participants.policy import Relation
from placements.models import Attendance, Placement
from placements.sections import PlacementSection
from placements.selectors import (
    LIST_PARTICIPANT_DEFERRED,
    AttendanceMonth,
    attendance_month_for,
    unit_placements_for,
)

from .models import TimeConfirmation


class ConfirmationState(models.TextChoices):
    """What a placement-month's confirmation amounts to now."""

    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")
    OUTDATED = "outdated", _("Outdated – attendance changed after the confirmation")


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(first_day: date) -> date:
    """The last day of the month that starts on ``first_day``."""
    return (first_day + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _hours(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def attendance_digest(rows: Iterable[tuple]) -> str:
    """SHA-256 (hex) of a month's attendance: (date, planned, attended, absence reason)
    per recorded day, in date order. The note is not part of the time confirmed."""
    lines = sorted(
        f"{day.isoformat()}|{_hours(planned)}|{_hours(attended)}|{reason}"
        for day, planned, attended, reason in rows
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def control_code(digest: str) -> str:
    """The short form of a digest printed on the monthly sheet ("A1B2-C3D4"): the
    supervisor checks it against the screen when the signed paper comes back."""
    return f"{digest[:4]}-{digest[4:8]}".upper()


def _rows_of(report: AttendanceMonth) -> list[tuple]:
    return [
        (day.day, row.planned_hours, row.attended_hours, row.absence_reason)
        for day in report.days
        if (row := day.attendance) is not None
    ]


def state_of(confirmation: TimeConfirmation | None, digest: str) -> str:
    if confirmation is None:
        return ConfirmationState.NOT_CONFIRMED
    if confirmation.digest != digest:
        return ConfirmationState.OUTDATED
    if confirmation.status == TimeConfirmation.Status.DISPUTED:
        return ConfirmationState.DISPUTED
    return ConfirmationState.CONFIRMED


@dataclass
class MonthConfirmation:
    """A placement-month: its confirmation (or none), the digest of the attendance
    recorded now, and what the confirmation amounts to."""

    placement_id: object
    month: date
    confirmation: TimeConfirmation | None
    digest: str
    state: str

    @property
    def control_code(self) -> str:
        return control_code(self.digest)

    @property
    def state_label(self) -> str:
        return str(ConfirmationState(self.state).label)

    @property
    def disputed_days(self) -> list[date]:
        if self.confirmation is None:
            return []
        return [date.fromisoformat(day) for day in self.confirmation.disputed_days]


def time_confirmations_of_months(
    placements: Iterable[Placement], months: Iterable[date]
) -> dict[tuple, MonthConfirmation]:
    """(placement id, first day of month) → MonthConfirmation, for every pair.

    For placements the caller has already read through a permission-scoped
    selector (and may read the attendance of). Two queries whatever the number
    of placements and months: the confirmations, and the months' attendance rows
    for the digests. The participant's comment is not read here (``defer``): a
    report shows the state, the days and who recorded it.
    """
    placement_ids = [placement.pk for placement in placements]
    firsts = sorted({month_start(month) for month in months})
    if not placement_ids or not firsts:
        return {}
    confirmations = {
        (row.placement_id, row.month): row
        for row in TimeConfirmation.objects.filter(placement_id__in=placement_ids, month__in=firsts)
        .select_related("recorded_by", "resolved_by")
        .defer("comment", "resolution_comment")
    }
    rows: dict[tuple, list[tuple]] = {}
    in_months = Q()
    for first in firsts:
        in_months |= Q(date__range=(first, month_end(first)))
    for placement_id, day, planned, attended, reason in (
        Attendance.objects.filter(in_months, placement_id__in=placement_ids)
        .order_by()
        .values_list("placement_id", "date", "planned_hours", "attended_hours", "absence_reason")
    ):
        rows.setdefault((placement_id, month_start(day)), []).append(
            (day, planned, attended, reason)
        )
    found = {}
    for placement_id in placement_ids:
        for first in firsts:
            key = (placement_id, first)
            digest = attendance_digest(rows.get(key, []))
            confirmation = confirmations.get(key)
            found[key] = MonthConfirmation(
                placement_id, first, confirmation, digest, state_of(confirmation, digest)
            )
    return found


@dataclass
class ConfirmationPage:
    """One placement-month for the confirmation screen: the days, the confirmation."""

    report: AttendanceMonth
    current: MonthConfirmation
    relations: frozenset = field(default_factory=frozenset)

    @property
    def placement(self) -> Placement:
        return self.report.placement


def month_of_report(report: AttendanceMonth) -> MonthConfirmation:
    """The confirmation of the report's month, checked against the report's own rows
    (one query; the report has the attendance already)."""
    placement = report.placement
    confirmation = (
        TimeConfirmation.objects.filter(placement=placement, month=report.first_day)
        .select_related("recorded_by", "resolved_by", "data_key")
        .first()
    )
    digest = attendance_digest(_rows_of(report))
    return MonthConfirmation(
        placement.pk, report.first_day, confirmation, digest, state_of(confirmation, digest)
    )


def time_confirmation_page_for(
    *, user: User, placement_id, year: int, month: int
) -> ConfirmationPage:
    """The month's attendance and its confirmation, for a user who records attendance
    on the placement (manager or current supervisor): Http404 for a placement the user
    does not see, PermissionDenied for one whose attendance they only read. Three queries."""
    report = attendance_month_for(user=user, placement_id=placement_id, year=year, month=month)
    access = report.placement.access  # type: ignore[attr-defined]  # set by placement_get_for
    if not access.can_write(PlacementSection.ATTENDANCE):
        raise PermissionDenied
    return ConfirmationPage(
        report=report, current=month_of_report(report), relations=access.relations
    )


@dataclass
class UnitMonth:
    unit: object
    first_day: date
    relation: str
    #: (placement, MonthConfirmation), in the grid's order.
    rows: list = field(default_factory=list)


def unit_month_for(*, user: User, unit_id, first_day: date) -> UnitMonth:
    """The placements at a unit in a month that the user records attendance for, each
    with its confirmation state; Http404 for a unit the user does not record at.
    Four queries: unit, placements, confirmations, attendance rows."""
    unit, placements, relation = unit_placements_for(
        user=user, unit_id=unit_id, first_day=first_day, last_day=month_end(first_day)
    )
    found = time_confirmations_of_months(placements, [first_day])
    return UnitMonth(
        unit=unit,
        first_day=first_day,
        relation=relation,
        rows=[(placement, found[(placement.pk, first_day)]) for placement in placements],
    )


def time_dispute_list_for(*, user: User) -> QuerySet[TimeConfirmation]:
    """Disputes waiting for a decision, at the enterprises the user manages; oldest first."""
    if not user.is_authenticated or not user.is_active:
        return TimeConfirmation.objects.none()
    managed = organisations_with_role(user, Role.MANAGER)
    return (
        TimeConfirmation.objects.filter(
            status=TimeConfirmation.Status.DISPUTED,
            resolution="",
            placement__participant__organisation_id__in=managed,
        )
        .select_related(
            "placement",
            "placement__participant",
            "placement__participant__data_key",
            "placement__unit",
            "recorded_by",
        )
        .defer(
            "comment",
            "resolution_comment",
            *(f"placement__{name}" for name in LIST_PARTICIPANT_DEFERRED),
        )
        .order_by("recorded_at", "pk")
    )


def time_dispute_get_for(*, user: User, placement_id, year: int, month: int) -> ConfirmationPage:
    """A placement-month for the manager's decision on a dispute; Http404 unless the
    user manages the placement's enterprise. Three queries."""
    page = time_confirmation_page_for(user=user, placement_id=placement_id, year=year, month=month)
    if Relation.MANAGER not in page.relations:
        raise Http404
    return page
