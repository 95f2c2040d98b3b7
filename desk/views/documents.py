"""The Dokument tab of a participant's record: list, upload, download, delete.

Which participant and which documents the user sees is the selectors' decision
(404 otherwise); the access table (config.access) decides who may use each URL.
Every list and every download records an access event before anything is sent.
A download is streamed (never the whole file in memory) as an attachment that
the browser may not sniff, render or run (Content-Disposition, nosniff and a
sandboxing Content-Security-Policy).
"""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.events import record_access
from desk.forms.documents import DocumentUploadForm
from desk.forms.errors import add_service_errors
from desk.views.record import record_summary
from documents.files import document_content
from documents.models import section_of
from documents.sections import DocumentSection
from documents.selectors import document_get_for, document_list_for
from documents.services import document_delete, document_upload
from documents.streaming import DocumentDamaged
from participants.access import withhold_protected_address
from participants.policy import Relation
from participants.selectors import participant_get_for
from placements.selectors import placement_list_for

logger = logging.getLogger(__name__)
SECTIONS = frozenset(DocumentSection.values)
DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


def _participant(request, participant_id):
    participant = participant_get_for(user=request.user, participant_id=participant_id)
    if not participant.access.read & SECTIONS:
        raise PermissionDenied
    withhold_protected_address(participant)
    return participant


def _placements(request, participant):
    return (
        placement_list_for(user=request.user)
        .filter(participant=participant)
        .select_related(None)
        .select_related("unit")
        .order_by("-start_date", "pk")
    )


def _list_response(request, participant, form=None, *, status=200):
    access = participant.access
    writable = access.write & SECTIONS
    if form is None and writable:
        form = DocumentUploadForm(
            writable_sections=writable, placements=_placements(request, participant)
        )
    documents = list(document_list_for(user=request.user, participant=participant))
    record_access(
        request,
        action="view",
        participant_id=participant.pk,
        section=DocumentSection.DOCUMENTS,
        relations=access.relations,
    )
    return render(
        request,
        "desk/documents/list.html",
        {
            **record_summary(request, participant, current="documents"),
            "access": access,
            "documents": documents,
            "form": form,
            "can_delete": Relation.MANAGER in access.relations,
        },
        status=status,
    )


@require_GET
def document_list(request, participant_id):
    return _list_response(request, _participant(request, participant_id))


@require_POST
def document_upload_view(request, participant_id):
    participant = _participant(request, participant_id)
    writable = participant.access.write & SECTIONS
    if not writable:
        raise PermissionDenied
    form = DocumentUploadForm(
        request.POST,
        request.FILES,
        writable_sections=writable,
        placements=_placements(request, participant),
    )
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            document_upload(
                participant=participant,
                file=upload,
                file_name=upload.name or "",
                kind=form.cleaned_data["kind"],
                document_date=form.cleaned_data["document_date"],
                description=form.cleaned_data["description"],
                placement=form.cleaned_data["placement"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The document has been saved."))
            return redirect("participants:documents", participant_id=participant.pk)
    return _list_response(request, participant, form)


@require_GET
def document_download(request, participant_id, document_id):
    document = document_get_for(
        user=request.user, participant_id=participant_id, document_id=document_id
    )
    participant = document.participant
    record_access(
        request,
        action="view",
        participant_id=participant.pk,
        section=section_of(document.kind),
        object_type="document",
        object_id=document.pk,
        relations=participant.access.relations,
    )
    try:
        content = document_content(document)
    except DocumentDamaged as error:
        logger.error("document %s cannot be read: %s", document.pk, error)
        return render(
            request,
            "desk/documents/damaged.html",
            {"participant": participant, "access": participant.access, "current": "documents"},
            status=500,
        )
    response = StreamingHttpResponse(content, content_type=document.content_type)
    response["Content-Length"] = str(document.size)
    response.headers["Content-Disposition"] = _attachment(document.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


def _attachment(file_name: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(as_attachment=True, filename=file_name)


@require_http_methods(["GET", "POST"])
def document_delete_view(request, participant_id, document_id):
    document = document_get_for(
        user=request.user, participant_id=participant_id, document_id=document_id
    )
    participant = document.participant
    if Relation.MANAGER not in participant.access.relations:
        raise PermissionDenied
    if request.method == "POST":
        document_delete(document=document, acting_user=request.user)
        messages.success(request, _("The document has been deleted."))
        return redirect("participants:documents", participant_id=participant.pk)
    record_access(
        request,
        action="view",
        participant_id=participant.pk,
        section=section_of(document.kind),
        object_type="document",
        object_id=document.pk,
        relations=participant.access.relations,
    )
    return render(
        request,
        "desk/documents/delete.html",
        {
            "participant": participant,
            "access": participant.access,
            "document": document,
            "current": "documents",
        },
    )
