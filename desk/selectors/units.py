"""The units whose attendance grid a user opens from the menu ("Attendance")."""

import uuid
from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.models import Role, Unit, User
from accounts.roles import organisations_with_role
from placements.selectors import RUNNING, placement_supervised_by


@dataclass(frozen=True)
class AttendanceUnit:
    unit_id: uuid.UUID
    name: str
    enterprise: str
    #: Running placements at the unit the user records attendance for.
    running: int


def attendance_units_for(*, user: User) -> list[AttendanceUnit]:
    """Every active unit of an enterprise the user manages, and every unit where
    they supervise a running placement elsewhere: the grids that open for them
    (``placements.selectors.attendance_week_for`` decides the same way).

    One query for a manager; two for a supervisor (their grants, then the units).
    """
    managed = organisations_with_role(user, Role.MANAGER)
    supervised_at = [
        organisation_id
        for organisation_id in organisations_with_role(user, Role.SUPERVISOR)
        if organisation_id not in managed
    ]
    units = []
    if managed:
        managed_units = (
            Unit.objects.filter(organisation_id__in=managed)
            .annotate(running=Count("placements", filter=Q(placements__status__in=RUNNING)))
            .filter(Q(active=True) | Q(running__gt=0))
            .values_list("pk", "name", "organisation__name", "running")
        )
        units += [AttendanceUnit(*row) for row in managed_units]
    if supervised_at:
        supervised_units = (
            placement_supervised_by(user=user)
            .filter(status__in=RUNNING, unit__organisation_id__in=supervised_at)
            .values("unit_id", "unit__name", "unit__organisation__name")
            .annotate(running=Count("id"))
            .values_list("unit_id", "unit__name", "unit__organisation__name", "running")
        )
        units += [AttendanceUnit(*row) for row in supervised_units]
    return sorted(units, key=lambda unit: (unit.enterprise.casefold(), unit.name.casefold()))
