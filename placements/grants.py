"""Relationship grants: who may see and work on which participant and placement.

Grants follow the relationship and are made and revoked only here, called by
the services that start, change and end placements and memberships:

=================  ======================================  ==============================
relationship       participant grant                       placement grants
=================  ======================================  ==============================
supervisor         ``view_participant``                    ``view_placement``, ``log_progress``
case officer       ``follow_participant``                  ``review_placement``
=================  ======================================  ==============================

When a placement ends, a supervisor's write grant (``log_progress``) goes at
once and their read grants expire after ``SUPERVISOR_READ_GRACE_DAYS``; the
case officer's grants expire ``CASE_OFFICER_READ_DAYS_AFTER_END`` after the end
(covering the 6-month follow-up).
Grants live in guardian's direct foreign-key tables, which cascade on delete,
so no grant outlives its object.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q

from accounts.models import Membership, Role, User
from audit.history import bulk_create_tracked, save_with_history
from participants.models import ParticipantUserObjectPermission

from .models import Placement, PlacementSupervisor, PlacementUserObjectPermission

SUPERVISOR_PARTICIPANT = ("view_participant",)
SUPERVISOR_PLACEMENT = ("view_placement", "log_progress")
CASE_OFFICER_PARTICIPANT = ("follow_participant",)
CASE_OFFICER_PLACEMENT = ("review_placement",)
RUNNING = (Placement.Status.ACTIVE, Placement.Status.PAUSED)


def _permissions(app_label: str, codenames: Iterable[str]) -> dict[str, Permission]:
    return {
        permission.codename: permission
        for permission in Permission.objects.filter(
            content_type__app_label=app_label, codename__in=list(codenames)
        )
    }


def grace_end(ended_on: date) -> date:
    return ended_on + timedelta(days=settings.SUPERVISOR_READ_GRACE_DAYS)


def _delete_tracked(queryset, *, user, reason: str) -> int:
    """Delete grants one by one so each deletion leaves a history row."""
    count = 0
    for grant in queryset:
        grant._history_user = user
        grant._change_reason = reason
        grant.delete()
        count += 1
    return count


def _set_expiry(grants, *, expires_on, user, reason: str) -> None:
    """Give grants an expiry (or clear it) one by one, so each change has a history row."""
    for grant in grants:
        grant.expires_on = expires_on
        save_with_history(grant, user=user, reason=reason, update_fields=["expires_on"])


def grants_for_placements(
    placements: Iterable[Placement], *, acting_user: User | None, reason: str = "grant: placement"
) -> None:
    """Grant every current relationship of the given placements (idempotent).

    Used when a placement starts and by the bulk paths; grants that already
    exist are left alone.
    """
    placements = list(placements)
    if not placements:
        return
    participant_perms = _permissions(
        "participants", SUPERVISOR_PARTICIPANT + CASE_OFFICER_PARTICIPANT
    )
    placement_perms = _permissions("placements", SUPERVISOR_PLACEMENT + CASE_OFFICER_PLACEMENT)
    placement_ids = [placement.pk for placement in placements]
    wanted_participant: set[tuple] = set()
    wanted_placement: set[tuple] = set()
    supervisors = {}
    for assignment in PlacementSupervisor.objects.filter(
        placement_id__in=placement_ids, ended_on__isnull=True
    ).values_list("placement_id", "supervisor_id"):
        supervisors.setdefault(assignment[0], []).append(assignment[1])
    for placement in placements:
        if placement.status in RUNNING:
            for supervisor_id in supervisors.get(placement.pk, []):
                for codename in SUPERVISOR_PARTICIPANT:
                    wanted_participant.add((supervisor_id, codename, placement.participant_id))
                for codename in SUPERVISOR_PLACEMENT:
                    wanted_placement.add((supervisor_id, codename, placement.pk))
        if placement.case_officer_id and placement.status != Placement.Status.ENDED:
            for codename in CASE_OFFICER_PARTICIPANT:
                wanted_participant.add(
                    (placement.case_officer_id, codename, placement.participant_id)
                )
            for codename in CASE_OFFICER_PLACEMENT:
                wanted_placement.add((placement.case_officer_id, codename, placement.pk))
    existing_participant = set(
        ParticipantUserObjectPermission.objects.filter(
            content_object_id__in={row[2] for row in wanted_participant}
        ).values_list("user_id", "permission__codename", "content_object_id")
    )
    existing_placement = set(
        PlacementUserObjectPermission.objects.filter(
            content_object_id__in=placement_ids
        ).values_list("user_id", "permission__codename", "content_object_id")
    )
    bulk_create_tracked(
        [
            ParticipantUserObjectPermission(
                user_id=user_id, permission=participant_perms[codename], content_object_id=obj_id
            )
            for user_id, codename, obj_id in sorted(
                wanted_participant - existing_participant, key=str
            )
        ],
        user=acting_user,
        reason=reason,
    )
    bulk_create_tracked(
        [
            PlacementUserObjectPermission(
                user_id=user_id, permission=placement_perms[codename], content_object_id=obj_id
            )
            for user_id, codename, obj_id in sorted(wanted_placement - existing_placement, key=str)
        ],
        user=acting_user,
        reason=reason,
    )
    # A renewed relationship clears an expiry left by an earlier one (one query
    # for all of them, not one per grant).
    renewed = wanted_participant & existing_participant
    if renewed:
        expiring = ParticipantUserObjectPermission.objects.filter(
            content_object_id__in={obj_id for _user, _code, obj_id in renewed},
            expires_on__isnull=False,
        ).select_related("permission")
        _set_expiry(
            [
                grant
                for grant in expiring
                if (grant.user_id, grant.permission.codename, grant.content_object_id) in renewed
            ],
            expires_on=None,
            user=acting_user,
            reason=reason,
        )


def _still_supervises(user_id, participant_id, *, excluding_placement_id) -> bool:
    return (
        Placement.objects.filter(
            participant_id=participant_id,
            status__in=RUNNING,
            supervisor_assignments__supervisor_id=user_id,
            supervisor_assignments__ended_on__isnull=True,
        )
        .exclude(pk=excluding_placement_id)
        .exists()
    )


def grants_supervisor_end(
    *, placement: Placement, supervisor_ids: Iterable, ended_on: date, acting_user: User
) -> None:
    """A supervisor's relationship with a placement ended: write at once, read after grace."""
    supervisor_ids = list(supervisor_ids)
    if not supervisor_ids:
        return
    _delete_tracked(
        PlacementUserObjectPermission.objects.filter(
            content_object=placement,
            user_id__in=supervisor_ids,
            permission__codename="log_progress",
        ),
        user=acting_user,
        reason="grant: supervision ended",
    )
    expiry = grace_end(ended_on)
    grants = list(
        PlacementUserObjectPermission.objects.filter(
            content_object=placement,
            user_id__in=supervisor_ids,
            permission__codename="view_placement",
        )
    )
    grants += [
        grant
        for grant in ParticipantUserObjectPermission.objects.filter(
            content_object_id=placement.participant_id,
            user_id__in=supervisor_ids,
            permission__codename="view_participant",
        )
        if not _still_supervises(
            grant.user_id, placement.participant_id, excluding_placement_id=placement.pk
        )
    ]
    _set_expiry(
        grants,
        expires_on=expiry,
        user=acting_user,
        reason="grant: read access until grace period ends",
    )


