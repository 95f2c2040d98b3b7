"""Erasure (four eyes, crypto-shredding) and retention decisions.

Erasure of a participant's record, in one transaction:

1. the legal basis is checked again (no running placement, no funder's
   retention requirement in force);
2. the stored files the registered collectors name are noted on the request;
3. the live rows (participant, consents, grants, placements and everything on
   them) are deleted, then every history row of every history source in
   ``audit.registry`` (the deletes' own history rows included); a row anywhere
   still under the participant's data key fails the erasure loudly;
4. the data key is destroyed (``data_key_destroy``: every copy of every value
   under it, in a backup or a database page not yet overwritten, is
   unreadable from here on) and its row deleted;
5. an ``erase`` access event is written (participant id, no way back).

What is left is the erasure request (ids, coded ground, who and when; the
requester's note is cleared), the access events with the bare participant id,
and anonymised releases already produced (files with aggregates only). The
stored files are deleted after the commit (``erasure.files``).
"""

import uuid
from collections.abc import Callable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, Role, User
from accounts.roles import organisations_with_role
from audit import registry
from audit.history import save_with_history
from audit.models import AccessEvent
from encryption import keycache
from encryption.fields import DATA_KEY_FIELD, REGISTRY
from encryption.models import DataKey
from encryption.services import data_key_destroy
from notifications.kinds import Kind
from notifications.services import notify
from participants.models import Participant
from placements.models import Placement
from referrals.models import Referral
from referrals.services import referral_shred

from . import files
from .models import (
    ErasureRequest,
    RetentionDecision,
    RetentionHold,
    RetentionPolicy,
    RetentionRun,
)

#: Called between deleting the live rows and the history rows. Tests set it to
#: interrupt an erasure half-way; it is None in production.
_midway_hook: Callable[[], None] | None = None


class ErasureIncomplete(RuntimeError):
    """Rows under the participant's data key remained: nothing is erased."""


def _require_role(user: User, role: str, organisation_id) -> None:
    if organisation_id not in organisations_with_role(user, role):
        raise PermissionDenied


# --- the legal basis ---------------------------------------------------------


def erasure_refusals(*, participant: Participant, today: date | None = None) -> list[str]:
    """Why the record may not be erased now (empty when it may). Two queries."""
    today = today or timezone.localdate()
    refusals = []
    running = (
        Placement.objects.filter(participant=participant)
        .exclude(status=Placement.Status.ENDED)
        .order_by("referred_on")
        .values("status", "start_date", "referred_on")
    )
    labels = dict(Placement.Status.choices)
    for placement in running:
        refusals.append(
            _(
                "The participant has a placement that has not ended (%(status)s since "
                "%(date)s). End the placement before the record is erased."
            )
            % {
                "status": str(labels[placement["status"]]).lower(),
                "date": (placement["start_date"] or placement["referred_on"]).isoformat(),
            }
        )
    holds = (
        RetentionHold.objects.filter(participant=participant, keep_until__gte=today)
        .select_related("funder")
        .order_by("keep_until")
    )
    for hold in holds:
        refusals.append(
            _("The record must be kept for %(funder)s until %(date)s (%(basis)s).")
            % {"funder": hold.funder.name, "date": hold.keep_until.isoformat(), "basis": hold.basis}
        )
    return refusals


def erasure_validate(*, participant: Participant) -> None:
    refusals = erasure_refusals(participant=participant)
    if refusals:
        raise ValidationError(refusals)


# --- request and decision ----------------------------------------------------


@transaction.atomic
def erasure_request(
    *, participant: Participant, ground: str, note: str = "", acting_user: User
) -> ErasureRequest:
    """A manager of the participant's enterprise asks for the record to be erased."""
    _require_role(acting_user, Role.MANAGER, participant.organisation_id)
    if ground not in ErasureRequest.Ground.values:
        raise ValidationError({"ground": _("Choose a ground for the erasure.")})
    erasure_validate(participant=participant)
    if ErasureRequest.objects.filter(
        participant_id=participant.pk, status=ErasureRequest.Status.PENDING
    ).exists():
        raise ValidationError(_("An erasure of this record is already awaiting approval."))
    erasure = ErasureRequest.objects.create(
        organisation_id=participant.organisation_id,
        participant_id=participant.pk,
        ground=ground,
        note=note.strip(),
        requested_by=acting_user,
        requested_at=timezone.now(),
    )
    transaction.on_commit(lambda: _erasure_announce(erasure), robust=True)
    return erasure


def _erasure_announce(erasure: ErasureRequest) -> None:
    """The enterprise's data-protection officers are told an erasure awaits them."""
    deciders = User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.current()
        .filter(organisation_id=erasure.organisation_id, role=Role.AUDITOR)
        .exclude(user_id=erasure.requested_by_id)
        .values("user_id"),
    )
    notify(
        kind=Kind.ERASURE_AWAITING_APPROVAL,
        recipients=deciders,
        url=reverse("erasure:detail", kwargs={"erasure_id": erasure.pk}),
    )


