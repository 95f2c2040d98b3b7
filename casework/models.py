"""Casework on a placement: notes, goals, assessments, reviews, exit and follow-ups."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import User
from encryption.fields import EncryptedTextField
from encryption.models import EncryptedRecord
from participants.models import Participant
from placements.models import Placement


class ProgressNote(EncryptedRecord):
    class Kind(models.TextChoices):
        OBSERVATION = "observation", _("Observation")
        CONVERSATION = "conversation", _("Conversation")
        INCIDENT = "incident", _("Incident")
        MILESTONE = "milestone", _("Milestone")

    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("Internal to the enterprise")
        SHARED = "shared", _("Shared with the case officer")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = EncryptedTextField(_("text"), blank=False)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        indexes = [models.Index(fields=["placement", "visibility", "date"])]

    def __str__(self) -> str:
        return f"Note {self.id}"


class Goal(EncryptedRecord):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        DROPPED = "dropped", _("Dropped")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="goals")
    text = EncryptedTextField(_("goal"), blank=False)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="achieved") | Q(achieved_on__isnull=False),
                name="goal_achieved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Goal {self.id}"


class Instrument(models.Model):
    """A progress instrument: a set of areas scored together with the participant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("label"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"))
    min_score = models.PositiveSmallIntegerField(default=1)
    max_score = models.PositiveSmallIntegerField(default=10)

    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument", "position"]
        verbose_name = _("instrument area")
        verbose_name_plural = _("instrument areas")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="item_unique_code"),
            models.CheckConstraint(
                condition=Q(min_score__lt=F("max_score")), name="item_score_range_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Assessment(EncryptedRecord):
    class Kind(models.TextChoices):
        INTAKE = "intake", _("Intake")
        PERIODIC = "periodic", _("Periodic")
        EXIT = "exit", _("At exit")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="assessments")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    assessed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    comment = EncryptedTextField(_("comment"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [
            # A placement's first and latest assessment (progress in the
            # outcome report, the assessment history) read straight from the
            # index instead of sorting the placement's assessments each time.
            models.Index(fields=["placement", "date", "id"], name="assessment_placement_date"),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.id}"


class Score(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("score"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="score_one_per_item"),
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=10), name="score_value_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Score {self.id}"


class Review(EncryptedRecord):
    class Decision(models.TextChoices):
        CONTINUE = "continue", _("Continue")
        CHANGE_PLAN = "change_plan", _("Change the plan")
        END = "end", _("End the placement")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="reviews")
    case_officer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    summary = EncryptedTextField(_("summary"), blank=False)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"Review {self.id}"


class Outcome(models.TextChoices):
    EMPLOYED = "employed", _("Employed without subsidy")
    EMPLOYED_SUBSIDISED = "employed_subsidised", _("Employed with wage subsidy")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    STUDIES = "studies", _("Studies")
    JOB_SEEKING = "job_seeking", _("Job seeking")
    OTHER_PROGRAMME = "other_programme", _("Other programme")
    SICK_LEAVE = "sick_leave", _("Sick leave or rehabilitation")
    MOVED = "moved", _("Moved")
    UNKNOWN = "unknown", _("Unknown")


class Exit(EncryptedRecord):
    placement = models.OneToOneField(Placement, on_delete=models.CASCADE, related_name="exit")
    date = models.DateField(_("exit date"))
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)
    comment = EncryptedTextField(_("comment"))
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exit")
        verbose_name_plural = _("exits")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="exit_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Exit {self.id}"


class FollowUp(EncryptedRecord):
    class Kind(models.TextChoices):
        DAY_28 = "day_28", _("28 days after exit")
        MONTH_6 = "month_6", _("6 months after exit")

    class Status(models.TextChoices):
        EMPLOYED = "employed", _("Employed without subsidy")
        EMPLOYED_SUBSIDISED = "employed_subsidised", _("Employed with wage subsidy")
        SELF_EMPLOYED = "self_employed", _("Self-employed")
        STUDIES = "studies", _("Studies")
        JOB_SEEKING = "job_seeking", _("Job seeking")
        OTHER_PROGRAMME = "other_programme", _("Other programme")
        SICK_LEAVE = "sick_leave", _("Sick leave or rehabilitation")
        MOVED = "moved", _("Moved")
        NOT_REACHED = "not_reached", _("Could not be reached")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="follow_ups"
    )
    exit = models.ForeignKey(Exit, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    due_on = models.DateField(_("due"))
    status_found = models.CharField(
        _("status found"), max_length=24, choices=Status.choices, blank=True
    )
    note = EncryptedTextField(_("note"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["exit", "kind"], name="follow_up_one_per_kind"),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | ~Q(status_found=""),
                name="follow_up_done_has_status",
            ),
        ]
        indexes = [models.Index(fields=["done_at", "due_on"])]

    def __str__(self) -> str:
        return f"Follow-up {self.id}"
