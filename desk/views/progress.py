"""Progress on the participant page: notes, goals and assessments (with the journey chart).

Each section is a page of its own and, asked for by htmx, a fragment of the
participant page. A participant the user may not see answers 404 (from the
selectors); a section the user may not read or write answers 403. Writes
redirect (htmx follows the redirect and swaps the fresh section in); a form
with errors is shown again with everything the user typed.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.events import record_access
from casework.models import ProgressNote
from casework.sections import CaseworkSection
from casework.selectors import (
    goal_get_for,
    participant_assessment_list_for,
    participant_goal_list_for,
    participant_note_list_for,
    placements_to_log_for,
)
from casework.services import (
    assessment_record,
    goal_add,
    goal_set_status,
    instrument_ensure_default,
    progress_note_add,
)
from desk.charts import journey_charts
from desk.forms.errors import add_service_errors
from desk.forms.progress import AssessmentForm, GoalForm, GoalStatusForm, NoteForm
from desk.views.participants import is_htmx
from desk.views.record import record_summary
from participants.access import withhold_protected_address
from participants.selectors import participant_get_for
from placements.selectors import placement_get_for

NOTES_PER_PAGE = 20
GOALS_PER_PAGE = 25


def _participant(request, participant_id):
    participant = participant_get_for(user=request.user, participant_id=participant_id)
    withhold_protected_address(participant)
    return participant


def _record(request, participant, section: str) -> None:
    record_access(
        request,
        action="view",
        participant_id=participant.pk,
        section=section,
        relations=participant.access.relations,
    )


def _render_section(request, name: str, context: dict, *, status: int = 200):
    """The section as a fragment for htmx, else as a page around the same fragment."""
    titles = {"notes": _("Notes"), "goals": _("Goals"), "assessments": _("Assessments")}
    context = {
        **context,
        "is_htmx": is_htmx(request),
        "current": name,
        "section_title": titles[name],
    }
    if not context["is_htmx"]:
        context.update(record_summary(request, context["participant"], current=name))
    template = f"desk/progress/_{name}.html" if is_htmx(request) else f"desk/progress/{name}.html"
    return render(request, template, context, status=status)


def _checked_placement(request, form, section: str):
    """The placement the form names, fetched with the user's access to it."""
    placement = placement_get_for(user=request.user, placement_id=form.cleaned_data["placement"].pk)
    if not placement.access.can_write(section):
        raise PermissionDenied
    return placement


# --- Notes -------------------------------------------------------------------


def _notes_section(access) -> str:
    if access.can_read(CaseworkSection.INTERNAL_NOTES):
        return CaseworkSection.INTERNAL_NOTES
    if access.can_read(CaseworkSection.SHARED_NOTES):
        return CaseworkSection.SHARED_NOTES
    raise PermissionDenied


def _can_write_notes(access) -> bool:
    return access.can_write(CaseworkSection.INTERNAL_NOTES) or access.can_write(
        CaseworkSection.SHARED_NOTES
    )


def _notes_response(request, participant, form=None, *, status: int = 200):
    section = _notes_section(participant.access)
    notes = participant_note_list_for(user=request.user, participant=participant)
    page = Paginator(notes, NOTES_PER_PAGE).get_page(request.GET.get("page"))
    if form is None and _can_write_notes(participant.access):
        form = NoteForm(
            placements=placements_to_log_for(user=request.user, participant=participant)
        )
    _record(request, participant, section)
    return _render_section(
        request,
        "notes",
        {
            "participant": participant,
            "access": participant.access,
            "page": page,
            "form": form,
            "shared_only": section == CaseworkSection.SHARED_NOTES,
        },
        status=status,
    )


@require_GET
def notes(request, participant_id):
    return _notes_response(request, _participant(request, participant_id))


