"""Permission-scoped reads of placements and attendance."""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import models
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from accounts.lookups import InSubqueryFirst
from accounts.models import Membership, Organisation, Role, Unit, User
from accounts.roles import organisations_with_role
from encryption.fields import withhold
from participants import access
from participants.policy import (
    NO_ACCESS,
    PARTICIPANT_FIELDS,
    READ,
    Access,
    Relation,
    Section,
    access_for,
)
from participants.selectors import health_consent_exists

from .models import Attendance, Placement, PlacementSupervisor, PlacementUserObjectPermission
from .sections import PlacementSection

GRANT = PlacementUserObjectPermission


def _granted_ids(user: User, codename: str):
    return access.granted_ids(GRANT, user=user, codename=codename)


def _visible_q(user: User) -> Q:
    scope = access.scope_of(user)
    return (
        Q(participant__organisation_id__in=scope.managed)
        | (
            Q(InSubqueryFirst(F("pk"), _granted_ids(user, "view_placement")))
            & Q(participant__organisation_id__in=scope.supervised_at)
        )
        | (
            Q(InSubqueryFirst(F("pk"), _granted_ids(user, "review_placement")))
            & Q(referring_organisation_id__in=scope.agencies)
        )
    )


def placement_list_for(*, user: User) -> QuerySet[Placement]:
    """Every placement the user may see, with participant and unit."""
    if not user.is_authenticated or not user.is_active:
        return Placement.objects.none()
    return Placement.objects.filter(_visible_q(user)).select_related(
        "participant", "participant__data_key", "data_key", "unit", "referring_organisation"
    )


def placement_followed_list_for(*, user: User) -> QuerySet[Placement]:
    """The placements the user sees as a case officer (review grants at their agencies).

    A subset of :func:`placement_list_for`: the only placements a user can see
    outside the enterprises where they are manager or supervisor (a placement's
    unit is always of its participant's enterprise, see services).
    """
    if not user.is_authenticated or not user.is_active:
        return Placement.objects.none()
    return Placement.objects.filter(
        pk__in=_granted_ids(user, "review_placement"),
        referring_organisation_id__in=access.scope_of(user).agencies,
    )


def _relation_flags(user: User, scope: access.Scope) -> dict:
    """What the database tells about the user's relationship with each placement."""
    return {
        "_supervisor": access.grant_exists(
            GRANT, user=user, codename="log_progress", state=access.OPEN
        ),
        "_former_supervisor": access.grant_exists(GRANT, user=user, codename="view_placement"),
        "_case_officer": access.grant_exists(GRANT, user=user, codename="review_placement")
        & Q(referring_organisation_id__in=scope.agencies),
        "_health_consent": health_consent_exists(
            scope.agencies, participant=OuterRef("participant_id")
        ),
    }


def _access_from(scope: access.Scope, row: dict) -> Access:
    relations = access.relations_of(
        scope,
        organisation_id=row["participant__organisation_id"],
        supervisor=row["_supervisor"],
        former_supervisor=row["_former_supervisor"],
        case_officer=row["_case_officer"],
    )
    if not relations:
        return NO_ACCESS
    return access_for(relations, health_consent=bool(row["_health_consent"]))


FLAGS = ("participant__organisation_id", "_supervisor", "_former_supervisor", "_case_officer")


def placement_access_many(*, user: User, placement_ids) -> dict:
    """Placement id → the user's policy access through it (NO_ACCESS when none). One query."""
    if not user.is_authenticated or not user.is_active:
        return dict.fromkeys(placement_ids, NO_ACCESS)
    scope = access.scope_of(user)
    rows = (
        Placement.objects.filter(pk__in=list(placement_ids))
        .annotate(**_relation_flags(user, scope))
        .values("pk", *FLAGS, "_health_consent")
    )
    found = {row["pk"]: _access_from(scope, row) for row in rows}
    return {placement_id: found.get(placement_id, NO_ACCESS) for placement_id in placement_ids}


