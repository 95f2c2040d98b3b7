"""The participant's confirmation of the time recorded for them, one per placement
and month (docs/attendance.md).

Each month the participant confirms, or disputes with a comment, the attendance
recorded for them: on a printed sheet they sign (the supervisor marks it received)
or on screen with the supervisor present. The confirmation keeps a digest of the
attendance it confirmed (``timesheets.selectors.attendance_digest``): when that
month's attendance changes afterwards, the confirmation reads as outdated instead
of silently covering hours the participant never saw.

The channel and the actor are kept apart so that a participant signing in
themselves (Swedish e-ID) is one more channel: ``recorded_by`` is empty and the
participant is the actor (the signing's reference is added with that channel).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import User
from encryption.fields import EncryptedTextField
from encryption.models import EncryptedRecord
from placements.models import Placement


class TimeConfirmation(EncryptedRecord):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        DISPUTED = "disputed", _("Disputed")

    class Channel(models.TextChoices):
        PAPER = "paper", _("Signed paper sheet")
        ON_SCREEN = "on_screen", _("On screen, supervisor present")
        E_ID = "e_id", _("Self-service with e-ID")

    class Resolution(models.TextChoices):
        CORRECTED = "corrected", _("Attendance corrected")
        KEPT = "kept", _("Attendance kept as recorded")

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="time_confirmations"
    )
    #: The first day of the calendar month confirmed.
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    #: The staff member who recorded it (paper, on screen); empty when the
    #: participant is the actor (e-ID self-service).
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    #: SHA-256 of the month's attendance rows as confirmed (hex).
    digest = models.CharField(max_length=64)
    #: The days the participant disputes (ISO dates, sorted).
    disputed_days = models.JSONField(_("disputed days"), default=list, blank=True)
    comment = EncryptedTextField(_("participant's comment"))
    resolution = models.CharField(
        _("resolution"), max_length=16, choices=Resolution.choices, blank=True
    )
    resolved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_comment = EncryptedTextField(_("manager's comment"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["month"]
        verbose_name = _("time confirmation")
        verbose_name_plural = _("time confirmations")
        indexes = [models.Index(fields=["status", "resolution"])]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "month"], name="time_confirmation_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "disputed"]),
                name="time_confirmation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["paper", "on_screen", "e_id"]),
                name="time_confirmation_channel_valid",
            ),
            # Paper and on screen are recorded by a staff member; e-ID by the participant.
            models.CheckConstraint(
                condition=Q(channel="e_id", recorded_by__isnull=True)
                | (~Q(channel="e_id") & Q(recorded_by__isnull=False)),
                name="time_confirmation_actor_matches_channel",
            ),
            models.CheckConstraint(
                condition=Q(resolution="", resolved_by__isnull=True, resolved_at__isnull=True)
                | Q(
                    status="disputed",
                    resolution__in=["corrected", "kept"],
                    resolved_by__isnull=False,
                    resolved_at__isnull=False,
                ),
                name="time_confirmation_resolution_of_a_dispute",
            ),
        ]

    def __str__(self) -> str:
        return f"Time confirmation {self.placement_id} {self.month:%Y-%m}"

    @property
    def open_dispute(self) -> bool:
        return self.status == self.Status.DISPUTED and not self.resolution
