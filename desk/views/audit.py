"""The auditor's screens: the access log with flags, a record's change history,
and the participant's access extract (PDF). Roles are enforced by the access
table (auditor only); the organisation scope by the selectors in ``review``."""

from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from audit import review
from audit.events import record_access, record_access_many
from audit.extract import extract_pdf
from audit.models import AccessEvent
from desk.forms.audit import EventFilterForm
from desk.selectors import audit as audit_labels

PAGE_SIZE = 50


FILTER_FIELDS = ("participant", "user", "date_from", "date_to", "action", "flagged")


def _filter_query(data: dict, participant_id) -> str:
    """The filters as a query string: ids and dates only, never the name searched for."""
    query = QueryDict(mutable=True)
    for name in FILTER_FIELDS:
        value = participant_id if name == "participant" else data.get(name)
        if value in (None, "", False):
            continue
        query[name] = "on" if value is True else str(value)
    return query.urlencode()


@require_http_methods(["GET", "POST"])
def event_list(request):
    if request.method == "POST":
        return _event_search(request)
    form = EventFilterForm(request.GET or None)
    event_filter = review.EventFilter()
    invalid = form.is_bound and not form.is_valid()
    if form.is_bound and not invalid:
        data = form.cleaned_data
        event_filter = review.EventFilter(
            participant_id=data["participant"],
            username=data["user"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            action=data["action"],
            flagged_only=data["flagged"],
        )
    if event_filter.participant_id:
        # Which people looked at this person's record is itself about them.
        review.participant_for_auditor(
            user=request.user, participant_id=event_filter.participant_id
        )
        record_access(
            request,
            action=AccessEvent.Action.VIEW,
            participant_id=event_filter.participant_id,
            section="access_log",
            relations=(review.AUDITOR,),
        )
    # An invalid filter shows its errors and no events: never everything instead.
    events = (
        AccessEvent.objects.none()
        if invalid
        else review.event_list_for_auditor(user=request.user, event_filter=event_filter)
    )
    filtered_name = ""
    if event_filter.participant_id:
        filtered_name = audit_labels.participant_names_for_auditor(
            user=request.user, participant_ids=[event_filter.participant_id]
        ).get(event_filter.participant_id, "")
    return _render_events(
        request,
        form,
        events,
        recorded={event_filter.participant_id} - {None},
        filtered_name=filtered_name,
    )


def _render_events(request, form, events, matches=(), recorded=frozenset(), filtered_name=""):
    """One page of events; ``recorded``: participants this request has an event for."""
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = review.with_flags(list(page.object_list))
    audit_labels.describe_events(page.object_list)
    users, organisations = review.names_for(page.object_list)
    names = audit_labels.participant_names_for_auditor(
        user=request.user, participant_ids=[event.participant_id for event in page.object_list]
    )
    unrecorded = [participant_id for participant_id in names if participant_id not in recorded]
    if unrecorded:
        # The names shown are read by the auditor: an access event for each person.
        record_access_many(
            request,
            action=AccessEvent.Action.VIEW,
            participant_ids=unrecorded,
            section="identity",
            object_type="access_log",
            relations=(review.AUDITOR,),
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "desk/audit/event_list.html",
        {
            "form": form,
            "page": page,
            "users": users,
            "organisations": organisations,
            "names": names,
            "matches": matches,
            "filtered_name": filtered_name,
            "query": query.urlencode(),
            "bulk_threshold": review.bulk_threshold(),
            "working_hours": audit_labels.schedule_label(review.working_schedule()),
        },
    )


def _event_search(request):
    """The filter form, posted: a name or personal identity number becomes a participant id."""
    form = EventFilterForm(request.POST)
    if not form.is_valid():
        return _render_events(request, form, AccessEvent.objects.none())
    data = form.cleaned_data
    term = data["person"].strip()
    if not term:
        return redirect(f"{reverse('audit:events')}?{_filter_query(data, data['participant'])}")
    matches = audit_labels.participants_matching_for_auditor(user=request.user, term=term)
    record_access(
        request,
        action=AccessEvent.Action.SEARCH,
        section="access_log",
        relations=(review.AUDITOR,),
        result_count=len(matches),
    )
    if len(matches) == 1:
        return redirect(f"{reverse('audit:events')}?{_filter_query(data, matches[0][0])}")
    if not matches:
        form.add_error("person", audit_labels.no_match_message())
        return _render_events(request, form, AccessEvent.objects.none())
    choices = [
        (name, f"{reverse('audit:events')}?{_filter_query(data, participant_id)}")
        for participant_id, name in matches
    ]
    record_access_many(
        request,
        action=AccessEvent.Action.VIEW,
        participant_ids=[participant_id for participant_id, _name in matches],
        section="identity",
        object_type="access_log",
        relations=(review.AUDITOR,),
    )
    return _render_events(request, form, AccessEvent.objects.none(), matches=choices)


def participant_history(request, participant_id):
    participant = review.participant_for_auditor(user=request.user, participant_id=participant_id)
    record_access(
        request,
        action=AccessEvent.Action.VIEW,
        participant_id=participant.pk,
        section="history",
        relations=(review.AUDITOR,),
    )
    # The name in the heading is part of the history read (the event above).
    name = audit_labels.participant_names_for_auditor(
        user=request.user, participant_ids=[participant.pk]
    )[participant.pk]
    entries = review.change_history(participant_id=participant.pk)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    users, _organisations = review.names_for(
        [AccessEvent(user_id=entry.user_id) for entry in page.object_list]
    )
    return render(
        request,
        "desk/audit/history.html",
        {
            "participant": participant,
            "participant_name": name,
            "page": page,
            "users": users,
            "change_labels": review.CHANGE_LABELS,
        },
    )


def participant_extract(request, participant_id):
    participant = review.participant_for_auditor(user=request.user, participant_id=participant_id)
    # Recorded first: if the event cannot be written, no extract is produced.
    record_access(
        request,
        action=AccessEvent.Action.PRINT,
        participant_id=participant.pk,
        section="access_extract",
        relations=(review.AUDITOR,),
    )
    name = audit_labels.participant_names_for_auditor(
        user=request.user, participant_ids=[participant.pk]
    )[participant.pk]
    pdf = extract_pdf(
        participant_id=participant.pk,
        participant_name=name,
        enterprise_name=participant.organisation.name,
        lines=review.extract_lines(participant_id=participant.pk, describe=audit_labels.what_label),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = _("access-extract")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{participant.pk}.pdf"'
    return response