def _pending_for_update(erasure: ErasureRequest) -> ErasureRequest:
    locked = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if locked.status != ErasureRequest.Status.PENDING:
        raise ValidationError(_("This erasure request has already been decided."))
    return locked


def _decider_check(erasure: ErasureRequest, acting_user: User) -> None:
    if erasure.requested_by_id == acting_user.pk:
        raise ValidationError(
            _("The person who requested an erasure cannot decide on it: a second person must.")
        )
    _require_role(acting_user, Role.AUDITOR, erasure.organisation_id)


@transaction.atomic
def erasure_reject(*, erasure: ErasureRequest, reason: str, acting_user: User) -> ErasureRequest:
    """The data-protection officer turns the request down, with a reason."""
    erasure = _pending_for_update(erasure)
    _decider_check(erasure, acting_user)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for rejecting the request.")})
    erasure.status = ErasureRequest.Status.REJECTED
    erasure.decided_by = acting_user
    erasure.decided_at = timezone.now()
    erasure.decision_reason = reason.strip()
    erasure.note = ""
    erasure.save()
    return erasure


@transaction.atomic
def erasure_approve(
    *,
    erasure: ErasureRequest,
    acting_user: User,
    ip_address: str | None = None,
    request_id: str = "",
) -> ErasureRequest:
    """The data-protection officer approves: the record is erased, all or nothing."""
    erasure = _pending_for_update(erasure)
    _decider_check(erasure, acting_user)
    participant = Participant.objects.select_for_update().filter(pk=erasure.participant_id).first()
    if participant is None:
        raise ValidationError(_("The record no longer exists."))
    erasure_validate(participant=participant)
    erasure.pending_files = files.collect(participant.pk)
    participant_erase(participant=participant)
    erasure.status = ErasureRequest.Status.ERASED
    erasure.decided_by = acting_user
    erasure.decided_at = timezone.now()
    erasure.note = ""
    erasure.save()
    AccessEvent.objects.create(
        occurred_at=erasure.decided_at,
        user_id=acting_user.pk,
        role=Role.AUDITOR,
        organisation_id=erasure.organisation_id,
        participant_id=erasure.participant_id,
        section="erasure",
        object_type="erasure_request",
        object_id=str(erasure.pk),
        action=AccessEvent.Action.ERASE,
        ip_address=ip_address,
        request_id=request_id,
    )
    transaction.on_commit(lambda: files_remove(erasure_id=erasure.pk))
    return erasure


def _ids(found) -> list:
    if isinstance(found, QuerySet):
        return list(found.values_list("id", flat=True))
    return list(found)


def participant_erase(*, participant: Participant) -> dict[str, int]:
    """Destroy the data key and delete every row of the record, live and history.

    Call inside a transaction (the services do). Returns rows deleted per table.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("participant_erase must run inside a transaction")
    if connection.vendor == "sqlite":
        # Overwrite the freed pages of the deleted rows too, not only the key's.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    participant_id = participant.pk
    sources = registry.history_sources()
    # Owner ids first: they are found through the rows about to be deleted.
    owner_ids = {
        source.owner: _ids(registry.owner_ids(source.owner, participant_id)) for source in sources
    }
    data_key = DataKey.objects.select_for_update().get(pk=participant.data_key_id)
    # The agency's referrals that became this record hold a copy of the person under
    # their own keys: shredded with the record.
    referrals = list(Referral.objects.filter(placement__participant_id=participant_id))
    deleted: dict[str, int] = {}
    _count, by_model = Participant.objects.filter(pk=participant_id).delete()
    deleted.update(by_model)
    if _midway_hook is not None:
        _midway_hook()
    for source in sources:
        history_model = source.model.history.model
        lookup = {f"{source.lookup}__in": owner_ids[source.owner]}
        _count, by_model = history_model.objects.filter(**lookup).delete()
        for label, count in by_model.items():
            deleted[label] = deleted.get(label, 0) + count
        if source.model._base_manager.filter(**lookup).exists():
            raise ErasureIncomplete(f"{source.label} rows remain after the erasure")
    # Fail closed: any row anywhere still under the key means a model the
    # registry does not know; the erasure is rolled back rather than left partial.
    for model in REGISTRY:
        if model._base_manager.filter(**{f"{DATA_KEY_FIELD}_id": data_key.pk}).exists():
            raise ErasureIncomplete(
                f"{model._meta.label} holds rows under the erased data key; "
                "register it as a history source (audit.registry)"
            )
    # The key last: deleting a row writes a history row of it first (simple-history),
    # which reads the row's values, so the key must still work until then.
    data_key_destroy(data_key=data_key)
    DataKey.objects.filter(pk=data_key.pk).delete()
    keycache.forget(data_key.pk)
    for referral in referrals:
        referral_shred(referral=referral)
    return deleted


def files_remove(*, erasure_id: uuid.UUID) -> bool:
    """Delete the stored files noted on an executed erasure; True when none are left."""
    with transaction.atomic():
        erasure = ErasureRequest.objects.select_for_update().get(pk=erasure_id)
        if erasure.status != ErasureRequest.Status.ERASED or erasure.files_removed_at:
            return True
        left = files.delete(erasure.pending_files)
        erasure.pending_files = left
        if not left:
            erasure.files_removed_at = timezone.now()
        erasure.save(update_fields=["pending_files", "files_removed_at"])
        return not left


def files_sweep() -> int:
    """Retry file deletion for erasures whose files are not all gone; the number still left."""
    pending = ErasureRequest.objects.filter(
        status=ErasureRequest.Status.ERASED, files_removed_at__isnull=True
    ).values_list("pk", flat=True)
    return sum(0 if files_remove(erasure_id=pk) else 1 for pk in list(pending))


# --- retention ------------------------------------------------------------------


def retention_policy_for(organisation: Organisation) -> RetentionPolicy:
    """The enterprise's policy, or the default one (unsaved) when it has none."""
    found = RetentionPolicy.objects.filter(organisation=organisation).first()
    return found or RetentionPolicy(organisation=organisation)


