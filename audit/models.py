"""Access events (who read what) and the seals that chain them.

Events hold ids only: no names, no personnummer, no search terms in clear.
The tables are append-only (database triggers); sealing writes new Seal rows
and never touches an event.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("View")
        PRINT = "print", _("Print")
        EXPORT = "export", _("Export")
        SEARCH = "search", _("Search")
        ERASE = "erase", _("Erase")

    # Auto-increment: the order of the hash chain.
    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(_("when (UTC)"), db_index=True)
    user_id = models.UUIDField(_("user"), null=True, db_index=True)
    role = models.CharField(_("role"), max_length=32, blank=True)
    organisation_id = models.UUIDField(_("organisation"), null=True, db_index=True)
    participant_id = models.UUIDField(_("participant"), null=True, db_index=True)
    section = models.CharField(_("section"), max_length=32, blank=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    ip_address = models.GenericIPAddressField(_("client address"), null=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    #: Number of participants a list or search event covered (no ids of rows not opened).
    result_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        indexes = [models.Index(fields=["participant_id", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.participant_id}"
