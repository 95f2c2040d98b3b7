"""Permission-scoped reads of placements and attendance."""

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from accounts.roles import organisations_with_role
from participants.models import Consent
from participants.policy import NO_ACCESS, Access, Relation, Section, access_for

from .models import Attendance, Placement, PlacementUserObjectPermission


def _grants(user: User, codename: str, *, expiring: bool | None = None):
    grants = PlacementUserObjectPermission.objects.filter(
        user=user, permission__codename=codename, content_object=OuterRef("pk")
    )
    today = timezone.localdate()
    if expiring is None:
        return grants.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    if expiring:
        return grants.filter(expires_on__gte=today)
    return grants.filter(expires_on__isnull=True)


def _visible_q(user: User) -> Q:
    managed = organisations_with_role(user, Role.MANAGER)
    supervised_at = organisations_with_role(user, Role.SUPERVISOR)
    agencies = organisations_with_role(user, Role.CASE_OFFICER)
    return (
        Q(participant__organisation_id__in=managed)
        | (
            Exists(_grants(user, "view_placement"))
            & Q(participant__organisation_id__in=supervised_at)
        )
        | (Exists(_grants(user, "review_placement")) & Q(referring_organisation_id__in=agencies))
    )


def placement_list_for(*, user: User) -> QuerySet[Placement]:
    """Every placement the user may see, with participant and unit."""
    if not user.is_authenticated or not user.is_active:
        return Placement.objects.none()
    return Placement.objects.filter(_visible_q(user)).select_related(
        "participant", "participant__data_key", "data_key", "unit", "referring_organisation"
    )


def placement_access_for(*, user: User, placement: Placement) -> Access:
    """The policy access of the user to this placement's participant, via this placement."""
    managed = organisations_with_role(user, Role.MANAGER)
    supervised_at = organisations_with_role(user, Role.SUPERVISOR)
    agencies = organisations_with_role(user, Role.CASE_OFFICER)
    relations = set()
    if placement.participant.organisation_id in managed:
        relations.add(Relation.MANAGER)
    if placement.participant.organisation_id in supervised_at:
        if placement._supervisor:
            relations.add(Relation.SUPERVISOR)
        elif placement._former_supervisor:
            relations.add(Relation.FORMER_SUPERVISOR)
    if placement._case_officer and placement.referring_organisation_id in agencies:
        relations.add(Relation.CASE_OFFICER)
    if not relations:
        return NO_ACCESS
    return access_for(relations, health_consent=bool(placement._health_consent))


def placement_get_for(*, user: User, placement_id) -> Placement:
    """The placement with ``.access`` set, or Http404. One query."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    try:
        placement_id = uuid.UUID(str(placement_id))
    except ValueError:
        raise Http404 from None
    agencies = organisations_with_role(user, Role.CASE_OFFICER)
    placement = (
        Placement.objects.filter(pk=placement_id)
        .select_related("participant", "participant__data_key", "data_key", "unit")
        .defer(
            "participant__phone",
            "participant__email",
            "participant__address",
            "participant__emergency_contact",
            "participant__support_needs",
        )
        .annotate(
            _supervisor=Exists(_grants(user, "log_progress", expiring=False)),
            _former_supervisor=Exists(_grants(user, "view_placement")),
            _case_officer=Exists(_grants(user, "review_placement")),
            _health_consent=Exists(
                Consent.objects.filter(
                    participant_id=OuterRef("participant_id"),
                    purpose=Consent.Purpose.SHARE_WITH_AGENCY,
                    agency_id__in=agencies,
                    withdrawn_at__isnull=True,
                )
            ),
        )
        .first()
    )
    if placement is None:
        raise Http404
    access = placement_access_for(user=user, placement=placement)
    if not access.relations:
        raise Http404
    placement.access = access
    placement.participant.__dict__["_hidden_fields"] = access.hidden_fields
    return placement


def attendance_list_for(*, user: User, placement: Placement) -> QuerySet[Attendance]:
    """Attendance rows of a placement already fetched with placement_get_for."""
    if not placement.access.can_read(Section.ATTENDANCE):
        return Attendance.objects.none()
    return placement.attendance.select_related("data_key").order_by("date")