@transaction.atomic
def retention_policy_update(
    *,
    organisation: Organisation,
    years_after_end: int,
    years_without_placement: int,
    acting_user: User,
) -> RetentionPolicy:
    _require_role(acting_user, Role.MANAGER, organisation.pk)
    policy = retention_policy_for(organisation)
    policy.years_after_end = years_after_end
    policy.years_without_placement = years_without_placement
    policy.updated_by = acting_user
    policy.full_clean()
    save_with_history(policy, user=acting_user, reason="retention policy changed")
    return policy


@transaction.atomic
def retention_extend(
    *, participant: Participant, due_on: date, until: date, reason: str, acting_user: User
) -> RetentionDecision:
    """Keep a record past its retention period, until a date, for a reason."""
    _require_role(acting_user, Role.MANAGER, participant.organisation_id)
    errors = {}
    if until <= timezone.localdate():
        errors["until"] = _("The new date must be in the future.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for keeping the record longer.")
    if errors:
        raise ValidationError(errors)
    return RetentionDecision.objects.create(
        organisation_id=participant.organisation_id,
        participant_id=participant.pk,
        kind=RetentionDecision.Kind.EXTEND,
        due_on=due_on,
        extended_until=until,
        reason=reason.strip(),
        decided_by=acting_user,
        decided_at=timezone.now(),
    )


@transaction.atomic
def retention_confirm(
    *, participant: Participant, due_on: date, note: str = "", acting_user: User
) -> RetentionDecision:
    """Confirm that a record past its retention period goes: an erasure request
    (ground: retention ended) for the data-protection officer to approve."""
    erasure = erasure_request(
        participant=participant,
        ground=ErasureRequest.Ground.RETENTION_ENDED,
        note=note,
        acting_user=acting_user,
    )
    return RetentionDecision.objects.create(
        organisation_id=participant.organisation_id,
        participant_id=participant.pk,
        kind=RetentionDecision.Kind.ERASE,
        due_on=due_on,
        reason=note.strip()[:300],
        erasure=erasure,
        decided_by=acting_user,
        decided_at=timezone.now(),
    )


@transaction.atomic
def retention_hold_add(
    *,
    participant: Participant,
    funder: Organisation,
    keep_until: date,
    basis: str,
    acting_user: User,
) -> RetentionHold:
    """Record that a funder requires the record to be kept until a date."""
    _require_role(acting_user, Role.MANAGER, participant.organisation_id)
    errors = {}
    if funder.kind != Organisation.Kind.FUNDER:
        errors["funder"] = _("Choose a funder.")
    if not basis.strip():
        errors["basis"] = _("Name the rule that requires the record to be kept.")
    if errors:
        raise ValidationError(errors)
    return RetentionHold.objects.create(
        participant=participant,
        funder=funder,
        keep_until=keep_until,
        basis=basis.strip(),
        recorded_by=acting_user,
    )


def retention_check() -> RetentionRun:
    """The daily job: record which records are due for review (ids only) and retry
    the deletion of stored files left by an erasure. Deletes no record."""
    from .selectors import retention_due

    due = retention_due()
    by_organisation: dict[str, list[str]] = {}
    for record in due:
        by_organisation.setdefault(str(record.participant.organisation_id), []).append(
            str(record.participant.pk)
        )
    run = RetentionRun.objects.create(
        ran_at=timezone.now(), due=by_organisation, due_count=len(due)
    )
    files_sweep()
    referrals_shred_due()
    return run


def referrals_shred_due(*, today: date | None = None) -> int:
    """Crypto-shred the referrals past their retention (erasure.selectors), each in
    its own transaction; returns how many. No four eyes: a declined or withdrawn
    referral never became a record the enterprise keeps, and an accepted one's
    record was erased with them."""
    from .selectors import referrals_retention_due

    count = 0
    for referral in referrals_retention_due(today=today):
        referral_shred(referral=referral)
        count += 1
    return count
