"""The participant's copy of their data (GDPR Art. 15 and 20): list, produce, progress, download.

Produced by the participant's manager or the enterprise's data-protection
officer (auditor), after re-authentication, in the background
(``subject_copy.tasks``). Asking for a copy and downloading it are access
events (action "export"); the download link works for the person who asked,
until the copy expires.
"""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.reauth import require_recent_auth
from audit.events import record_access
from participants.access import withhold_protected_address
from subject_copy.selectors import (
    subject_copy_get_for,
    subject_copy_list_for,
    subject_copy_scope_for,
)
from subject_copy.services import (
    CopyUnavailable,
    subject_copy_open,
    subject_copy_request,
    valid_days,
)

SECTION = "subject_copy"


def _scope(request, participant_id):
    scope = subject_copy_scope_for(user=request.user, participant_id=participant_id)
    if scope.as_manager:
        withhold_protected_address(scope.participant)
    return scope


def _context(scope, **context):
    participant = scope.participant
    return {
        "scope": scope,
        "participant": participant,
        "access": getattr(participant, "access", None),
        "current": "subject_copies",
        "valid_days": valid_days(),
        **context,
    }


def _viewed(request, scope) -> None:
    record_access(
        request,
        action="view",
        participant_id=scope.participant.pk,
        section=SECTION,
        relations=scope.relations,
    )


@require_GET
def subject_copies(request, participant_id):
    scope = _scope(request, participant_id)
    copies = list(subject_copy_list_for(scope=scope))
    _viewed(request, scope)
    return render(request, "desk/subject_copy/list.html", _context(scope, copies=copies))


@require_http_methods(["GET", "POST"])
@require_recent_auth()
def subject_copy_create(request, participant_id):
    scope = _scope(request, participant_id)
    if request.method == "POST":
        copy = subject_copy_request(participant=scope.participant, acting_user=request.user)
        record_access(
            request,
            action="export",
            participant_id=scope.participant.pk,
            section=SECTION,
            object_type="subject_copy",
            object_id=copy.pk,
            relations=scope.relations,
        )
        return redirect(
            "participants:subject_copy_status", participant_id=scope.participant.pk, copy_id=copy.pk
        )
    _viewed(request, scope)
    return render(
        request, "desk/subject_copy/create.html", _context(scope, parent="subject_copies")
    )


@require_GET
def subject_copy_status(request, participant_id, copy_id):
    scope = _scope(request, participant_id)
    copy = subject_copy_get_for(user=request.user, scope=scope, copy_id=copy_id)
    _viewed(request, scope)
    return render(
        request,
        "desk/subject_copy/status.html",
        _context(scope, copy=copy, parent="subject_copies"),
    )


@require_GET
def subject_copy_progress(request, participant_id, copy_id):
    """The htmx fragment polled every two seconds until the copy is done (no person data)."""
    scope = _scope(request, participant_id)
    copy = subject_copy_get_for(user=request.user, scope=scope, copy_id=copy_id)
    return render(request, "desk/subject_copy/_progress.html", {"copy": copy, "scope": scope})


def _status_url(request) -> str:
    match = request.resolver_match
    return reverse("participants:subject_copy_status", kwargs=match.kwargs)


@require_GET
@require_recent_auth(next_url=_status_url)
def subject_copy_download(request, participant_id, copy_id):
    scope = _scope(request, participant_id)
    copy = subject_copy_get_for(user=request.user, scope=scope, copy_id=copy_id)
    try:
        content = subject_copy_open(copy=copy)
    except CopyUnavailable:
        return render(
            request,
            "desk/subject_copy/unavailable.html",
            _context(scope, copy=copy, parent="subject_copies"),
            status=410,
        )
    record_access(
        request,
        action="export",
        participant_id=scope.participant.pk,
        section=SECTION,
        object_type="subject_copy",
        object_id=copy.pk,
        relations=scope.relations,
    )
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="registerutdrag.zip"'
    return response
