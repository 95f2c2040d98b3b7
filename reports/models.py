"""The outcome exports made in the background (aggregates only, never person data)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User

#: What a failed export records when the worker failed (the log says why).
GENERIC_FAILURE = "the export failed; see the worker log"


class ReportExport(models.Model):
    """An outcome export made in the background; its files live under EXPORTS_ROOT/<id>/.

    Holds only aggregates and the parameters used; never person data.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_role = models.CharField(_("role"), max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised = models.BooleanField(_("anonymised"), default=True)
    parameters = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    files = models.JSONField(_("files"), default=list)
    error = models.CharField(_("error"), max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table kept its name when the model moved here from casework.
        db_table = "casework_reportexport"
        ordering = ["-created_at"]
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_export_progress_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="report_export_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Export {self.id}"

    @property
    def refusal(self) -> str:
        """Why the export was refused (a message for the user), if it was."""
        if self.status == self.Status.FAILED and self.error != GENERIC_FAILURE:
            return self.error
        return ""


class Release(models.Model):
    """An anonymised release as delivered: to whom, of what, and what it published.

    Kept so that a later release to the same recipient can be audited together
    with it (``reports.differencing``): the scope (enterprises, months, report
    date), the threshold and grouping, and each count table's structure with
    the exact values it published (``None``: suppressed). Published values are
    aggregates of at least the threshold (or zero); no person data.
    """

    class Grouping(models.TextChoices):
        DETAILED = "detailed", _("Detailed categories")
        MERGED = "merged", _("Merged categories")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    #: None: made on the command line.
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_role = models.CharField(_("role"), max_length=32)
    #: The organisation the release goes to (the analyst's funder); None: not named.
    recipient = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("recipient"),
    )
    export = models.ForeignKey(
        ReportExport, on_delete=models.SET_NULL, related_name="releases", null=True, blank=True
    )
    organisation_ids = models.JSONField(_("enterprises"), default=list, blank=True)
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    as_of = models.DateField(_("report date"))
    threshold = models.PositiveSmallIntegerField(_("threshold"))
    rounding = models.BooleanField(_("rounded to base 5"), default=False)
    grouping = models.CharField(
        _("grouping"), max_length=16, choices=Grouping.choices, default=Grouping.DETAILED
    )
    tables = models.JSONField(_("published count tables"), default=list, blank=True)
    digest = models.CharField(_("SHA-256 of the files"), max_length=64)
    summary = models.JSONField(_("disclosure summary"), default=dict, blank=True)
    #: Group size of each published measure (attendance rate, quartiles, mean change).
    measure_groups = models.JSONField(_("measure group sizes"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("anonymised release")
        verbose_name_plural = _("anonymised releases")
        indexes = [models.Index(fields=["recipient", "last_month"], name="release_recipient_month")]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__gte=models.F("first_month")),
                name="release_months_ordered",
            ),
            models.CheckConstraint(condition=Q(threshold__gte=3), name="release_threshold_min"),
            models.CheckConstraint(
                condition=Q(grouping__in=["detailed", "merged"]), name="release_grouping_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Release {self.id} ({self.first_month:%Y-%m}–{self.last_month:%Y-%m})"

    def scope(self):
        from .differencing import Scope

        return Scope.of(
            organisation_ids=self.organisation_ids,
            first_month=self.first_month,
            last_month=self.last_month,
            as_of=self.as_of,
        )
