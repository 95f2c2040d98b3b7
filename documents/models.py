"""Documents on a participant's record: decisions, plans, medical certificates,
signed consent forms and plans, certificates.

The file itself is not in the database: it is encrypted in chunks with a key of
its own (``file_key``, random per file) and stored under a random object name
(documents.storage). The file key is an encrypted field, so it is wrapped by the
participant's data key: destroying that key (crypto-shredding) makes the file
unreadable, and rotating keys rewraps the file key without touching the file.
"""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import User
from encryption.fields import EncryptedCharField
from encryption.models import EncryptedRecord
from participants.models import Consent, Participant
from placements.models import Placement

from .sections import DocumentSection


class Document(EncryptedRecord):
    class Kind(models.TextChoices):
        DECISION = "decision", _("Decision")
        PLAN = "plan", _("Plan")
        MEDICAL_CERTIFICATE = "medical_certificate", _("Medical certificate")
        CONSENT = "consent", _("Consent form")
        CERTIFICATE = "certificate", _("Certificate")
        OTHER = "other", _("Other")

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="documents")
    placement = models.ForeignKey(
        Placement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("placement"),
    )
    # A signed consent form may name the consent it records (set by the service).
    consent = models.ForeignKey(
        Consent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("consent"),
    )
    kind = models.CharField(_("document type"), max_length=24, choices=Kind.choices)
    document_date = models.DateField(_("date"))
    description = EncryptedCharField(_("description"), max_length=200)
    file_name = EncryptedCharField(_("file name"), max_length=200)
    #: The file's own AES-256 key, base64url (encrypted with the participant's data key).
    file_key = EncryptedCharField(_("file key"), max_length=64)
    content_type = models.CharField(_("file type"), max_length=32, choices=ContentType.choices)
    #: Plaintext bytes (after re-encoding an image).
    size = models.PositiveBigIntegerField(_("size"))
    object_name = models.CharField(max_length=100, unique=True, editable=False)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["participant", "-document_date"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gte=0), name="document_size_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_date} ({self.participant_id})"

    def get_absolute_url(self) -> str:
        return reverse(
            "participants:document_download",
            kwargs={"participant_id": self.participant_id, "document_id": self.pk},
        )

    @property
    def section(self) -> str:
        return section_of(self.kind)


def section_of(kind: str) -> str:
    """The policy section a document of this type belongs to."""
    if kind == Document.Kind.MEDICAL_CERTIFICATE:
        return DocumentSection.MEDICAL_DOCUMENTS
    return DocumentSection.DOCUMENTS


def kinds_readable(read_sections) -> list[str]:
    """The document types a user who reads these sections may see."""
    return [kind for kind in Document.Kind.values if section_of(kind) in read_sections]
