"""Time confirmation screens: a unit's month, a participant's month confirmed or
disputed (on screen with the supervisor present, or the signed paper received),
and the manager's disputes. Each page showing a participant's comment or hours is
an access event (section attendance)."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit.events import record_access, record_access_many, record_shown
from desk.forms.errors import add_service_errors
from desk.forms.timesheets import DisputeResolveForm, TimeConfirmationForm
from placements.sections import PlacementSection
from placements.selectors import attendance_today, names_visible_in_lists
from timesheets.models import TimeConfirmation
from timesheets.selectors import (
    ConfirmationPage,
    ConfirmationState,
    time_confirmation_page_for,
    time_dispute_get_for,
    time_dispute_list_for,
    unit_month_for,
)
from timesheets.services import time_confirmation_record, time_dispute_resolve

PAGE_SIZE = 25


def _first_day(year: int, month: int) -> date:
    try:
        return date(year, month, 1)
    except ValueError:
        raise Http404 from None


def _record_month_view(request, page: ConfirmationPage, object_type: str) -> None:
    placement = page.placement
    record_access(
        request,
        action="view",
        participant_id=placement.participant_id,
        section=PlacementSection.ATTENDANCE,
        object_type=object_type,
        object_id=placement.pk,
        relations=page.relations,
    )


def _month_days(page: ConfirmationPage) -> list:
    """The days of the month a participant may dispute: scheduled days inside the
    placement and any day with attendance recorded, with the hours recorded."""
    return [
        (day.day, day.attendance.attended_hours if day.attendance else None)
        for day in page.report.days
        if day.attendance is not None or (day.in_placement and day.scheduled)
    ]


@require_GET
def unit_month(request, unit_id, year, month):
    """The participants of a unit in a month, each with the state of their confirmation."""
    first_day = _first_day(year, month)
    found = unit_month_for(user=request.user, unit_id=unit_id, first_day=first_day)
    record_access_many(
        request,
        action="view",
        participant_ids=[placement.participant_id for placement, _state in found.rows],
        section=PlacementSection.ATTENDANCE,
        object_type="unit_month",
        object_id=found.unit.pk,
        relations={found.relation},
        result_count=len(found.rows),
    )
    previous_month = (first_day - timedelta(days=1)).replace(day=1)
    next_month = (first_day + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "desk/timesheets/unit_month.html",
        {
            "found": found,
            "show_names": names_visible_in_lists(),
            "previous_month": previous_month,
            "next_month": next_month if next_month <= attendance_today() else None,
        },
    )


@require_http_methods(["GET", "POST"])
def confirm_month(request, placement_id, year, month):
    """The month's days and hours in front of the participant; the supervisor records
    the participant's confirmation or dispute, or the signed paper received."""
    page = time_confirmation_page_for(
        user=request.user, placement_id=placement_id, year=year, month=month
    )
    days = _month_days(page)
    form = TimeConfirmationForm(
        request.POST if request.method == "POST" else None,
        days=days,
        initial={"digest": page.current.digest},
    )
    if request.method == "POST" and form.is_valid():
        try:
            confirmation = time_confirmation_record(
                placement=page.placement,
                month=page.report.first_day,
                channel=form.cleaned_data["channel"],
                seen=form.seen(),
                disputed_days=form.cleaned_data["disputed_days"],
                comment=form.cleaned_data["comment"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if confirmation.status == TimeConfirmation.Status.DISPUTED:
                messages.success(request, _("The dispute is recorded; the manager decides on it."))
            else:
                messages.success(request, _("The participant's confirmation is recorded."))
            return redirect(request.path)
    if form.is_bound:
        # The page shows the month as recorded now: the answer sent next is about that.
        form.data = form.data.copy()
        form.data["digest"] = page.current.digest
    _record_month_view(request, page, "time_confirmation")
    return render(
        request,
        "desk/timesheets/confirm.html",
        {
            "page": page,
            "placement": page.placement,
            "report": page.report,
            "current": page.current,
            "confirmation": page.current.confirmation,
            "form": form,
            "may_record": page.current.confirmation is None
            or (
                not page.current.confirmation.open_dispute
                and page.current.state == ConfirmationState.OUTDATED
            ),
        },
    )


@require_GET
def disputes(request):
    """The disputes waiting for the manager's decision, oldest first."""
    page = Paginator(time_dispute_list_for(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    record_shown(
        request,
        participant_ids=[row.placement.participant_id for row in page.object_list],
        section=PlacementSection.ATTENDANCE,
        object_type="time_disputes",
        result_count=len(page.object_list),
    )
    return render(
        request,
        "desk/timesheets/disputes.html",
        {"page": page, "show_names": names_visible_in_lists()},
    )


@require_http_methods(["GET", "POST"])
def resolve_dispute(request, placement_id, year, month):
    """The manager reads the dispute (the participant's comment) and decides on it."""
    page = time_dispute_get_for(
        user=request.user, placement_id=placement_id, year=year, month=month
    )
    confirmation = page.current.confirmation
    open_dispute = confirmation is not None and confirmation.open_dispute
    days = page.current.disputed_days if open_dispute else []
    form = DisputeResolveForm(request.POST if request.method == "POST" else None, days=days)
    if request.method == "POST" and open_dispute and form.is_valid():
        try:
            time_dispute_resolve(
                confirmation=confirmation,
                resolution=form.cleaned_data["resolution"],
                comment=form.cleaned_data["resolution_comment"],
                corrections=form.corrections(),
                acting_user=request.user,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and not set(error.error_dict) <= set(form.fields):
                # attendance_record_week's errors are keyed by placement and day.
                form.add_error(None, error.messages)
            else:
                add_service_errors(form, error)
        else:
            messages.success(request, _("The decision on the dispute is recorded."))
            return redirect("units:time_disputes")
    _record_month_view(request, page, "time_dispute")
    recorded = {day: hours for day, hours in _month_days(page)}
    return render(
        request,
        "desk/timesheets/dispute.html",
        {
            "page": page,
            "placement": page.placement,
            "report": page.report,
            "current": page.current,
            "confirmation": confirmation,
            "open_dispute": open_dispute,
            "disputed": [(day, recorded.get(day)) for day in page.current.disputed_days],
            "form": form,
            "day_fields": [
                (form[f"hours_{day.isoformat()}"], form[f"reason_{day.isoformat()}"])
                for day in days
            ],
        },
    )