def placement_access_for(*, user: User, placement: Placement) -> Access:
    """The user's policy access to this placement's participant, via this placement."""
    return placement_access_many(user=user, placement_ids=[placement.pk])[placement.pk]


def placement_get_for(*, user: User, placement_id) -> Placement:
    """The placement with ``.access`` set, or Http404. One query."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    try:
        placement_id = uuid.UUID(str(placement_id))
    except ValueError:
        raise Http404 from None
    scope = access.scope_of(user)
    placement = (
        Placement.objects.filter(pk=placement_id)
        .select_related("participant", "participant__data_key", "data_key", "unit")
        .defer(*LIST_PARTICIPANT_DEFERRED)
        .annotate(**_relation_flags(user, scope))
        .first()
    )
    if placement is None:
        raise Http404
    flags = {name: getattr(placement, name) for name in (*FLAGS[1:], "_health_consent")}
    found = _access_from(
        scope, {**flags, "participant__organisation_id": placement.participant.organisation_id}
    )
    if not found.relations:
        raise Http404
    placement.access = found
    withhold(placement.participant, found.hidden_fields)
    return placement


def attendance_list_for(*, user: User, placement: Placement) -> QuerySet[Attendance]:
    """Attendance rows of a placement already fetched with placement_get_for."""
    if not placement.access.can_read(PlacementSection.ATTENDANCE):
        return Attendance.objects.none()
    return placement.attendance.select_related("data_key").order_by("date")


# --- screens: lists, choices, the attendance grid, the monthly report -------

LIST_PARTICIPANT_DEFERRED = tuple(
    f"participant__{name}"
    for section in (Section.CONTACT, Section.HEALTH)
    for name in PARTICIPANT_FIELDS[section]
)
RUNNING = (Placement.Status.ACTIVE, Placement.Status.PAUSED)


def names_visible_in_lists() -> bool:
    """Lists show names only while every relationship that makes a placement
    visible may read identity (the policy decides; lists do not ask per row)."""
    return all(Section.IDENTITY in READ[relation] for relation in Relation.values)


def _current_supervisors() -> Prefetch:
    return Prefetch(
        "supervisor_assignments",
        queryset=PlacementSupervisor.objects.filter(ended_on__isnull=True)
        .select_related("supervisor")
        .order_by("assigned_on"),
        to_attr="current_supervisors",
    )


def placement_page_for(
    *,
    user: User,
    status: str = "",
    plan_status: str = "",
    organisation_id=None,
    unit_id=None,
) -> QuerySet[Placement]:
    """The placement list screen: visible placements, filtered, with current supervisors.

    Two queries per page (rows, supervisors) whatever the number of rows.
    """
    placements = (
        placement_list_for(user=user)
        .select_related("participant__organisation", "unit__organisation")
        .defer(*LIST_PARTICIPANT_DEFERRED)
        .prefetch_related(_current_supervisors())
    )
    if status:
        placements = placements.filter(status=status)
    if plan_status:
        placements = placements.filter(plan_status=plan_status)
    if organisation_id:
        placements = placements.filter(participant__organisation_id=organisation_id)
    if unit_id:
        placements = placements.filter(unit_id=unit_id)
    return placements.order_by("participant__organisation__name", "-referred_on", "pk")


def placement_supervisors_of(*, placement: Placement) -> list[PlacementSupervisor]:
    """The placement's current supervisor assignments (for a placement already visible)."""
    return list(
        placement.supervisor_assignments.filter(ended_on__isnull=True)
        .select_related("supervisor")
        .order_by("assigned_on")
    )


def supervisor_choices(*, organisation_id) -> QuerySet[User]:
    """Users who are supervisors at the enterprise now."""
    return User.objects.filter(
        pk__in=Membership.objects.current()
        .filter(organisation_id=organisation_id, role=Role.SUPERVISOR)
        .values("user_id")
    ).order_by("first_name", "last_name", "username")


