"""Where the menu's "Attendance" leads: the user's units, or the one unit's week."""

from datetime import timedelta

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from desk.selectors.units import attendance_units_for


@require_GET
def attendance_units(request):
    """The units whose attendance the user records, each linked to this week's grid.

    A supervisor with one unit (the usual case) goes straight to its grid.
    """
    units = attendance_units_for(user=request.user)
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    if len(units) == 1:
        return redirect("units:attendance_week", unit_id=units[0].unit_id, week=week_start)
    enterprises = {unit.enterprise for unit in units}
    return render(
        request,
        "desk/units/attendance_units.html",
        {"units": units, "week_start": week_start, "several_enterprises": len(enterprises) > 1},
    )
