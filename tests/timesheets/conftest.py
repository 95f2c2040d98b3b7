"""Time confirmation fixtures: a week of attendance recorded through the service."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from placements.services import AttendanceEntry, attendance_record_week
from timesheets.selectors import attendance_digest, control_code
from timesheets.services import time_confirmation_record

MONTH = date(2026, 1, 1)
FIRST_WEEK = date(2026, 1, 5)  # the fixture placement's first day, a Monday


def record_week(placement, user, hours=(4, 4, 4, 4, 4), week_start=FIRST_WEEK, changes=None):
    """Monday to Friday with ``hours``; ``changes`` maps a day to (hours, absence reason)."""
    entries = []
    for offset, attended in enumerate(hours):
        day = week_start + timedelta(days=offset)
        attended, reason = (changes or {}).get(day, (attended, ""))
        entries.append(
            AttendanceEntry(
                placement_id=placement.pk,
                date=day,
                attended_hours=Decimal(attended),
                absence_reason=reason,
            )
        )
    return attendance_record_week(
        unit=placement.unit, week_start=week_start, entries=entries, acting_user=user
    )


def current_digest(placement, month=MONTH) -> str:
    from placements.models import Attendance
    from timesheets.selectors import month_end

    return attendance_digest(
        Attendance.objects.filter(
            placement=placement, date__range=(month, month_end(month))
        ).values_list("date", "planned_hours", "attended_hours", "absence_reason")
    )


def confirm(placement, user, *, disputed_days=(), comment="", channel="on_screen", month=MONTH):
    digest = current_digest(placement, month)
    return time_confirmation_record(
        placement=placement,
        month=month,
        channel=channel,
        seen=control_code(digest) if channel == "paper" else digest,
        disputed_days=disputed_days,
        comment=comment,
        acting_user=user,
    )


@pytest.fixture
def january(placement, supervisor):
    """The fixture placement with its first week recorded (4 hours a day)."""
    record_week(placement, supervisor)
    return placement