@require_POST
def note_add(request, participant_id):
    participant = _participant(request, participant_id)
    if not _can_write_notes(participant.access):
        raise PermissionDenied
    form = NoteForm(
        request.POST, placements=placements_to_log_for(user=request.user, participant=participant)
    )
    if form.is_valid():
        visibility = form.cleaned_data["visibility"]
        section = (
            CaseworkSection.SHARED_NOTES
            if visibility == ProgressNote.Visibility.SHARED
            else CaseworkSection.INTERNAL_NOTES
        )
        placement = _checked_placement(request, form, section)
        try:
            progress_note_add(
                placement=placement,
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
                visibility=visibility,
                on=form.cleaned_data["on"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The note has been saved."))
            return redirect("participants:notes", participant_id=participant.pk)
    return _notes_response(request, participant, form)


# --- Goals -------------------------------------------------------------------


def _goals_response(request, participant, form=None):
    access = participant.access
    if not access.can_read(CaseworkSection.GOALS):
        raise PermissionDenied
    goals = participant_goal_list_for(user=request.user, participant=participant)
    page = Paginator(goals, GOALS_PER_PAGE).get_page(request.GET.get("page"))
    can_write = access.can_write(CaseworkSection.GOALS)
    if form is None and can_write:
        form = GoalForm(
            placements=placements_to_log_for(user=request.user, participant=participant)
        )
    _record(request, participant, CaseworkSection.GOALS)
    return _render_section(
        request,
        "goals",
        {
            "participant": participant,
            "access": access,
            "page": page,
            "form": form,
            "can_write": can_write,
            "status_form": GoalStatusForm() if can_write else None,
        },
    )


@require_GET
def goals(request, participant_id):
    return _goals_response(request, _participant(request, participant_id))


@require_POST
def goal_create(request, participant_id):
    participant = _participant(request, participant_id)
    if not participant.access.can_write(CaseworkSection.GOALS):
        raise PermissionDenied
    form = GoalForm(
        request.POST, placements=placements_to_log_for(user=request.user, participant=participant)
    )
    if form.is_valid():
        placement = _checked_placement(request, form, CaseworkSection.GOALS)
        try:
            goal_add(
                placement=placement,
                text=form.cleaned_data["text"],
                target_date=form.cleaned_data["target_date"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The goal has been added."))
            return redirect("participants:goals", participant_id=participant.pk)
    return _goals_response(request, participant, form)


@require_POST
def goal_status(request, participant_id, goal_id):
    goal = goal_get_for(user=request.user, goal_id=goal_id)
    if goal.placement.participant_id != participant_id:
        raise Http404
    if not goal.placement.access.can_write(CaseworkSection.GOALS):
        raise PermissionDenied
    form = GoalStatusForm(request.POST)
    if form.is_valid():
        try:
            goal_set_status(goal=goal, status=form.cleaned_data["status"], acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The goal's status has been changed."))
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect("participants:goals", participant_id=goal.placement.participant_id)


# --- Assessments ---------------------------------------------------------------


@require_GET
def assessments(request, participant_id):
    participant = _participant(request, participant_id)
    if not participant.access.can_read(CaseworkSection.ASSESSMENTS):
        raise PermissionDenied
    rows = list(participant_assessment_list_for(user=request.user, participant=participant))
    _record(request, participant, CaseworkSection.ASSESSMENTS)
    return _render_section(
        request,
        "assessments",
        {
            "participant": participant,
            "access": participant.access,
            "charts": journey_charts(rows),
            "assessments": rows,
            "can_write": participant.access.can_write(CaseworkSection.ASSESSMENTS),
        },
    )


@require_http_methods(["GET", "POST"])
def assessment_create(request, participant_id):
    """Score the default instrument together with the participant."""
    participant = _participant(request, participant_id)
    if not participant.access.can_write(CaseworkSection.ASSESSMENTS):
        raise PermissionDenied
    instrument = instrument_ensure_default(acting_user=request.user)
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        placements=placements_to_log_for(user=request.user, participant=participant),
        items=list(instrument.items.all()),
    )
    if request.method == "POST" and form.is_valid():
        placement = _checked_placement(request, form, CaseworkSection.ASSESSMENTS)
        try:
            assessment_record(
                placement=placement,
                instrument=instrument,
                scores=form.scores(),
                kind=form.cleaned_data["kind"],
                on=form.cleaned_data["on"],
                comment=form.cleaned_data["comment"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The assessment has been saved."))
            return redirect(
                reverse("participants:assessments", kwargs={"participant_id": participant.pk})
            )
    _record(request, participant, CaseworkSection.ASSESSMENTS)
    return render(
        request,
        "desk/progress/assessment_form.html",
        {
            **record_summary(request, participant, current="assessments"),
            "form": form,
            "instrument": instrument,
        },
    )
