"""Permission-scoped reads for reviews due and follow-ups due."""

import uuid
from datetime import date, timedelta

from django.db.models import OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from accounts.roles import organisations_with_role
from participants import access
from participants.models import ParticipantUserObjectPermission
from participants.policy import WRITE, Relation, access_for
from participants.selectors import of_organisations
from placements.models import Placement
from placements.selectors import LIST_PARTICIPANT_DEFERRED, RUNNING, placement_list_for

from . import due
from .models import FollowUp
from .sections import CaseworkSection


def reviews_due_for(*, user: User, today: date | None = None) -> QuerySet[Placement]:
    """Running placements where the user is the case officer and a review falls due
    within 14 days or is overdue (``casework.due``). One query; ordered by the date
    the review fell or falls due."""
    today = today or timezone.localdate()
    placements = (
        placement_list_for(user=user)
        .filter(case_officer=user, status__in=RUNNING)
        .select_related("unit__organisation")
        .defer(*LIST_PARTICIPANT_DEFERRED)
    )
    return (
        due.with_review_dates(placements)
        .filter(due.reviews_due_by(today + timedelta(days=due.REVIEW_DUE_WITHIN_DAYS)))
        .order_by(due.review_due_order(), "pk")
    )


def _follow_up_visible_q(user: User) -> Q:
    """Managers of the enterprise; supervisors holding a (current or grace) grant."""
    managed = organisations_with_role(user, Role.MANAGER)
    supervised_at = organisations_with_role(user, Role.SUPERVISOR)
    # The enterprise's participants are read first (accounts.lookups); from the
    # due-date index PostgreSQL read the open follow-ups of every enterprise.
    of_managed = Q(of_organisations(managed))
    if not supervised_at:
        return of_managed
    # The supervisor's granted participants are read first (one query, a crew's
    # worth of ids) and matched as a list: as a correlated EXISTS, or even as
    # ``IN (subquery)`` past PostgreSQL's join_collapse_limit, the database
    # joined every open follow-up of the enterprise before testing the grants
    # (25-30 ms of the supervisor's home page at 10,000 participants,
    # docs/performance.md).
    granted = [
        row["content_object_id"]
        for row in access.granted_ids(
            ParticipantUserObjectPermission, user=user, codename="view_participant"
        )
    ]
    return of_managed | (
        Q(participant_id__in=granted) & Q(participant__organisation_id__in=supervised_at)
    )


def follow_ups_due_for(*, user: User, today: date | None = None) -> QuerySet[FollowUp]:
    """Follow-ups not yet recorded, due within 14 days or overdue. One query."""
    if not user.is_authenticated or not user.is_active:
        return FollowUp.objects.none()
    today = today or timezone.localdate()
    return (
        FollowUp.objects.filter(_follow_up_visible_q(user))
        .filter(due.follow_ups_due_by(today + timedelta(days=due.FOLLOW_UP_DUE_WITHIN_DAYS)))
        .select_related(
            "participant",
            "participant__data_key",
            "participant__organisation",
            "data_key",
            "exit",
            "exit__placement",
        )
        .defer(*LIST_PARTICIPANT_DEFERRED)
        .order_by("due_on", "pk")
    )


def follow_up_get_for(*, user: User, follow_up_id) -> FollowUp:
    """A follow-up the user may see, with ``.access`` set (policy of its participant)."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    try:
        follow_up_id = uuid.UUID(str(follow_up_id))
    except ValueError:
        raise Http404 from None
    scope = access.scope_of(user)
    grant = ParticipantUserObjectPermission
    on_participant = OuterRef("participant_id")
    follow_up = (
        FollowUp.objects.filter(_follow_up_visible_q(user), pk=follow_up_id)
        .select_related("participant", "participant__data_key", "data_key", "exit")
        .defer(*LIST_PARTICIPANT_DEFERRED)
        .annotate(
            _supervisor=access.grant_exists(
                grant,
                user=user,
                codename="view_participant",
                on=on_participant,
                state=access.OPEN,
            ),
            _former_supervisor=access.grant_exists(
                grant,
                user=user,
                codename="view_participant",
                on=on_participant,
                state=access.IN_GRACE,
            ),
        )
        .first()
    )
    if follow_up is None:
        raise Http404
    relations = access.relations_of(
        scope,
        organisation_id=follow_up.participant.organisation_id,
        supervisor=follow_up._supervisor,
        former_supervisor=follow_up._former_supervisor,
    )
    found = access_for(relations, health_consent=False)
    if not found.can_read(CaseworkSection.OUTCOMES):
        raise Http404
    follow_up.access = found
    return follow_up


def follow_ups_recordable_organisations(*, user: User) -> set:
    """Enterprises whose follow-ups the user may record (the policy's OUTCOMES write)."""
    organisations: set = set()
    if CaseworkSection.OUTCOMES in WRITE[Relation.MANAGER]:
        organisations |= set(organisations_with_role(user, Role.MANAGER))
    if CaseworkSection.OUTCOMES in WRITE[Relation.SUPERVISOR]:
        organisations |= set(organisations_with_role(user, Role.SUPERVISOR))
    return organisations
