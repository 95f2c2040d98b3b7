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
        #: A membership that gives access was requested, granted or approved.
        ACCESS_CHANGE = "access_change", _("Access change")

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
        indexes = [
            models.Index(fields=["participant_id", "occurred_at"]),
            # The bulk-viewing flag counts one user's events in a sliding hour.
            models.Index(fields=["user_id", "occurred_at"], name="audit_event_user_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.participant_id}"


class Seal(models.Model):
    """One link of the hash chain: a batch of events in id order.

    ``hash`` = SHA-256 over the previous seal's hash, this seal's range and the
    canonical form of every event in the range (see ``audit.sealing``). The
    unique constraints make a racing second sealer fail and retry instead of
    forking the chain; no lock is held while requests write events.
    """

    id = models.BigAutoField(primary_key=True)
    first_event_id = models.BigIntegerField(unique=True)
    last_event_id = models.BigIntegerField()
    event_count = models.PositiveIntegerField()
    #: The ids sealed, as compressed ranges ("1-500,502-900"); a hint that lets
    #: verify_audit name a missing or forged event. The hash is the authority.
    event_ranges = models.TextField()
    #: Order-independent digest of the events without their ids; tells a
    #: reordering apart from a changed event.
    content_digest = models.CharField(max_length=64)
    previous_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)
    sealed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("seal")
        verbose_name_plural = _("seals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_event_id__gte=models.F("first_event_id")),
                name="seal_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Seal {self.id} ({self.first_event_id}–{self.last_event_id})"


class AuditMaintenance(models.Model):
    """A row per maintenance action on the audit trail (retention purge, …)."""

    class Kind(models.TextChoices):
        PURGE = "purge", _("Retention purge")
        HEAD_EXPORT = "head_export", _("Chain head exported")

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    performed_at = models.DateTimeField(_("when (UTC)"))
    #: The operator (OS user for commands, or a user id), never a person's name.
    performed_by = models.CharField(_("by whom"), max_length=150)
    parameters = models.JSONField(_("parameters"), default=dict)

    class Meta:
        verbose_name = _("audit maintenance")
        verbose_name_plural = _("audit maintenance")

    def __str__(self) -> str:
        return f"{self.kind} {self.performed_at:%Y-%m-%d %H:%M}"


class PurgeFlag(models.Model):
    """SQLite only: a row here, inside the purge transaction, lets the triggers
    allow DELETE on the audit tables (PostgreSQL uses ``SET LOCAL``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)

    class Meta:
        verbose_name = _("audit purge flag")

    def __str__(self) -> str:
        return "purge in progress"
