"""Notifications and each user's choice of how to be told.

A notification holds its recipient, its kind and a link (a path of ids): no
personal data, so listing notifications reads nothing of a participant's record
and is no access event. Opening the item is where the person's data is read,
through the item's own permission-scoped selector.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .kinds import Delivery, Kind


class Notification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    #: The item's address: a path of ids (``/remisser/<uuid>/``), never text about a person.
    url = models.CharField(_("link"), max_length=300)
    #: Set for due items, so that the daily job tells of a review or follow-up once
    #: per due date and state ("review:<placement>:<date>:overdue"); ids and dates only.
    dedupe_key = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_latest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_once_per_due_item",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="notification_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="/"), name="notification_url_is_a_path"
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class Preference(models.Model):
    """How a user wants to hear of one kind (the default is ``kinds.DEFAULT_DELIVERY``)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="preference_kind_known"),
            models.CheckConstraint(
                condition=Q(delivery__in=Delivery.values), name="preference_delivery_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.delivery}"
