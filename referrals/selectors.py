"""Permission-scoped reads of referrals, agreements and case messages.

A case officer sees the referrals they sent; a manager those sent to their
enterprise. Nobody else sees a referral, and one the user may not see answers
404 like one that does not exist.
"""

import uuid
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse

from accounts.models import Membership, Organisation, Role, Unit, User
from accounts.roles import organisations_with_role
from participants.identity import identity_index, normalise_identity_number
from participants.models import Participant
from placements.models import Placement, PlacementSupervisor

from .models import Agreement, CaseMessage, Referral, ReferralMessage

#: A placement in one of these states means the person is already placed there.
PLACED = (
    Placement.Status.REFERRED,
    Placement.Status.PLANNED,
    Placement.Status.ACTIVE,
    Placement.Status.PAUSED,
)


def _list_related(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    return queryset.select_related("data_key", "agency", "enterprise", "unit", "case_officer")


def referral_list_for(*, user: User) -> QuerySet[Referral]:
    """Every referral the user may see: sent by them, or to an enterprise they manage."""
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    sent = Referral.objects.filter(
        case_officer=user, agency_id__in=organisations_with_role(user, Role.CASE_OFFICER)
    )
    received = Referral.objects.filter(
        enterprise_id__in=organisations_with_role(user, Role.MANAGER)
    )
    return _list_related(sent | received)


def referral_sent_by(*, user: User) -> QuerySet[Referral]:
    """The case officer's own referrals ("Mina remisser"), newest first."""
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    return _list_related(
        Referral.objects.filter(
            case_officer=user, agency_id__in=organisations_with_role(user, Role.CASE_OFFICER)
        )
    ).order_by("-sent_at")


def referral_received_by(*, user: User) -> QuerySet[Referral]:
    """Referrals to the enterprises the user manages, the waiting ones first."""
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    return _list_related(
        Referral.objects.filter(enterprise_id__in=organisations_with_role(user, Role.MANAGER))
    ).order_by("sent_at")


def referral_waiting_for(*, user: User) -> QuerySet[Referral]:
    """The referrals waiting for the manager's answer ("Remisser som väntar")."""
    return referral_received_by(user=user).filter(status=Referral.Status.SENT)


def referral_get_for(*, user: User, referral_id) -> Referral:
    """The referral with its thread and consents, or Http404."""
    try:
        referral_id = uuid.UUID(str(referral_id))
    except ValueError:
        raise Http404 from None
    referral = (
        referral_list_for(user=user)
        .filter(pk=referral_id)
        .select_related("answered_by", "supervisor", "placement")
        .prefetch_related(
            Prefetch(
                "thread",
                queryset=ReferralMessage.objects.select_related("author", "data_key"),
            ),
            "consents__template",
        )
        .first()
    )
    if referral is None:
        raise Http404
    referral.as_case_officer = referral.case_officer_id == user.pk
    referral.as_manager = referral.enterprise_id in organisations_with_role(user, Role.MANAGER)
    return referral


def agreement_exists(*, agency_id, enterprise_id, on: date) -> bool:
    return (
        Agreement.objects.current(on)
        .filter(agency_id=agency_id, enterprise_id=enterprise_id)
        .exists()
    )


def agreement_enterprises(*, agency_ids, on: date) -> QuerySet[Organisation]:
    """The enterprises the agencies have a current agreement with."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.ENTERPRISE,
        pk__in=Agreement.objects.current(on)
        .filter(agency_id__in=agency_ids)
        .values("enterprise_id"),
    ).order_by("name")


def agreement_units(*, agency_ids, on: date) -> QuerySet[Unit]:
    return Unit.objects.filter(
        active=True, organisation__in=agreement_enterprises(agency_ids=agency_ids, on=on)
    ).select_related("organisation")


def referral_person_known(*, user: User, personal_identity_number: str) -> Referral | None:
    """The newest readable referral of this person by the user's agencies, found by
    blind index (a ValidationError for an invalid number); None when there is none."""
    index = identity_index(normalise_identity_number(personal_identity_number))
    return (
        Referral.objects.filter(
            agency_id__in=organisations_with_role(user, Role.CASE_OFFICER),
            personal_identity_index=index,
            shredded_at__isnull=True,
        )
        .select_related("data_key")
        .order_by("-sent_at")
        .first()
    )


def placed_at(*, enterprise_id, identity_index_value: str) -> Placement | None:
    """The person's current (or coming) placement at the enterprise, by blind index."""
    return (
        Placement.objects.filter(
            participant__organisation_id=enterprise_id,
            participant__personal_identity_index=identity_index_value,
            status__in=PLACED,
        )
        .only("pk", "case_officer_id", "status")
        .first()
    )


def participant_at(*, enterprise_id, identity_index_value: str) -> Participant | None:
    """The enterprise's record of the person, found by blind index."""
    return (
        Participant.objects.filter(
            organisation_id=enterprise_id, personal_identity_index=identity_index_value
        )
        .select_related("data_key")
        .first()
    )


def enterprise_managers(*, enterprise_id) -> list[User]:
    """The enterprise's current managers (one query)."""
    return list(
        User.objects.filter(
            pk__in=Membership.objects.current()
            .filter(organisation_id=enterprise_id, role=Role.MANAGER)
            .values("user_id")
        ).order_by("username")
    )


def placement_parties(*, placement: Placement) -> list[User]:
    """The placement's parties now: its case officer, current supervisors and the
    enterprise's current managers (two queries)."""
    supervisors = PlacementSupervisor.objects.filter(
        placement=placement, ended_on__isnull=True
    ).values("supervisor_id")
    managers = (
        Membership.objects.current()
        .filter(organisation_id=placement.participant.organisation_id, role=Role.MANAGER)
        .values("user_id")
    )
    parties = User.objects.filter(is_active=True).filter(pk__in=supervisors) | User.objects.filter(
        is_active=True, pk__in=managers
    )
    found = {user.pk: user for user in parties}
    case_officer = placement.case_officer if placement.case_officer_id else None
    if case_officer is not None and placement.status != Placement.Status.ENDED:
        found.setdefault(case_officer.pk, case_officer)
    return sorted(found.values(), key=lambda user: user.username)


def case_message_list_for(*, placement: Placement) -> QuerySet[CaseMessage]:
    """The messages of a placement already fetched with placement_get_for (section checked)."""
    return (
        CaseMessage.objects.filter(placement=placement)
        .select_related("author", "data_key")
        .order_by("created_at")
    )


def referral_supervisor_of(*, placement: Placement):
    """The supervisor the manager chose on accepting the referral behind a placement."""
    return (
        Referral.objects.filter(placement=placement).values_list("supervisor_id", flat=True).first()
    )


def referral_url(referral: Referral) -> str:
    return reverse("referrals:detail", kwargs={"referral_id": referral.pk})


def messages_url(placement: Placement) -> str:
    return reverse("placements:messages", kwargs={"placement_id": placement.pk})
