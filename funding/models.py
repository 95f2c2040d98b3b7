"""Funded projects, the placements in them, the data each project reports, and its files.

A ``ProjectPlacement`` is one placement's time in one project. It holds the
snapshot taken at entry (so a later edit of the participant's record does not
rewrite what was true when they joined) and the situation on leaving: the
participant-level data behind the common indicators of Annex I to Regulation
(EU) 2021/1057 (ESF+) and the income source before and after that a
samordningsförbund registers in SUS. Answers that are special-category data
(disability, foreign background, minority, homelessness) are encrypted with the
participant's data key like the rest of the record.
"""

import uuid

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation, User
from encryption.fields import EncryptedCharField
from encryption.models import DataKey, EncryptedRecord
from participants.models import EducationLevel
from placements.models import Placement


class ProjectKind(models.TextChoices):
    ESF = "esf", _("ESF+ project")
    SAMORDNINGSFORBUND = "samordningsforbund", _("Coordination association intervention")
    EMPLOYMENT_SERVICE = "employment_service", _("Swedish Public Employment Service decision")


class FileKind(models.TextChoices):
    """The participant-level files a project may have to deliver (funding.kinds)."""

    ESF_PARTICIPANTS = "esf_participants", _("ESF+ participant file")
    SUS = "sus", _("SUS registration (in and out)")
    ATTENDANCE = "attendance", _("Monthly attendance report")


class EntryStatus(models.TextChoices):
    """Labour-market status at entry, as Annex I counts it."""

    UNEMPLOYED = "unemployed", _("Unemployed")
    LONG_TERM_UNEMPLOYED = "long_term_unemployed", _("Long-term unemployed")
    INACTIVE = "inactive", _("Inactive, in education or training")
    INACTIVE_NOT_IN_EDUCATION = (
        "inactive_not_in_education",
        _("Inactive, not in education or training"),
    )
    EMPLOYED = "employed", _("Employed, including self-employed")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class SensitiveAnswer(models.TextChoices):
    """A special-category answer: the participant may decline to answer."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    DECLINED = "declined", _("Does not want to answer")


class IncomeSource(models.TextChoices):
    """Main income source, as a samordningsförbund registers it in SUS."""

    ACTIVITY_SUPPORT = "activity_support", _("Activity support")
    SICKNESS_BENEFIT = "sickness_benefit", _("Sickness benefit")
    SICKNESS_COMPENSATION = "sickness_compensation", _("Sickness or activity compensation")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social assistance")
    SALARY = "salary", _("Salary")
    STUDY_ALLOWANCE = "study_allowance", _("Study allowance")
    OTHER = "other", _("Other")
    NONE = "none", _("No income")


class FundedProject(models.Model):
    """A project, intervention or decision that funds placements and wants reports."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="funded_projects",
        verbose_name=_("enterprise"),
        limit_choices_to={"kind": Organisation.Kind.ENTERPRISE},
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ProjectKind.choices)
    name = models.CharField(_("name"), max_length=200)
    #: The ESF+ project id, the samordningsförbund's intervention id or the decision number.
    reference = models.CharField(_("project id or decision number"), max_length=60)
    #: The funder the participants' data goes to (their consent must name it).
    funder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="projects_funded",
        verbose_name=_("funder"),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    #: Which files the project must deliver (FileKind codes).
    obligations = models.JSONField(_("reporting obligations"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("funded project")
        verbose_name_plural = _("funded projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ProjectKind.values), name="funded_project_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="funded_project_ends_not_before_start",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "kind", "reference"],
                name="funded_project_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"

    def get_absolute_url(self) -> str:
        return reverse("funding:detail", kwargs={"project_id": self.id})


class ProjectPlacement(EncryptedRecord):
    """One placement's time in one project: the snapshot at entry and the data on leaving."""

    project = models.ForeignKey(FundedProject, on_delete=models.PROTECT, related_name="placements")
    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="project_placements"
    )
    joined_on = models.DateField(_("entered the project"))
    left_on = models.DateField(_("left the project"), null=True, blank=True)
    # At entry: a snapshot, copied from the record when the placement joins and
    # corrected only here (a later edit of the record does not reach it).
    age_at_entry = models.PositiveSmallIntegerField(_("age at entry"))
    entry_status = models.CharField(
        _("labour-market status at entry"),
        max_length=32,
        choices=EntryStatus.choices,
        blank=True,
    )
    education_level = models.CharField(
        _("education level (ISCED)"), max_length=16, choices=EducationLevel.choices
    )
    disability = EncryptedCharField(_("participant with disabilities"), max_length=10)
    foreign_background = EncryptedCharField(_("foreign background"), max_length=10)
    third_country_national = EncryptedCharField(_("third-country national"), max_length=10)
    minority = EncryptedCharField(
        _("minority (including marginalised communities such as the Roma)"), max_length=10
    )
    homeless = EncryptedCharField(_("homeless or affected by housing exclusion"), max_length=10)
    rural_area = models.CharField(
        _("from a rural area"), max_length=8, choices=Answer.choices, blank=True
    )
    income_before = models.CharField(
        _("main income source before"), max_length=24, choices=IncomeSource.choices, blank=True
    )
    entry_recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # On leaving.
    job_searching = models.CharField(
        _("job searching on leaving"), max_length=8, choices=Answer.choices, blank=True
    )
    in_education = models.CharField(
        _("in education or training on leaving"), max_length=8, choices=Answer.choices, blank=True
    )
    gained_qualification = models.CharField(
        _("gaining a qualification on leaving"), max_length=8, choices=Answer.choices, blank=True
    )
    employed_on_leaving = models.CharField(
        _("in employment, including self-employment, on leaving"),
        max_length=8,
        choices=Answer.choices,
        blank=True,
    )
    income_after = models.CharField(
        _("main income source after"), max_length=24, choices=IncomeSource.choices, blank=True
    )
    leaving_recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["joined_on", "id"]
        verbose_name = _("placement in a project")
        verbose_name_plural = _("placements in projects")
        indexes = [models.Index(fields=["project", "joined_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="project_placement_left_not_before_joined",
            ),
            models.CheckConstraint(
                condition=Q(entry_status="") | Q(entry_status__in=EntryStatus.values),
                name="project_placement_entry_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(age_at_entry__lte=120), name="project_placement_age_plausible"
            ),
        ]

    def __str__(self) -> str:
        return f"Placement in project {self.id}"

    def get_absolute_url(self) -> str:
        return reverse(
            "funding:membership", kwargs={"project_id": self.project_id, "membership_id": self.id}
        )


class FunderFile(models.Model):
    """A participant-level file for one project and period, produced in the background.

    The file is stored encrypted under a data key of its own (destroyed when
    the file expires); the row keeps who asked, which participants are in it
    and which were left out for want of consent (ids only).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(FundedProject, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(_("file"), max_length=24, choices=FileKind.choices)
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    data_key = models.ForeignKey(
        DataKey, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_role = models.CharField(_("role"), max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    #: File names (``<name>.csv``, ``.xlsx``, ``.pdf``) stored under the file's id.
    files = models.JSONField(_("files"), default=list, blank=True)
    #: Participant ids in the file, and those left out for want of consent.
    included = models.JSONField(default=list, blank=True)
    missing_consent = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("funder file")
        verbose_name_plural = _("funder files")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="funder_file_progress_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed", "expired"]),
                name="funder_file_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=FileKind.values), name="funder_file_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")), name="funder_file_months_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"Funder file {self.id}"

    @property
    def downloadable(self) -> bool:
        return (
            self.status == self.Status.DONE
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )
