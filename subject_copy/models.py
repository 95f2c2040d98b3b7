"""A copy of one participant's personal data for the participant (GDPR Art. 15 and 20).

The row holds only bookkeeping; the package itself (PDF and JSON in a ZIP) is a
file under ``EXPORTS_ROOT/subject_copies/``, encrypted with the participant's
data key (``subject_copy.sealed``), so destroying that key makes the file
unreadable as it does every other value of the record.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from participants.models import Participant


class SubjectCopy(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="subject_copies"
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_role = models.CharField(_("role"), max_length=16)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    #: SHA-256 of the plain ZIP, so a handed-over copy can be matched to this row.
    checksum = models.CharField(_("checksum"), max_length=64, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("copy of personal data")
        verbose_name_plural = _("copies of personal data")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="subject_copy_progress_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed", "expired"]),
                name="subject_copy_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Subject copy {self.id}"

    @property
    def file_name(self) -> str:
        return f"subject_copies/{self.id}.zip.enc"

    @property
    def downloadable(self) -> bool:
        return (
            self.status == self.Status.DONE
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )
