"""The participant's record at an enterprise, and their consents.

Fields holding personal content are encrypted with the participant's data key;
the coded fields used for statistics stay plain.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from accounts.models import Organisation, User
from encryption.fields import EncryptedCharField, EncryptedTextField
from encryption.models import DataKey, EncryptedRecord


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    NOT_STATED = "not_stated", _("Not stated")


class EducationLevel(models.TextChoices):
    ISCED_0_2 = "isced_0_2", _("Compulsory school or less (ISCED 0–2)")
    ISCED_3_4 = "isced_3_4", _("Upper secondary (ISCED 3–4)")
    ISCED_5_8 = "isced_5_8", _("Post-secondary (ISCED 5–8)")
    UNKNOWN = "unknown", _("Unknown")


class LabourMarketStatus(models.TextChoices):
    UNEMPLOYED = "unemployed", _("Unemployed")
    LONG_TERM_UNEMPLOYED = "long_term_unemployed", _("Long-term unemployed")
    INACTIVE = "inactive", _("Inactive (outside the labour force)")
    EMPLOYED = "employed", _("Employed")


class Participant(EncryptedRecord):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        ARCHIVED = "archived", _("Archived")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("enterprise"),
        limit_choices_to={"kind": Organisation.Kind.ENTERPRISE},
    )
    # One to one: the participant's own data key, which every row of their
    # record is encrypted under (so destroying it shreds the whole record).
    data_key = models.OneToOneField(
        DataKey, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # Encrypted personal content.
    given_name = EncryptedCharField(_("given name"), max_length=100, blank=False)
    family_name = EncryptedCharField(_("family name"), max_length=100, blank=False)
    personal_identity_number = EncryptedCharField(
        _("personal identity or co-ordination number"), max_length=13, blank=False
    )
    phone = EncryptedCharField(_("phone"), max_length=40)
    email = EncryptedCharField(_("email"), max_length=254)
    address = EncryptedTextField(_("address"))
    emergency_contact = EncryptedTextField(_("emergency contact"))
    support_needs = EncryptedTextField(_("support needs and health notes"))
    # Blind index of the normalised 12-digit number, for exact lookup.
    personal_identity_index = models.CharField(max_length=64, editable=False)
    # Plain, coded values for statistics (never derived from the personnummer).
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    municipality = models.CharField(_("municipality of residence"), max_length=100, blank=True)
    education_level = models.CharField(
        _("education level"),
        max_length=16,
        choices=EducationLevel.choices,
        default=EducationLevel.UNKNOWN,
    )
    labour_market_status = models.CharField(
        _("labour-market status at entry"), max_length=24, choices=LabourMarketStatus.choices
    )
    has_disability = models.BooleanField(_("disability or reduced working capacity"), default=False)
    foreign_background = models.BooleanField(_("foreign background"), default=False)
    newly_arrived = models.BooleanField(_("newly arrived"), default=False)
    protected_identity = models.BooleanField(_("protected identity"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        permissions = [("follow_participant", "Can follow the participant as their case officer")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "personal_identity_index"],
                name="participant_unique_identity_per_enterprise",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__gte=1900, birth_year__lte=2100),
                name="participant_birth_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(gender__in=Gender.values), name="participant_gender_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "inactive", "archived"]),
                name="participant_status_valid",
            ),
        ]

    def __str__(self) -> str:
        # Deliberately no name: __str__ ends up in logs, admin and error pages.
        return f"Participant {self.id}"

    def get_absolute_url(self) -> str:
        return reverse("participants:detail", kwargs={"participant_id": self.id})

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class ConsentPurpose(models.TextChoices):
    PROCESSING = "processing", _("Processing of personal data")
    SHARE_WITH_AGENCY = "share_with_agency", _("Sharing health and support needs with agency")
    STATISTICS = "statistics", _("Use in anonymised statistics")
    SHARE_WITH_FUNDER = "share_with_funder", _("Registration in a funder's follow-up system")
    MEDIA = "media", _("Photos and other media")
    CONTACT_AFTER_EXIT = "contact_after_exit", _("Contact after exit for follow-up")


class ConsentTemplate(models.Model):
    """The wording a participant is asked to consent to, one version per row.

    Versions are never changed: editing a template in the admin saves a new
    version (participants.admin), and each consent names the version it was
    given on, so what the person agreed to stays known.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("purpose"), max_length=24, choices=ConsentPurpose.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    title = models.CharField(_("title"), max_length=200)
    wording = models.TextField(_("wording"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("consent wording")
        verbose_name_plural = _("consent wordings")
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "version"], name="consent_template_one_row_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version}"


class Consent(EncryptedRecord):
    Purpose = ConsentPurpose

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose.choices)
    agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
        limit_choices_to={"kind": Organisation.Kind.AGENCY},
    )
    funder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("funder"),
        limit_choices_to={"kind": Organisation.Kind.FUNDER},
    )
    #: The funder's follow-up system the person may be registered in (e.g. SUS).
    recipient_system = models.CharField(_("follow-up system"), max_length=100, blank=True)
    template = models.ForeignKey(
        ConsentTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("wording version"),
    )
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    withdrawn_recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence = EncryptedTextField(_("recorded evidence"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_not_before_given",
            ),
            models.CheckConstraint(
                condition=~Q(purpose="share_with_agency") | Q(agency__isnull=False),
                name="consent_sharing_names_agency",
            ),
            models.CheckConstraint(
                condition=~Q(purpose="share_with_funder") | Q(funder__isnull=False),
                name="consent_funder_sharing_names_funder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.participant_id})"


class ParticipantUserObjectPermission(UserObjectPermissionBase):
    """Relationship grants on a participant (guardian's direct foreign-key table).

    ``expires_on`` ends a read grant after the grace period once the
    relationship has ended; selectors ignore expired grants at query time, and
    the ``grants_expire`` command deletes them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    content_object = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="user_grants"
    )
    expires_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("participant grant")
        verbose_name_plural = _("participant grants")
        indexes = [models.Index(fields=["user", "permission", "content_object"])]
