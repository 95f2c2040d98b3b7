"""The outcome exports made in the background (aggregates only, never person data)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User


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
    error = models.CharField(_("error"), max_length=200, blank=True)
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
