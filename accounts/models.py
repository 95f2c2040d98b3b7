"""Users, organisations, units and memberships (who holds which role where)."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from encryption.fields import EncryptedCharField
from encryption.models import DataKey, EncryptedRecord


class Role(models.TextChoices):
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    CASE_OFFICER = "case_officer", _("Case officer")
    ANALYST = "analyst", _("Analyst (funder)")
    AUDITOR = "auditor", _("Data protection officer")
    ADMIN = "admin", _("System administrator")


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Social enterprise")
        AGENCY = "agency", _("Referring agency")
        FUNDER = "funder", _("Funder")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    organisation_number = models.CharField(_("organisation number"), max_length=11, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    county = models.CharField(_("county"), max_length=100, blank=True)
    statistics_shared_with = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="statistics_from",
        limit_choices_to={"kind": "funder"},
        verbose_name=_("shares statistics with"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="organisation_unique_kind_name"),
            models.CheckConstraint(
                condition=Q(kind__in=["enterprise", "agency", "funder"]),
                name="organisation_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    class Trade(models.TextChoices):
        CAFE = "cafe", _("Café and catering")
        SECOND_HAND = "second_hand", _("Second hand")
        CARPENTRY = "carpentry", _("Carpentry")
        CLEANING = "cleaning", _("Cleaning")
        GARDENING = "gardening", _("Gardening")
        WAREHOUSE = "warehouse", _("Warehouse and logistics")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="units", verbose_name=_("enterprise")
    )
    name = models.CharField(_("name"), max_length=200)
    trade = models.CharField(_("trade"), max_length=16, choices=Trade.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unit_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


#: Roles that see participant content: a membership with one of them takes effect
#: only when a second person has approved it (accounts.services.membership_approve).
CONTENT_ROLES = frozenset({Role.MANAGER, Role.SUPERVISOR, Role.CASE_OFFICER})


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        """Approved memberships in force on the day (a pending one grants nothing)."""
        on = on or timezone.localdate()
        return self.filter(
            Q(active_from__lte=on),
            Q(active_to__isnull=True) | Q(active_to__gte=on),
            approved_at__isnull=False,
        ).filter(user__is_active=True)

    def pending(self):
        return self.filter(approved_at__isnull=True, active_to__isnull=True)


class Membership(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    active_from = models.DateField(_("active from"), default=timezone.localdate)
    active_to = models.DateField(_("active to"), null=True, blank=True)
    requested_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    approved_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(active_to__isnull=True),
                name="membership_one_open_per_role",
            ),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="membership_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[choice for choice, _label in Role.choices]),
                name="membership_role_valid",
            ),
            # Four eyes: nobody approves their own membership or their own request.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | (~Q(approved_by=F("user")) & ~Q(approved_by=F("requested_by"))),
                name="membership_approved_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"

    #: Which kind of organisation each role belongs to (None: any kind).
    ROLE_ORGANISATION_KIND = {
        Role.SUPERVISOR: Organisation.Kind.ENTERPRISE,
        Role.MANAGER: Organisation.Kind.ENTERPRISE,
        Role.CASE_OFFICER: Organisation.Kind.AGENCY,
        Role.ANALYST: Organisation.Kind.FUNDER,
        Role.AUDITOR: None,
        Role.ADMIN: None,
    }


class TOTPSecret(EncryptedRecord):
    """The secret of a django-otp TOTP device, encrypted under a data key of its own.

    django-otp keeps a device's secret in ``TOTPDevice.key`` as plain hex, so a
    copy of the database would hold every user's second factor. Stegvis stores
    the secret here and a random decoy in ``TOTPDevice.key``; ``accounts.otp``
    makes ``TOTPDevice.bin_key`` read this row, and fails closed when there is
    none. Key rotation, re-encryption and ``verify_encryption`` cover it like
    every encrypted field (encryption.fields.REGISTRY).
    """

    device = models.OneToOneField(
        "otp_totp.TOTPDevice", on_delete=models.CASCADE, related_name="stegvis_secret"
    )
    # A data key of its own, not a participant's. Editable, unlike
    # EncryptedRecord's, as migrated (0003); no form edits this model.
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    #: The secret as hex, as django-otp's own column holds it.
    key = EncryptedCharField(max_length=80)

    class Meta:
        verbose_name = _("TOTP secret")
        verbose_name_plural = _("TOTP secrets")

    def __str__(self) -> str:
        return f"TOTP secret of device {self.device_id}"