def case_officer_choices() -> QuerySet[Membership]:
    """Current case-officer memberships, with user and agency, for the referral form."""
    return (
        Membership.objects.current()
        .filter(role=Role.CASE_OFFICER, organisation__kind=Organisation.Kind.AGENCY)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__first_name", "user__last_name")
    )


def agency_choices() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=Organisation.Kind.AGENCY).order_by("name")


def unit_choices(*, organisation_id) -> QuerySet[Unit]:
    return Unit.objects.filter(organisation_id=organisation_id, active=True).order_by("name")


def hours_display(value) -> str:
    """Hours as the active language writes them: at most two decimals, no trailing
    zeros ("4", "6,5", "6,66" in Swedish; "4", "6.5" in English)."""
    value = Decimal(value).quantize(Decimal("0.01"))
    if value == value.to_integral_value():
        places = 0
    elif value * 10 == (value * 10).to_integral_value():
        places = 1
    else:
        places = 2
    return formats.number_format(value, decimal_pos=places, use_l10n=True)


def weekdays_display(codes: str) -> str:
    """ISO weekday codes as day names, runs joined by a dash ("12345" → "mån–fre",
    "1235" → "mån–ons, fre" in Swedish)."""
    days = sorted({int(code) for code in codes if code in "1234567"})
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        first, last = str(WEEKDAYS_ABBR[run[0] - 1]), str(WEEKDAYS_ABBR[run[-1] - 1])
        if len(run) == 1:
            parts.append(first)
        elif len(run) == 2:
            parts.append(f"{first}, {last}")
        else:
            parts.append(f"{first}–{last}")
    return ", ".join(parts)


class Closed(models.TextChoices):
    """Why a cell of the attendance grid takes no hours."""

    OUTSIDE = "outside", _("outside the placement")
    FUTURE = "future", _("not yet: a future day")
    PAUSED = "paused", _("the placement is paused")


@dataclass
class GridCell:
    day: date
    scheduled: bool
    open: bool  # hours can be recorded: inside the placement, not ahead, not paused
    planned: Decimal
    attendance: Attendance | None
    closed: str = ""  # a Closed code when not open

    @property
    def closed_label(self) -> str:
        return str(Closed(self.closed).label) if self.closed else ""


@dataclass
class GridRow:
    placement: Placement
    cells: list[GridCell]
    fill_hours: Decimal

    @property
    def planned_total(self) -> Decimal:
        return sum((cell.planned for cell in self.cells), Decimal(0))

    @property
    def attended_total(self) -> Decimal:
        return sum(
            (cell.attendance.attended_hours for cell in self.cells if cell.attendance),
            Decimal(0),
        )

    @property
    def recordable(self) -> bool:
        """At least one day of the week takes hours."""
        return any(cell.open for cell in self.cells)


@dataclass
class AttendanceWeek:
    unit: Unit
    week_start: date
    days: list[date]
    rows: list[GridRow]
    relation: str
    today: date

    @property
    def week_end(self) -> date:
        return self.days[-1]

    @property
    def planned_total(self) -> Decimal:
        return sum((row.planned_total for row in self.rows), Decimal(0))

    @property
    def attended_total(self) -> Decimal:
        return sum((row.attended_total for row in self.rows), Decimal(0))

    def day_totals(self) -> list[tuple[date, Decimal, Decimal]]:
        return [
            (
                day,
                sum((row.cells[index].planned for row in self.rows), Decimal(0)),
                sum(
                    (
                        row.cells[index].attendance.attended_hours
                        for row in self.rows
                        if row.cells[index].attendance
                    ),
                    Decimal(0),
                ),
            )
            for index, day in enumerate(self.days)
        ]


