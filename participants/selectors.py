"""Permission-scoped reads of participants: the only way views reach them.

A participant the user may not see answers Http404, exactly like one that
does not exist. Fields the policy withholds are neither loaded nor readable.
"""

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from accounts.roles import organisations_with_role

from .models import Consent, Participant, ParticipantUserObjectPermission
from .policy import NO_ACCESS, PARTICIPANT_FIELDS, Access, Relation, Section, access_for

LIST_DEFERRED = PARTICIPANT_FIELDS[Section.CONTACT] + PARTICIPANT_FIELDS[Section.HEALTH]


def _grants(user: User, codename: str, *, expiring: bool | None = None):
    today = timezone.localdate()
    grants = ParticipantUserObjectPermission.objects.filter(
        user=user, permission__codename=codename, content_object=OuterRef("pk")
    )
    if expiring is None:
        return grants.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    if expiring:
        return grants.filter(expires_on__gte=today)
    return grants.filter(expires_on__isnull=True)


def _referred_by(agency_ids: list):
    # Imported here: placements depends on participants, not the other way round.
    from placements.models import Placement

    return Placement.objects.filter(
        participant=OuterRef("pk"), referring_organisation_id__in=agency_ids
    )


def _relation_annotations(user: User) -> dict:
    supervised_at = organisations_with_role(user, Role.SUPERVISOR)
    agencies = organisations_with_role(user, Role.CASE_OFFICER)
    return {
        "_supervisor": Exists(_grants(user, "view_participant", expiring=False))
        & Q(organisation_id__in=supervised_at),
        "_former_supervisor": Exists(_grants(user, "view_participant", expiring=True))
        & Q(organisation_id__in=supervised_at),
        "_case_officer": Exists(_grants(user, "follow_participant"))
        & Exists(_referred_by(agencies)),
        "_health_consent": Exists(
            Consent.objects.filter(
                participant=OuterRef("pk"),
                purpose=Consent.Purpose.SHARE_WITH_AGENCY,
                agency_id__in=agencies,
                withdrawn_at__isnull=True,
            )
        ),
    }


def _visible_q(user: User) -> Q:
    managed = organisations_with_role(user, Role.MANAGER)
    supervised_at = organisations_with_role(user, Role.SUPERVISOR)
    agencies = organisations_with_role(user, Role.CASE_OFFICER)
    return (
        Q(organisation_id__in=managed)
        | (Exists(_grants(user, "view_participant")) & Q(organisation_id__in=supervised_at))
        | (Exists(_grants(user, "follow_participant")) & Exists(_referred_by(agencies)))
    )


def participant_list_for(*, user: User) -> QuerySet[Participant]:
    """Every participant the user may see, with names; contact and health not loaded."""
    if not user.is_authenticated or not user.is_active:
        return Participant.objects.none()
    return (
        Participant.objects.filter(_visible_q(user))
        .select_related("data_key")
        .defer(*LIST_DEFERRED)
    )


def participant_access_for(*, user: User, participant_id) -> Access:
    """What the user may do with this participant (NO_ACCESS when nothing)."""
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    try:
        participant_id = uuid.UUID(str(participant_id))
    except ValueError:
        return NO_ACCESS
    managed = organisations_with_role(user, Role.MANAGER)
    row = (
        Participant.objects.filter(pk=participant_id)
        .annotate(**_relation_annotations(user))
        .values(
            "organisation_id",
            "_supervisor",
            "_former_supervisor",
            "_case_officer",
            "_health_consent",
        )
        .first()
    )
    if row is None:
        return NO_ACCESS
    relations = set()
    if row["organisation_id"] in managed:
        relations.add(Relation.MANAGER)
    if row["_supervisor"]:
        relations.add(Relation.SUPERVISOR)
    elif row["_former_supervisor"]:
        relations.add(Relation.FORMER_SUPERVISOR)
    if row["_case_officer"]:
        relations.add(Relation.CASE_OFFICER)
    return access_for(relations, health_consent=bool(row["_health_consent"]))


def participant_get_for(*, user: User, participant_id) -> Participant:
    """The participant with ``.access`` set, or Http404. Two queries."""
    access = participant_access_for(user=user, participant_id=participant_id)
    if not access.relations:
        raise Http404
    hidden = access.hidden_fields
    participant = (
        Participant.objects.select_related("data_key", "organisation")
        .defer(*hidden)
        .get(pk=participant_id)
    )
    participant.__dict__["_hidden_fields"] = hidden
    participant.access = access
    return participant
