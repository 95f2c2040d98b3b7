"""Permission-scoped reads: erasure requests, and the records due for retention review."""

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import Organisation, Role, User
from accounts.roles import organisations_with_role
from participants.models import Participant
from participants.selectors import participant_list_for
from placements.models import Placement
from referrals.models import Referral

from .models import ErasureRequest, RetentionDecision, RetentionHold, RetentionPolicy

#: The roles that see an enterprise's erasure requests: who asks and who decides.
ERASURE_ROLES = (Role.MANAGER, Role.AUDITOR)


def erasure_list_for(*, user: User) -> QuerySet[ErasureRequest]:
    """Requests at the organisations where the user is a manager or the data-protection officer."""
    organisation_ids = organisations_with_role(user, *ERASURE_ROLES)
    return ErasureRequest.objects.filter(organisation_id__in=organisation_ids).select_related(
        "organisation", "requested_by", "decided_by"
    )


def erasure_get_for(*, user: User, erasure_id) -> ErasureRequest:
    try:
        return erasure_list_for(user=user).get(pk=uuid.UUID(str(erasure_id)))
    except (ErasureRequest.DoesNotExist, ValueError):
        raise Http404 from None


def erasure_subject(*, erasure: ErasureRequest) -> Participant | None:
    """The participant a pending request is about (no encrypted field loaded), for the
    legal-basis check shown beside it; None once erased."""
    return (
        Participant.objects.only("id", "organisation_id").filter(pk=erasure.participant_id).first()
    )


def managed_participant_get(*, user: User, participant_id) -> Participant:
    """A participant of an enterprise the user manages (names loaded), or Http404."""
    try:
        return participant_list_for(user=user).get(
            pk=uuid.UUID(str(participant_id)),
            organisation_id__in=organisations_with_role(user, Role.MANAGER),
        )
    except (Participant.DoesNotExist, ValueError):
        raise Http404 from None


# --- retention -------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class DueRecord:
    participant: Participant
    #: "ended" (every placement has ended) or "no_placement" (never had one).
    kind: str
    #: The end of the retention period (or of an extension that has run out).
    due_on: date


def policies_for(organisation_ids) -> dict:
    """organisation id → its policy (the default, unsaved, where it has none). One query."""
    found = {
        policy.organisation_id: policy
        for policy in RetentionPolicy.objects.filter(organisation_id__in=list(organisation_ids))
    }
    return {
        organisation_id: found.get(organisation_id)
        or RetentionPolicy(organisation_id=organisation_id)
        for organisation_id in organisation_ids
    }


def _due(participants: QuerySet[Participant], policies: dict, today: date) -> list[DueRecord]:
    """The participants whose retention period has ended: one query."""
    if not policies:
        return []
    period_over = Q()
    for organisation_id, policy in policies.items():
        period_over |= Q(organisation_id=organisation_id) & (
            Q(
                placement_count__gt=0,
                open_count=0,
                last_end__lte=add_years(today, -policy.years_after_end),
            )
            | Q(
                placement_count=0,
                created_at__date__lte=add_years(today, -policy.years_without_placement),
            )
        )
    extended = RetentionDecision.objects.filter(
        participant_id=OuterRef("pk"), kind=RetentionDecision.Kind.EXTEND
    ).order_by("-extended_until")
    held = RetentionHold.objects.filter(participant_id=OuterRef("pk"), keep_until__gte=today)
    pending = ErasureRequest.objects.filter(
        participant_id=OuterRef("pk"), status=ErasureRequest.Status.PENDING
    )
    rows = (
        participants.filter(organisation_id__in=list(policies))
        .annotate(
            placement_count=Count("placements"),
            open_count=Count("placements", filter=~Q(placements__status=Placement.Status.ENDED)),
            last_end=Max("placements__actual_end"),
            kept_until=Subquery(extended.values("extended_until")[:1]),
        )
        .filter(period_over)
        .filter(Q(kept_until__isnull=True) | Q(kept_until__lt=today))
        .exclude(Exists(held))
        .exclude(Exists(pending))
        .order_by("last_end", "created_at", "pk")
    )
    found = []
    for participant in rows:
        policy = policies[participant.organisation_id]
        if participant.placement_count:
            kind, due_on = "ended", add_years(participant.last_end, policy.years_after_end)
        else:
            kind = "no_placement"
            due_on = add_years(
                timezone.localdate(participant.created_at), policy.years_without_placement
            )
        if participant.kept_until is not None:
            due_on = max(due_on, participant.kept_until)
        found.append(DueRecord(participant=participant, kind=kind, due_on=due_on))
    return found


def retention_due_for(
    *, user: User, today: date | None = None, policies: dict | None = None
) -> list[DueRecord]:
    """Records past their retention period at the enterprises the user manages (names loaded).

    ``policies``: the managed enterprises' policies, when the caller has read them.
    """
    today = today or timezone.localdate()
    if policies is None:
        policies = policies_for(organisations_with_role(user, Role.MANAGER))
    return _due(participant_list_for(user=user).select_related("organisation"), policies, today)


def retention_due(*, today: date | None = None) -> list[DueRecord]:
    """Every enterprise's records past their retention period (the daily job; ids only)."""
    today = today or timezone.localdate()
    enterprise_ids = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE).values_list(
        "pk", flat=True
    )
    participants = Participant.objects.only("id", "organisation_id", "created_at")
    return _due(participants, policies_for(list(enterprise_ids)), today)


def retention_due_get(*, user: User, participant_id) -> DueRecord | None:
    """The participant's due record if it is due (Http404 if the user does not manage them)."""
    participant = managed_participant_get(user=user, participant_id=participant_id)
    policies = policies_for([participant.organisation_id])
    found = _due(Participant.objects.filter(pk=participant.pk), policies, timezone.localdate())
    if not found:
        return None
    return DueRecord(participant=participant, kind=found[0].kind, due_on=found[0].due_on)


def referrals_retention_due(*, today: date | None = None) -> QuerySet[Referral]:
    """Referrals whose personal data is to be shredded (the daily job; ids only).

    A declined or withdrawn referral never became a record at the enterprise: its
    data goes when the enterprise's period for a record that never had a placement
    has passed since it was closed. An accepted referral whose placement is gone
    (the participant's record was erased) goes at once: its copy of the person must
    not outlive the record.
    """
    today = today or timezone.localdate()
    enterprise_ids = Referral.objects.filter(shredded_at__isnull=True).values_list(
        "enterprise_id", flat=True
    )
    policies = policies_for(set(enterprise_ids))
    closed_long_ago = Q(pk__in=[])
    for organisation_id, policy in policies.items():
        closed_long_ago |= Q(
            enterprise_id=organisation_id,
            closed_at__date__lte=add_years(today, -policy.years_without_placement),
        )
    return (
        Referral.objects.filter(shredded_at__isnull=True)
        .filter(
            (Q(status__in=[Referral.Status.DECLINED, Referral.Status.WITHDRAWN]) & closed_long_ago)
            | Q(status=Referral.Status.ACCEPTED, placement__isnull=True)
        )
        .only("id", "status", "enterprise_id")
        .order_by("closed_at", "pk")
    )