def grants_placement_ended(*, placement: Placement, acting_user: User) -> None:
    supervisor_ids = PlacementUserObjectPermission.objects.filter(
        content_object=placement, permission__codename__in=SUPERVISOR_PLACEMENT
    ).values_list("user_id", flat=True)
    grants_supervisor_end(
        placement=placement,
        supervisor_ids=set(supervisor_ids),
        ended_on=placement.actual_end,
        acting_user=acting_user,
    )
    if placement.case_officer_id:
        grants_case_officer_end(placement=placement, acting_user=acting_user)


def grants_case_officer_end(*, placement: Placement, acting_user: User) -> None:
    """The case officer keeps read access to an ended placement through the
    follow-up period (6 months after exit) and a margin, then it expires."""
    expiry = placement.actual_end + timedelta(days=settings.CASE_OFFICER_READ_DAYS_AFTER_END)
    grants = list(
        PlacementUserObjectPermission.objects.filter(
            content_object=placement,
            user_id=placement.case_officer_id,
            permission__codename__in=CASE_OFFICER_PLACEMENT,
        )
    )
    still_follows = (
        Placement.objects.filter(
            participant_id=placement.participant_id, case_officer_id=placement.case_officer_id
        )
        .exclude(status=Placement.Status.ENDED)
        .exclude(pk=placement.pk)
        .exists()
    )
    if not still_follows:
        grants += list(
            ParticipantUserObjectPermission.objects.filter(
                content_object_id=placement.participant_id,
                user_id=placement.case_officer_id,
                permission__codename__in=CASE_OFFICER_PARTICIPANT,
            )
        )
    _set_expiry(
        grants,
        expires_on=expiry,
        user=acting_user,
        reason="grant: case officer's read access until follow-ups are over",
    )


def grants_membership_ended(*, membership: Membership, acting_user: User) -> int:
    """Remove every grant the membership gave; returns the number removed."""
    user_id = membership.user_id
    if membership.role == Role.SUPERVISOR:
        participant_q = Q(content_object__organisation_id=membership.organisation_id)
        placement_q = Q(content_object__participant__organisation_id=membership.organisation_id)
        participant_codes, placement_codes = SUPERVISOR_PARTICIPANT, SUPERVISOR_PLACEMENT
    elif membership.role == Role.CASE_OFFICER:
        placement_q = Q(content_object__referring_organisation_id=membership.organisation_id)
        participant_q = Q(
            content_object__placements__referring_organisation_id=membership.organisation_id
        )
        participant_codes, placement_codes = CASE_OFFICER_PARTICIPANT, CASE_OFFICER_PLACEMENT
    else:
        return 0
    removed = _delete_tracked(
        PlacementUserObjectPermission.objects.filter(
            placement_q, user_id=user_id, permission__codename__in=placement_codes
        ),
        user=acting_user,
        reason="grant: membership ended",
    )
    removed += _delete_tracked(
        ParticipantUserObjectPermission.objects.filter(
            participant_q, user_id=user_id, permission__codename__in=participant_codes
        ).distinct(),
        user=acting_user,
        reason="grant: membership ended",
    )
    return removed


def grants_expire(*, today: date, acting_user: User | None = None) -> int:
    """Delete read grants whose grace period has passed (selectors already ignore them)."""
    removed = _delete_tracked(
        PlacementUserObjectPermission.objects.filter(expires_on__lt=today),
        user=acting_user,
        reason="grant: expired",
    )
    removed += _delete_tracked(
        ParticipantUserObjectPermission.objects.filter(expires_on__lt=today),
        user=acting_user,
        reason="grant: expired",
    )
    return removed
