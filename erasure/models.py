"""Erasure requests (four eyes), the enterprise's retention policy, funders'
retention obligations and the manager's retention decisions.

Erasure requests and retention decisions name the participant by id only (a
plain UUID, not a foreign key): they outlive the record they are about, and
an id no longer leads anywhere once the record is erased.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation, User
from participants.models import Participant


class ErasureRequest(models.Model):
    """A manager's request to erase a participant's record, decided by the
    enterprise's data-protection officer (a different person: four eyes)."""

    class Ground(models.TextChoices):
        PARTICIPANT_REQUEST = "participant_request", _("The participant asked for erasure")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn, no other legal basis")
        NO_LONGER_NEEDED = "no_longer_needed", _("No longer needed for its purpose")
        RETENTION_ENDED = "retention_ended", _("Retention period ended")
        UNLAWFUL = "unlawful", _("Processed unlawfully")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        REJECTED = "rejected", _("Rejected")
        ERASED = "erased", _("Erased")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("enterprise")
    )
    participant_id = models.UUIDField(_("participant"), db_index=True)
    ground = models.CharField(_("ground"), max_length=24, choices=Ground.choices)
    #: The requester's explanation. Cleared when the request is decided: the
    #: coded ground, the people and the times are the lasting record.
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    #: Why a request was rejected (no personal data).
    decision_reason = models.CharField(_("reason for the decision"), max_length=300, blank=True)
    #: Stored files to delete once the erasure has committed (see erasure.files).
    pending_files = models.JSONField(default=list, blank=True)
    files_removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            # Four eyes, kept by the database too: the requester never decides.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="erasure_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (
                    Q(status__in=["rejected", "erased"])
                    & Q(decided_by__isnull=False, decided_at__isnull=False)
                ),
                name="erasure_decided_has_decider",
            ),
            models.UniqueConstraint(
                fields=["participant_id"],
                condition=Q(status="pending"),
                name="erasure_one_pending_per_participant",
            ),
        ]

    def __str__(self) -> str:
        return f"Erasure {self.id} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("erasure:detail", kwargs={"erasure_id": self.id})


def default_years_after_end() -> int:
    return settings.RETENTION_DEFAULT_YEARS_AFTER_END


def default_years_without_placement() -> int:
    return settings.RETENTION_DEFAULT_YEARS_WITHOUT_PLACEMENT


class RetentionPolicy(models.Model):
    """How long an enterprise keeps a participant's record, per kind of record."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="retention_policy"
    )
    years_after_end = models.PositiveSmallIntegerField(
        _("years after the last placement ended"), default=default_years_after_end
    )
    years_without_placement = models.PositiveSmallIntegerField(
        _("years after registration for a record that never had a placement"),
        default=default_years_without_placement,
    )
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(years_after_end__gte=1, years_after_end__lte=50)
                & Q(years_without_placement__gte=1, years_without_placement__lte=50),
                name="retention_policy_years_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Retention policy {self.organisation_id}"


class RetentionHold(models.Model):
    """A funder's requirement that the enterprise keep a participant's record until a date
    (for example an ESF+ project's record-keeping period). Erasure is refused until then."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="retention_holds"
    )
    funder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("funder"),
        limit_choices_to={"kind": Organisation.Kind.FUNDER},
    )
    keep_until = models.DateField(_("keep until"))
    #: The rule that requires it (a programme's or project's reference; no personal data).
    basis = models.CharField(_("basis"), max_length=200)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("funder's retention requirement")
        verbose_name_plural = _("funders' retention requirements")

    def __str__(self) -> str:
        return f"Hold {self.participant_id} until {self.keep_until}"


class RetentionDecision(models.Model):
    """A manager's decision on a record whose retention period has ended:
    erase it (an erasure request follows) or keep it longer, with a reason."""

    class Kind(models.TextChoices):
        ERASE = "erase", _("Erase")
        EXTEND = "extend", _("Keep longer")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    participant_id = models.UUIDField(db_index=True)
    kind = models.CharField(_("decision"), max_length=8, choices=Kind.choices)
    #: When the record became due (the end of the retention period).
    due_on = models.DateField(_("due on"))
    extended_until = models.DateField(_("keep until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    erasure = models.ForeignKey(
        ErasureRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("retention decision")
        verbose_name_plural = _("retention decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="erase", erasure__isnull=False, extended_until__isnull=True)
                | (Q(kind="extend", extended_until__isnull=False) & ~Q(reason="")),
                name="retention_decision_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.participant_id}"


class RetentionRun(models.Model):
    """One run of the daily retention job: how many records were due (ids only)."""

    id = models.BigAutoField(primary_key=True)
    ran_at = models.DateTimeField()
    #: organisation id → [participant ids due]
    due = models.JSONField(default=dict)
    due_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"Retention run {self.ran_at:%Y-%m-%d %H:%M}: {self.due_count} due"
