"""Referrals sent by an agency's case officer to an enterprise, the agreements that
allow them, and the messages on a placement between its parties.

A referral's personal data is encrypted under a data key of its own, not a
participant's: until the enterprise accepts, no participant record exists, and a
declined or withdrawn referral is crypto-shredded by destroying that key when
its retention period ends (erasure.services.referrals_shred_due).
"""

import uuid

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation, Unit, User
from encryption.fields import EncryptedCharField, EncryptedTextField
from encryption.models import DataKey, EncryptedRecord
from participants.models import ConsentPurpose, ConsentTemplate, Gender, LabourMarketStatus
from placements.models import Placement, Programme

#: The longest message on a placement, in characters.
MESSAGE_MAX_LENGTH = 4000


class AgreementQuerySet(models.QuerySet):
    def current(self, on):
        """Agreements in force on the day."""
        return self.filter(Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))


class Agreement(models.Model):
    """An agency's agreement with an enterprise: its case officers may refer there."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agreements_as_agency",
        verbose_name=_("agency"),
        limit_choices_to={"kind": Organisation.Kind.AGENCY},
    )
    enterprise = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agreements_as_enterprise",
        verbose_name=_("enterprise"),
        limit_choices_to={"kind": Organisation.Kind.ENTERPRISE},
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    #: The agreement's reference (a contract or procurement number; no personal data).
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "enterprise__name", "-valid_from"]
        verbose_name = _("referral agreement")
        verbose_name_plural = _("referral agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="agreement_valid_to_not_before_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} → {self.enterprise}"


class Referral(EncryptedRecord):
    """A case officer's referral of a person to an enterprise, and its answer."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent, waiting for an answer")
        MORE_INFORMATION = "more_information", _("More information requested")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    #: The referral's own data key (not a participant's): destroying it shreds
    #: the person's data in the referral, its thread and consents, history included.
    data_key = models.ForeignKey(
        DataKey, on_delete=models.PROTECT, related_name="+", editable=False
    )
    agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("agency"),
    )
    case_officer = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("case officer"),
    )
    enterprise = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("enterprise"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    programme = models.CharField(_("programme"), max_length=32, choices=Programme.choices)
    decision_number = models.CharField(_("agency decision number"), max_length=40, blank=True)
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=4, decimal_places=1)
    wanted_start = models.DateField(_("wanted start"))
    wanted_end = models.DateField(_("wanted end"), null=True, blank=True)
    # The person, encrypted; coded values as a participant's record keeps them.
    given_name = EncryptedCharField(_("given name"), max_length=100, blank=False)
    family_name = EncryptedCharField(_("family name"), max_length=100, blank=False)
    personal_identity_number = EncryptedCharField(
        _("personal identity or co-ordination number"), max_length=13, blank=False
    )
    #: Blind index of the normalised number (participants.identity); cleared when shredded.
    personal_identity_index = models.CharField(max_length=64, blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices)
    labour_market_status = models.CharField(
        _("labour-market status"), max_length=24, choices=LabourMarketStatus.choices
    )
    phone = EncryptedCharField(_("phone"), max_length=40)
    email = EncryptedCharField(_("email"), max_length=254)
    reason = EncryptedTextField(_("reason for the referral"))
    goals = EncryptedTextField(_("goals"))
    contact = EncryptedTextField(_("contact information"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SENT
    )
    sent_at = models.DateTimeField(_("sent at"))
    answered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    #: Chosen by the manager on accepting; offered when the placement is started.
    supervisor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    placement = models.OneToOneField(
        Placement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agency_referral",
        verbose_name=_("placement"),
    )
    #: When it was accepted, declined or withdrawn: the retention period runs from here.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    #: How the reading user stands to it (set by referrals.selectors.referral_get_for).
    as_case_officer: bool = False
    as_manager: bool = False

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["enterprise", "status"]),
            models.Index(fields=["case_officer", "sent_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["sent", "more_information", "accepted", "declined", "withdrawn"]
                ),
                name="referral_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0, hours_per_week__lte=40),
                name="referral_hours_per_week_range",
            ),
            models.CheckConstraint(
                condition=Q(wanted_end__isnull=True) | Q(wanted_end__gte=F("wanted_start")),
                name="referral_wanted_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "declined"])
                | Q(answered_by__isnull=False, answered_at__isnull=False),
                name="referral_answer_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        # No name: __str__ ends up in logs, admin and error pages.
        return f"Referral {self.id}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:detail", kwargs={"referral_id": self.id})

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def waiting(self) -> bool:
        return self.status == self.Status.SENT

    @property
    def open(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.MORE_INFORMATION)


class ReferralMessage(EncryptedRecord):
    """One entry of a referral's thread: the text sent with it, a request for more
    information, the case officer's answer, a decision's reason. Under the referral's key."""

    class Kind(models.TextChoices):
        SENT = "sent", _("Referral sent")
        REQUEST = "request", _("More information requested")
        ANSWER = "answer", _("Answer with more information")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="thread")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(_("message"))
    created_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("referral message")
        verbose_name_plural = _("referral messages")

    def __str__(self) -> str:
        return f"Referral message {self.id}"


class ReferralConsent(EncryptedRecord):
    """A consent the case officer recorded with the referral, on the wording version
    shown; recorded on the participant's record (consent_record) when accepted."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=24, choices=ConsentPurpose.choices)
    template = models.ForeignKey(
        ConsentTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("wording version"),
    )
    given_at = models.DateTimeField(_("given at"))
    evidence = EncryptedTextField(_("recorded evidence"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consent recorded with a referral")
        verbose_name_plural = _("consents recorded with referrals")
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "purpose"], name="referral_consent_one_per_purpose"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.referral_id})"


class CaseMessage(EncryptedRecord):
    """A message on a placement between its parties (enterprise and case officer),
    encrypted under the participant's data key like a progress note."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(_("message"), blank=False)
    created_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["placement", "created_at"])]

    def __str__(self) -> str:
        return f"Message {self.id}"
