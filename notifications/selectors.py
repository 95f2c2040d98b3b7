"""The user's own notifications and preferences. No person data is read here:
a notification holds a kind and a link, so listing them is no access event."""

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User

from .kinds import DEFAULT_DELIVERY, Kind
from .models import Notification, Preference


def deliveries_for(*, user_ids: Iterable, kinds: Iterable[str]) -> dict[tuple[Any, str], str]:
    """How each user wants to hear of each kind, defaults filled in. One query."""
    user_ids, kinds = set(user_ids), set(kinds)
    chosen = {
        (user_id, kind): delivery
        for user_id, kind, delivery in Preference.objects.filter(
            user_id__in=user_ids, kind__in=kinds
        ).values_list("user_id", "kind", "delivery")
    }
    return {
        (user_id, kind): chosen.get((user_id, kind), DEFAULT_DELIVERY[kind])
        for user_id in user_ids
        for kind in kinds
    }


def notification_list_for(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first (unread and read)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def notification_unread_count_for(*, user: User) -> int:
    """How many of the user's notifications are unread (the menu's badge). One query."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get_for(*, user: User, notification_id) -> Notification:
    """One of the user's own notifications; anyone else's answers 404."""
    try:
        return Notification.objects.get(recipient=user, pk=uuid.UUID(str(notification_id)))
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def preferences_for(*, user: User) -> dict[str, str]:
    """The user's delivery per kind, defaults filled in, in the registry's order. One query."""
    found = deliveries_for(user_ids=[user.pk], kinds=Kind.values)
    return {kind: found[(user.pk, kind)] for kind in Kind.values}
