"""Every write of notifications: creating them (from events and the daily job),
marking them read, and each user's choice of delivery."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .kinds import Delivery, Kind
from .models import Notification, Preference
from .selectors import deliveries_for


@dataclass(frozen=True)
class NewNotification:
    recipient_id: Any
    kind: str
    url: str
    dedupe_key: str = ""


def notification_url_validate(url: str) -> None:
    """A link is a path of this site without query or fragment (ids only, no text)."""
    if not url.startswith("/") or "?" in url or "#" in url:
        raise ValidationError(_("A notification links to a page of Stegvis."))
    try:
        resolve(url)
    except Resolver404:
        raise ValidationError(_("A notification links to a page of Stegvis.")) from None


def notifications_create(items: list[NewNotification]) -> int:
    """Save the notifications (one insert; a due item already told of is skipped) and
    queue an e-mail, after the commit, to each recipient who wants one at once.

    Two queries for any number of items.
    """
    if not items:
        return 0
    for url in {item.url for item in items}:
        notification_url_validate(url)
    unknown = {item.kind for item in items} - set(Kind.values)
    if unknown:
        raise ValidationError(f"unknown notification kind: {sorted(unknown)}")
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=item.recipient_id,
                kind=item.kind,
                url=item.url,
                dedupe_key=item.dedupe_key,
                created_at=now,
            )
            for item in items
        ],
        ignore_conflicts=True,
    )
    deliveries = deliveries_for(
        user_ids={item.recipient_id for item in items}, kinds={item.kind for item in items}
    )
    at_once = sorted(
        {
            str(item.recipient_id)
            for item in items
            if deliveries[(item.recipient_id, item.kind)] == Delivery.IMMEDIATE
        }
    )
    if at_once:
        from .tasks import notification_email_task

        def enqueue() -> None:
            for user_id in at_once:
                notification_email_task.enqueue(user_id)

        # robust: the notifications are saved; a queue that cannot be reached is logged.
        transaction.on_commit(enqueue, robust=True)
    return len(items)


def notify(*, kind: str, recipients: Iterable[User], url: str, dedupe_key: str = "") -> int:
    """Tell the active ``recipients`` of an event of ``kind``; the link is ``url``."""
    return notifications_create(
        [
            NewNotification(user.pk, kind, url, dedupe_key)
            for user in {user.pk: user for user in recipients if user.is_active}.values()
        ]
    )


def notification_mark_read(*, notification: Notification, acting_user: User) -> Notification:
    """Mark one of the acting user's own notifications read."""
    if notification.recipient_id != acting_user.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, acting_user: User) -> int:
    """Mark every unread notification of the acting user read. One query."""
    return Notification.objects.filter(recipient=acting_user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preferences_set(*, user: User, deliveries: dict[str, str], acting_user: User) -> None:
    """The user's own choice of delivery per kind. One query."""
    if user.pk != acting_user.pk:
        raise PermissionDenied
    errors = {
        kind: _("Choose how to be told.")
        for kind, delivery in deliveries.items()
        if kind not in Kind.values or delivery not in Delivery.values
    }
    if errors:
        raise ValidationError(errors)
    Preference.objects.bulk_create(
        [
            Preference(user=user, kind=kind, delivery=delivery)
            for kind, delivery in deliveries.items()
        ],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["delivery"],
    )
