"""The daily job: reviews and follow-ups falling due or overdue become notifications
(by ``casework.due``, the rule the home pages and reports use), then the e-mail
digests are queued.

The placements are walked in batches by primary key; each batch costs the same
few queries however many placements it holds or how many are due
(``bench/notifications.py`` measures it; a test pins it).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from casework import due
from casework.models import FollowUp
from participants import access
from participants.models import ParticipantUserObjectPermission
from placements.models import Placement

from .kinds import Kind
from .models import Notification
from .services import NewNotification, notifications_create

BATCH_SIZE = 500
#: Read notifications are deleted this long after they were read.
READ_KEPT_DAYS = 180

REVIEW_KINDS = {due.DueState.SOON: Kind.REVIEW_DUE, due.DueState.OVERDUE: Kind.REVIEW_OVERDUE}
FOLLOW_UP_KINDS = {
    due.DueState.SOON: Kind.FOLLOW_UP_DUE,
    due.DueState.OVERDUE: Kind.FOLLOW_UP_OVERDUE,
}


@dataclass
class DailyRun:
    due_items: int = 0
    batches: int = 0
    digests: int = 0
    purged: int = 0


def _review_items(placement_ids: list, today: date) -> list[NewNotification]:
    """Reviews due within 7 days or overdue, told to the placement's case officer. One query."""
    horizon = today + timedelta(days=due.DUE_SOON_DAYS)
    placements = (
        due.with_review_dates(
            Placement.objects.filter(
                pk__in=placement_ids, case_officer__isnull=False, case_officer__is_active=True
            )
        )
        .filter(due.reviews_due_by(horizon))
        .only("pk", "case_officer_id", "start_date", "status")
    )
    items = []
    for placement in placements:
        due_on = due.placement_review_due_on(placement)
        state = due.due_state(due_on, today=today)
        if state is None or due_on is None:
            continue
        items.append(
            NewNotification(
                placement.case_officer_id,
                REVIEW_KINDS[state],
                reverse("placements:review_create", kwargs={"placement_id": placement.pk}),
                f"review:{placement.pk}:{due_on.isoformat()}:{state}",
            )
        )
    return items


def _follow_up_items(placement_ids: list, today: date) -> list[NewNotification]:
    """Follow-ups due within 7 days or overdue, told to whom the home pages show them
    (casework.selectors_followup): the enterprise's current managers, and supervisors
    who supervise there and hold a grant on the participant (current or in grace).
    Four queries."""
    horizon = today + timedelta(days=due.DUE_SOON_DAYS)
    follow_ups = list(
        FollowUp.objects.filter(exit__placement_id__in=placement_ids)
        .filter(due.follow_ups_due_by(horizon))
        .values_list("pk", "due_on", "participant_id", "participant__organisation_id")
    )
    organisation_ids = {row[3] for row in follow_ups}
    staff: dict = defaultdict(set)  # (organisation id, role) → user ids
    for organisation_id, role, user_id in (
        Membership.objects.current()
        .filter(
            role__in=[Role.MANAGER, Role.SUPERVISOR],
            user__is_active=True,
            organisation_id__in=organisation_ids,
        )
        .values_list("organisation_id", "role", "user_id")
    ):
        staff[(organisation_id, role)].add(user_id)
    granted: dict = defaultdict(set)  # participant id → user ids holding a grant
    for participant_id, user_id in access.grant_holders(
        ParticipantUserObjectPermission,
        object_ids={row[2] for row in follow_ups},
        codename="view_participant",
    ):
        granted[participant_id].add(user_id)
    items = []
    for follow_up_id, due_on, participant_id, organisation_id in follow_ups:
        state = due.due_state(due_on, today=today)
        if state is None:
            continue
        url = reverse(
            "participants:follow_up_record",
            kwargs={"participant_id": participant_id, "follow_up_id": follow_up_id},
        )
        recipients = staff[(organisation_id, Role.MANAGER)] | (
            granted[participant_id] & staff[(organisation_id, Role.SUPERVISOR)]
        )
        for user_id in sorted(recipients, key=str):
            items.append(
                NewNotification(
                    user_id,
                    FOLLOW_UP_KINDS[state],
                    url,
                    f"follow_up:{follow_up_id}:{due_on.isoformat()}:{state}",
                )
            )
    return items


def due_items_batch(placement_ids: list, *, today: date) -> int:
    """Notifications for one batch of placements, in one transaction. Nine queries at most."""
    items = _review_items(placement_ids, today) + _follow_up_items(placement_ids, today)
    with transaction.atomic():
        notifications_create(items)
    return len(items)


def notifications_daily(*, today: date | None = None, batch_size: int = BATCH_SIZE) -> DailyRun:
    """Walk every placement in batches, tell of due items, queue the digests, and
    delete notifications read more than ``READ_KEPT_DAYS`` ago."""
    from .emails import digest_recipients
    from .tasks import notification_email_task

    today = today or timezone.localdate()
    run = DailyRun()
    last = None
    while True:
        batch = Placement.objects.order_by("pk")
        if last is not None:
            batch = batch.filter(pk__gt=last)
        ids = list(batch.values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        run.batches += 1
        run.due_items += due_items_batch(ids, today=today)
        last = ids[-1]
    for user_id in digest_recipients():
        notification_email_task.enqueue(user_id, True)
        run.digests += 1
    run.purged, _by_model = Notification.objects.filter(
        read_at__lt=timezone.now() - timedelta(days=READ_KEPT_DAYS)
    ).delete()
    return run
