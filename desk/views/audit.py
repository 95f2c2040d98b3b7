"""The auditor's screens: the access log with flags, a record's change history,
and the participant's access extract (PDF). Roles are enforced by the access
table (auditor only); the organisation scope by the selectors in ``review``."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from audit import review
from audit.events import record_access
from audit.extract import extract_pdf
from audit.models import AccessEvent
from desk.forms.audit import EventFilterForm

PAGE_SIZE = 50


def event_list(request):
    form = EventFilterForm(request.GET or None)
    event_filter = review.EventFilter()
    if form.is_valid():
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
    events = review.event_list_for_auditor(user=request.user, event_filter=event_filter)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = review.with_flags(list(page.object_list))
    users, organisations = review.names_for(page.object_list)
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
            "query": query.urlencode(),
            "bulk_threshold": review.bulk_threshold(),
            "working_hours": review.working_hours(),
        },
    )


def participant_history(request, participant_id):
    participant = review.participant_for_auditor(user=request.user, participant_id=participant_id)
    record_access(
        request,
        action=AccessEvent.Action.VIEW,
        participant_id=participant.pk,
        section="history",
        relations=(review.AUDITOR,),
    )
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
    pdf = extract_pdf(
        participant_id=participant.pk,
        enterprise_name=participant.organisation.name,
        lines=review.extract_lines(participant_id=participant.pk),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = _("access-extract")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{participant.pk}.pdf"'
    return response
