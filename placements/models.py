"""Placements (a stint of work training or rehabilitation at a unit) and attendance."""

import uuid
from decimal import ROUND_DOWN, Decimal

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from accounts.models import Organisation, Unit, User
from encryption.fields import EncryptedTextField
from encryption.models import EncryptedRecord
from participants.models import Participant

WEEKDAY_CODES = "1234567"  # ISO weekdays, Monday = 1


class Programme(models.TextChoices):
    WORK_TRAINING = "work_training", _("Work training")
    ENHANCED_WORK_TRAINING = "enhanced_work_training", _("Enhanced work training")
    VOCATIONAL_REHABILITATION = "vocational_rehabilitation", _("Work-oriented rehabilitation")
    INTERNSHIP = "internship", _("Internship (praktik)")
    WAGE_SUBSIDY = "wage_subsidy", _("Wage-subsidised employment")
    ESF_PROJECT = "esf_project", _("ESF+ project activity")


class Placement(EncryptedRecord):
    class Status(models.TextChoices):
        REFERRED = "referred", _("Referred")
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    class PlanStatus(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="placements"
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("unit"),
        null=True,
        blank=True,
    )
    programme = models.CharField(_("programme"), max_length=32, choices=Programme.choices)
    referring_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_placements",
        verbose_name=_("referring agency"),
        limit_choices_to={"kind": Organisation.Kind.AGENCY},
    )
    case_officer = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_placements",
        verbose_name=_("case officer"),
    )
    # The agency's decision (beslut) behind the placement, e.g. Arbetsförmedlingen's
    # decision number; printed on the reports the agency gets back.
    decision_number = models.CharField(_("agency decision number"), max_length=40, blank=True)
    referred_on = models.DateField(_("referred on"))
    proposed_start = models.DateField(_("proposed start"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1, default=Decimal("20.0")
    )
    weekdays = models.CharField(_("weekdays"), max_length=7, default="12345")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REFERRED
    )
    # The plan: its texts are encrypted, its approval state is plain.
    plan_goals = EncryptedTextField(_("plan: goals"))
    plan_tasks = EncryptedTextField(_("plan: tasks"))
    plan_support = EncryptedTextField(_("plan: support"))
    plan_status = models.CharField(
        _("plan status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    plan_submitted_at = models.DateTimeField(null=True, blank=True)
    plan_decided_at = models.DateTimeField(null=True, blank=True)
    plan_decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan_comment = EncryptedTextField(_("case officer's comment on the plan"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        permissions = [
            ("log_progress", "Can record attendance, notes, goals and assessments"),
            ("review_placement", "Can review the placement and decide on its plan"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(start_date__isnull=True)
                | Q(planned_end__gte=F("start_date")),
                name="placement_planned_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | (Q(start_date__isnull=False) & Q(actual_end__gte=F("start_date"))),
                name="placement_actual_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0, hours_per_week__lte=40),
                name="placement_hours_per_week_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["referred", "planned", "active", "paused", "ended"]),
                name="placement_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["active", "paused", "ended"])
                | (Q(start_date__isnull=False) & Q(unit__isnull=False)),
                name="placement_started_has_start_and_unit",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | Q(actual_end__isnull=False),
                name="placement_ended_has_end",
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"Placement {self.id}"

    def get_absolute_url(self) -> str:
        return reverse("placements:detail", kwargs={"placement_id": self.id})

    @property
    def daily_hours(self) -> Decimal:
        """Planned hours on each scheduled weekday."""
        days = len(self.weekdays) or 1
        # Rounded down, so that a week attended as planned never exceeds the
        # weekly scope (20 h over 3 days: 6.66, not 6.67 × 3 = 20.01).
        return (Decimal(self.hours_per_week) / days).quantize(Decimal("0.01"), rounding=ROUND_DOWN)

    def is_scheduled_on(self, day) -> bool:
        return str(day.isoweekday()) in self.weekdays


class PlacementSupervisor(models.Model):
    """A supervisor's assignment to a placement; ended, never deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="supervisor_assignments"
    )
    supervisor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    assigned_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supervisor assignment")
        verbose_name_plural = _("supervisor assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "supervisor"],
                condition=Q(ended_on__isnull=True),
                name="placement_supervisor_one_open",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("assigned_on")),
                name="placement_supervisor_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} → {self.placement_id}"


class PlacementPause(EncryptedRecord):
    """One pause of a placement: when, why and by whom; closed when it is resumed."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="pauses")
    paused_on = models.DateField(_("paused on"))
    # The reason may be about health ("sick leave"), so it is encrypted.
    reason = EncryptedTextField(_("reason for the pause"), blank=False)
    paused_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    resumed_on = models.DateField(_("resumed on"), null=True, blank=True)
    resumed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["paused_on"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        constraints = [
            models.UniqueConstraint(
                fields=["placement"],
                condition=Q(resumed_on__isnull=True),
                name="placement_pause_one_open",
            ),
            models.CheckConstraint(
                condition=Q(resumed_on__isnull=True) | Q(resumed_on__gte=F("paused_on")),
                name="placement_pause_resumed_not_before_paused",
            ),
        ]

    def __str__(self) -> str:
        return f"Pause {self.id}"


class Attendance(EncryptedRecord):
    class AbsenceReason(models.TextChoices):
        SICK = "sick", _("Sick")
        VALID_LEAVE = "valid_leave", _("Valid leave")
        INVALID = "invalid", _("Unexcused absence")
        HOLIDAY = "holiday", _("Holiday")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="attendance")
    date = models.DateField(_("date"))
    planned_hours = models.DecimalField(_("planned hours"), max_digits=4, decimal_places=2)
    attended_hours = models.DecimalField(_("attended hours"), max_digits=4, decimal_places=2)
    absence_reason = models.CharField(
        _("absence reason"), max_length=16, choices=AbsenceReason.choices, blank=True
    )
    note = EncryptedTextField(_("note"))
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "date"], name="attendance_one_row_per_day"
            ),
            models.CheckConstraint(
                condition=Q(attended_hours__gte=0, attended_hours__lte=24),
                name="attendance_attended_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(planned_hours__gte=0, planned_hours__lte=24),
                name="attendance_planned_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(absence_reason="")
                | Q(absence_reason__in=["sick", "valid_leave", "invalid", "holiday"]),
                name="attendance_absence_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Attendance {self.placement_id} {self.date}"


class PlacementUserObjectPermission(UserObjectPermissionBase):
    """Relationship grants on a placement (guardian's direct foreign-key table)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    content_object = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="user_grants"
    )
    expires_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("placement grant")
        verbose_name_plural = _("placement grants")
        indexes = [models.Index(fields=["user", "permission", "content_object"])]
