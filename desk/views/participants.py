"""Participant screens: the list, the record, registration, editing and history.

Who may open each URL is declared in ``config.access``; which participant and
which sections are visible is decided by the selectors and the field policy.
Every page that shows person data records an access event before it renders.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit.events import record_access, record_shown
from casework.sections import CaseworkSection
from casework.selectors import placement_summary_list_for
from desk.forms.errors import add_service_errors
from desk.forms.participant_filter import ParticipantFilterForm
from desk.forms.participants import (
    FIELDS_BY_SECTION,
    ParticipantForm,
)
from desk.selectors.participant_list import participant_filter_choices_for, participant_page_for
from desk.selectors.record import placement_timeline_for
from desk.views.record import record_summary
from participants.access import withhold_protected_address
from participants.policy import Relation, Section
from participants.selectors import (
    enterprises_for_registration,
    participant_get_for,
    participant_history_page_for,
)
from participants.services import participant_create, participant_update
from placements.selectors import RUNNING


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_http_methods(["GET", "POST"])
def participant_list(request):
    """Search, filter, sort and page through the participants the user may see.

    The search box is posted, never put in the URL: a personal identity number
    must not end up in server logs or the browser history. Filters and the page
    number may also come as GET parameters (links).
    """
    choices = participant_filter_choices_for(user=request.user)
    data = request.POST if request.method == "POST" else request.GET.copy()
    if request.method == "GET":
        data.pop("q", None)
    form = ParticipantFilterForm(data, **choices)
    filters = form.filters()
    page = participant_page_for(user=request.user, filters=filters, page_number=data.get("page"))
    record_shown(
        request,
        participant_ids=[participant.pk for participant in page.object_list],
        action="search" if filters.term else "view",
        section="" if filters.term else "list",
        object_type="participant_list",
        result_count=page.paginator.count,
    )
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "can_create": bool(enterprises_for_registration(user=request.user)),
    }
    if is_htmx(request):
        return render(request, "desk/participants/_list_results.html", context)
    return render(request, "desk/participants/list.html", context)


@require_GET
def participant_detail(request, participant_id):
    participant = participant_get_for(user=request.user, participant_id=participant_id)
    placements = placement_summary_list_for(user=request.user, participant=participant)
    withhold_protected_address(participant)
    record_access(
        request,
        action="view",
        participant_id=participant.pk,
        section="overview",
        relations=participant.access.relations,
    )
    context = record_summary(request, participant, current="overview")
    access = participant.access
    return render(
        request,
        "desk/participants/detail.html",
        {
            **context,
            "placements": placements,
            "timelines": placement_timeline_for(
                user=request.user,
                participant=participant,
                placements=context["summary"].placements,
            ),
            "is_manager": Relation.MANAGER in access.relations,
            "can_add_note": any(placement.status in RUNNING for placement in placements)
            and (
                access.can_write(CaseworkSection.INTERNAL_NOTES)
                or access.can_write(CaseworkSection.SHARED_NOTES)
            ),
            "can_add_assessment": any(placement.status in RUNNING for placement in placements)
            and access.can_write(CaseworkSection.ASSESSMENTS),
        },
    )


@require_http_methods(["GET", "POST"])
def participant_create_view(request):
    """Register a participant (managers); a manager of several enterprises chooses one."""
    organisations = enterprises_for_registration(user=request.user)
    if not organisations:
        raise PermissionDenied
    form = ParticipantForm(
        request.POST if request.method == "POST" else None, organisations=organisations
    )
    if request.method == "POST" and form.is_valid():
        by_id = {str(organisation.pk): organisation for organisation in organisations}
        organisation = (
            by_id[form.cleaned_data["organisation"]] if len(by_id) > 1 else (organisations[0])
        )
        try:
            participant = participant_create(
                organisation=organisation, data=form.to_input(), acting_user=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The participant has been registered."))
            return redirect(participant)
    return render(request, "desk/participants/form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
def participant_edit(request, participant_id):
    participant = participant_get_for(user=request.user, participant_id=participant_id)
    writable = participant.access.write & frozenset(FIELDS_BY_SECTION)
    if not writable:
        raise PermissionDenied
    form = ParticipantForm(
        request.POST if request.method == "POST" else None,
        initial=ParticipantForm.initial_from(participant, writable=writable),
        writable=writable,
        keep_address_hidden=participant.protected_identity,
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = form.changes()
            if changes:
                participant_update(participant=participant, acting_user=request.user, **changes)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if changes:
                messages.success(request, _("The changes have been saved."))
            return redirect(participant)
    withhold_protected_address(participant)
    record_access(
        request,
        action="view",
        participant_id=participant.pk,
        section="overview",
        relations=participant.access.relations,
    )
    return render(
        request,
        "desk/participants/form.html",
        {"form": form, **record_summary(request, participant, current="edit")},
    )


@require_GET
def participant_history(request, participant_id):
    participant = participant_get_for(user=request.user, participant_id=participant_id)
    if not participant.access.can_read(Section.HISTORY):
        raise PermissionDenied
    page = participant_history_page_for(
        participant=participant, page_number=request.GET.get("page")
    )
    withhold_protected_address(participant)
    record_access(
        request,
        action="view",
        participant_id=participant.pk,
        section=Section.HISTORY,
        relations=participant.access.relations,
    )
    return render(
        request,
        "desk/participants/history.html",
        {**record_summary(request, participant, current="history"), "page": page},
    )
