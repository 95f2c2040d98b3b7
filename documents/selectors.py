"""Permission-scoped reads of documents. A document the user may not see (another
participant's, or one of a section the policy withholds, such as a medical
certificate without the participant's consent) answers Http404."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from participants.models import Participant
from participants.selectors import participant_get_for

from .models import Document, kinds_readable


def document_list_for(*, user: User, participant: Participant) -> QuerySet[Document]:
    """The documents of a participant (fetched with participant_get_for) the user may read."""
    kinds = kinds_readable(participant.access.read)  # type: ignore[attr-defined]
    return (
        Document.objects.filter(participant_id=participant.pk, kind__in=kinds)
        .select_related("data_key", "uploaded_by", "placement__unit")
        .order_by("-document_date", "-uploaded_at", "pk")
    )


def document_get_for(*, user: User, participant_id, document_id) -> Document:
    """One document with its participant (``.participant.access`` set), or Http404."""
    participant = participant_get_for(user=user, participant_id=participant_id)
    kinds = kinds_readable(participant.access.read)  # type: ignore[attr-defined]
    document = (
        Document.objects.filter(participant_id=participant.pk, kind__in=kinds, pk=document_id)
        .select_related("data_key")
        .first()
    )
    if document is None:
        raise Http404
    document.participant = participant
    return document
