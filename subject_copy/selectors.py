"""Permission-scoped reads for the participant's copy of their data.

The participant's manager sees the record as on every other tab; the
data-protection officer (auditor) of the participant's enterprise sees only the
record's id and enterprise, as on the audit screens. Anyone else gets 404, as
for a participant that does not exist. A copy is opened only by the user who
asked for it.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Role, User
from audit.review import participant_for_auditor
from participants.models import Participant
from participants.policy import Relation
from participants.selectors import participant_get_for

from .models import SubjectCopy


@dataclass(frozen=True)
class CopyScope:
    participant: Participant
    #: Relation.MANAGER or Role.AUDITOR: how the user reached the participant.
    role: str

    @property
    def as_manager(self) -> bool:
        return self.role == Relation.MANAGER

    @property
    def relations(self) -> tuple[str, ...]:
        return (self.role,)


def subject_copy_scope_for(*, user: User, participant_id) -> CopyScope:
    """The participant, if the user may produce their copy; Http404 otherwise."""
    try:
        participant = participant_get_for(user=user, participant_id=participant_id)
    except Http404:
        participant = None
    relations = participant.access.relations if participant is not None else ()  # type: ignore[attr-defined]
    if participant is not None and Relation.MANAGER in relations:
        return CopyScope(participant=participant, role=Relation.MANAGER)
    return CopyScope(
        participant=participant_for_auditor(user=user, participant_id=participant_id),
        role=Role.AUDITOR,
    )


def subject_copy_list_for(*, scope: CopyScope) -> QuerySet[SubjectCopy]:
    """Every copy made of the participant, newest first (who asked, when, state)."""
    return SubjectCopy.objects.filter(participant_id=scope.participant.pk).select_related(
        "requested_by"
    )


def subject_copy_get_for(*, user: User, scope: CopyScope, copy_id) -> SubjectCopy:
    copy = SubjectCopy.objects.filter(
        pk=copy_id, participant_id=scope.participant.pk, requested_by=user
    ).first()
    if copy is None:
        raise Http404
    return copy