def attendance_today() -> date:
    """Today in the enterprises' time zone (settings.TIME_ZONE, Europe/Stockholm):
    the last day attendance can be recorded for."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def _in_placement(placement: Placement, day: date) -> bool:
    return (
        placement.start_date is not None
        and placement.start_date <= day
        and (placement.actual_end is None or day <= placement.actual_end)
    )


def grid_cell_closed(*, placement: Placement, day: date, today: date) -> str:
    """Why hours cannot be recorded for the placement on the day ("" when they can).

    The grid and attendance_record_week apply the same rule.
    """
    if not _in_placement(placement, day):
        return Closed.OUTSIDE
    if day > today:
        return Closed.FUTURE
    if placement.status == Placement.Status.PAUSED:
        return Closed.PAUSED
    return ""


def _records_at(user: User, unit: Unit) -> bool:
    """Whether the supervisor records attendance at the unit now (a current
    ``log_progress`` grant on a placement there): a week before or after their
    placements is then an empty grid, not a hidden unit (the grid's week links)."""
    return (
        Placement.objects.filter(unit=unit)
        .filter(access.grant_exists(GRANT, user=user, codename="log_progress", state=access.OPEN))
        .exists()
    )


def unit_placements_for(
    *, user: User, unit_id, first_day: date, last_day: date, prefetch: tuple = ()
) -> tuple[Unit, list[Placement], str]:
    """The unit, its placements in the period that the user records attendance for,
    and the user's relation there (manager or supervisor); Http404 for a unit the user
    does not record at. Three queries with one prefetch (unit, placements, the prefetch).

    A manager of the unit's enterprise records for every placement there; a supervisor
    only for those they hold ``log_progress`` on.
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404
    managed = organisations_with_role(user, Role.MANAGER)
    supervised_at = organisations_with_role(user, Role.SUPERVISOR)
    unit = Unit.objects.filter(pk=unit_id, organisation_id__in=[*managed, *supervised_at]).first()
    if unit is None:
        raise Http404
    placements = (
        Placement.objects.filter(
            unit=unit,
            status__in=[*RUNNING, Placement.Status.ENDED],
            start_date__lte=last_day,
        )
        .filter(Q(actual_end__isnull=True) | Q(actual_end__gte=first_day))
        .select_related("participant", "participant__data_key", "data_key")
        .defer(*LIST_PARTICIPANT_DEFERRED)
        .prefetch_related(*prefetch)
    )
    if unit.organisation_id in managed:
        relation = Relation.MANAGER
    else:
        relation = Relation.SUPERVISOR
        placements = placements.filter(
            access.grant_exists(GRANT, user=user, codename="log_progress", state=access.OPEN)
        )
    found = list(placements)
    if relation == Relation.SUPERVISOR and not found and not _records_at(user, unit):
        raise Http404
    if names_visible_in_lists():
        found.sort(key=lambda placement: placement.participant.full_name.casefold())
    return unit, found, relation


def attendance_week_for(*, user: User, unit_id, week_start: date) -> AttendanceWeek:
    """The unit-week attendance grid: the placements at the unit this user may record
    (unit_placements_for). Three queries: unit, placements, the week's rows.

    A cell is open (takes hours) inside the placement's dates, up to today, while
    the placement is not paused; a recorded day is shown whether open or not, so
    that one recorded by mistake can be cleared.
    """
    today = attendance_today()
    days = [week_start + timedelta(days=offset) for offset in range(7)]
    unit, placements, relation = unit_placements_for(
        user=user,
        unit_id=unit_id,
        first_day=days[0],
        last_day=days[-1],
        prefetch=(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.filter(date__range=(days[0], days[-1])).select_related(
                    "data_key"
                ),
                to_attr="week_attendance",
            ),
        ),
    )
    rows = []
    for placement in placements:
        recorded = {row.date: row for row in placement.week_attendance}  # type: ignore[attr-defined]
        cells = []
        for day in days:
            attendance = recorded.get(day)
            scheduled = placement.is_scheduled_on(day)
            closed = grid_cell_closed(placement=placement, day=day, today=today)
            if attendance is not None:
                planned = attendance.planned_hours
            elif scheduled and closed in ("", Closed.FUTURE):
                # The plan counts the days still ahead; a paused placement plans none.
                planned = placement.daily_hours
            else:
                planned = Decimal(0)
            cells.append(GridCell(day, scheduled, not closed, planned, attendance, closed))
        rows.append(GridRow(placement=placement, cells=cells, fill_hours=placement.daily_hours))
    return AttendanceWeek(
        unit=unit, week_start=week_start, days=days, rows=rows, relation=relation, today=today
    )


@dataclass
class MonthDay:
    day: date
    scheduled: bool
    in_placement: bool
    planned: Decimal
    attendance: Attendance | None


@dataclass
class AttendanceMonth:
    placement: Placement
    first_day: date
    days: list[MonthDay]
    #: absence reason code -> (days, hours not attended)
    absences: dict[str, tuple[int, Decimal]] = field(default_factory=dict)

    @property
    def planned_total(self) -> Decimal:
        return sum((day.planned for day in self.days), Decimal(0))

    @property
    def attended_total(self) -> Decimal:
        return sum(
            (day.attendance.attended_hours for day in self.days if day.attendance), Decimal(0)
        )

    @property
    def attendance_rate(self) -> Decimal | None:
        if not self.planned_total:
            return None
        return (self.attended_total * 100 / self.planned_total).quantize(Decimal("0.1"))


def attendance_month_for(*, user: User, placement_id, year: int, month: int) -> AttendanceMonth:
    """One placement's attendance for a calendar month, every day, or Http404."""
    try:
        first_day = date(year, month, 1)
    except ValueError:
        raise Http404 from None
    placement = placement_get_for(user=user, placement_id=placement_id)
    if not placement.access.can_read(PlacementSection.ATTENDANCE) or placement.start_date is None:
        raise Http404
    next_month = (first_day + timedelta(days=32)).replace(day=1)
    recorded = {
        row.date: row
        for row in attendance_list_for(user=user, placement=placement).filter(
            date__gte=first_day, date__lt=next_month
        )
    }
    days = []
    absences: dict[str, tuple[int, Decimal]] = {}
    day = first_day
    while day < next_month:
        attendance = recorded.get(day)
        scheduled = placement.is_scheduled_on(day)
        inside = _in_placement(placement, day)
        if attendance is not None:
            planned = attendance.planned_hours
            if attendance.absence_reason:
                count, hours = absences.get(attendance.absence_reason, (0, Decimal(0)))
                missed = max(attendance.planned_hours - attendance.attended_hours, Decimal(0))
                absences[attendance.absence_reason] = (count + 1, hours + missed)
        else:
            planned = placement.daily_hours if scheduled and inside else Decimal(0)
        days.append(MonthDay(day, scheduled, inside, planned, attendance))
        day += timedelta(days=1)
    return AttendanceMonth(placement=placement, first_day=first_day, days=days, absences=absences)


def placement_supervised_by(*, user: User) -> QuerySet[Placement]:
    """Visible placements the user records progress on now (a current supervisor).

    The ids of the user's current (not expiring) log_progress grants are read
    first (one query; a supervisor has a crew's worth) and matched as a list:
    with a correlated EXISTS, or even ``pk IN (subquery)``, PostgreSQL tested
    every placement of the enterprise against the grants (the supervisor's
    home page, docs/performance.md).
    """
    if not user.is_authenticated or not user.is_active:
        return Placement.objects.none()
    current = [
        row["content_object_id"]
        for row in access.granted_ids(GRANT, user=user, codename="log_progress", state=access.OPEN)
    ]
    return placement_list_for(user=user).filter(pk__in=current)


def placement_write_check(
    *,
    user: User,
    placements: list[Placement],
    sections: tuple[str, ...] = (),
    relation: str | None = None,
) -> None:
    """For services: the acting user may write one of ``sections`` through every one of
    ``placements`` (or holds ``relation`` through each); PermissionDenied otherwise.
    One query, however many placements."""
    if not sections and relation is None:
        raise ValueError("say which sections or which relation the write needs")
    found = placement_access_many(user=user, placement_ids=[p.pk for p in placements])
    for placement_access in found.values():
        if sections:
            access.require_write(placement_access, *sections)
        if relation is not None:
            access.require_relation(placement_access, relation)
