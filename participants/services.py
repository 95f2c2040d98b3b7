"""Writes on participants and consents.

A participant's checks are public functions (``participant_build``,
``participant_validate``, …) that raise the ValidationError participant_create
raises, so the bulk path in ``demo.bulk`` checks every row the same way.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from accounts.roles import organisations_with_role
from audit.history import save_with_history
from encryption import keycache
from encryption.models import DataKey

from . import access
from .identity import format_identity_number, identity_index, normalise_identity_number
from .models import (
    Consent,
    ConsentTemplate,
    EducationLevel,
    Gender,
    LabourMarketStatus,
    Participant,
)
from .policy import PARTICIPANT_FIELDS, Relation, Section
from .selectors import participant_access_for, participant_write_check

ENCRYPTED_PROFILE_FIELDS = (
    "given_name",
    "family_name",
    "phone",
    "email",
    "address",
    "emergency_contact",
    "support_needs",
)
PLAIN_PROFILE_FIELDS = (
    "gender",
    "birth_year",
    "municipality",
    "education_level",
    "labour_market_status",
    "has_disability",
    "foreign_background",
    "newly_arrived",
    "protected_identity",
)


@dataclass
class ParticipantInput:
    """What a new participant's record holds."""

    given_name: str
    family_name: str
    personal_identity_number: str
    gender: str
    birth_year: int
    labour_market_status: str
    education_level: str = EducationLevel.UNKNOWN
    municipality: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    emergency_contact: str = ""
    support_needs: str = ""
    has_disability: bool = False
    foreign_background: bool = False
    newly_arrived: bool = False
    protected_identity: bool = False
    extra: dict = field(default_factory=dict)


def participant_enterprise_validate(*, organisation: Organisation) -> None:
    """Participants are registered at a social enterprise only."""
    if organisation.kind != Organisation.Kind.ENTERPRISE:
        raise ValidationError(
            {"organisation": _("Participants can only be registered at a social enterprise.")}
        )


def participant_build(*, organisation: Organisation, data: ParticipantInput) -> Participant:
    """An unsaved participant from ``data``, its personal identity number checked and indexed."""
    try:
        normalised = normalise_identity_number(data.personal_identity_number)
    except ValidationError as error:
        raise ValidationError({"personal_identity_number": error.messages}) from None
    participant = Participant(
        organisation=organisation,
        personal_identity_number=format_identity_number(normalised),
        personal_identity_index=identity_index(normalised),
        **{name: getattr(data, name) for name in ENCRYPTED_PROFILE_FIELDS + PLAIN_PROFILE_FIELDS},
    )
    return participant


def participant_birth_year_validate(*, identity_number: str, birth_year: int) -> None:
    """The birth year is the one the personal identity number (YYYYMMDD-NNNN) gives."""
    born = identity_number[:4]
    if born.isdigit() and int(born) != birth_year:
        raise ValidationError(
            _("The birth year does not match the personal identity number, which gives %(year)s.")
            % {"year": born},
            code="birth_year_mismatch",
        )


def participant_validate(*, participant: Participant) -> None:
    """The checks on a participant's profile (participant_create, participant_update)."""
    errors: dict[str, list[str]] = {}
    for name in ("given_name", "family_name"):
        if not getattr(participant, name).strip():
            errors.setdefault(name, []).append(_("This field is required."))
    if participant.gender not in Gender.values:
        errors.setdefault("gender", []).append(_("Choose a valid gender."))
    if participant.labour_market_status not in LabourMarketStatus.values:
        errors.setdefault("labour_market_status", []).append(
            _("Choose a valid labour-market status.")
        )
    this_year = timezone.localdate().year
    if not 1900 <= int(participant.birth_year) <= this_year:
        errors.setdefault("birth_year", []).append(
            _("Enter a birth year between 1900 and %(year)s.") % {"year": this_year}
        )
    else:
        try:
            participant_birth_year_validate(
                identity_number=participant.personal_identity_number,
                birth_year=int(participant.birth_year),
            )
        except ValidationError as error:
            errors.setdefault("birth_year", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    # Constraints and foreign keys are enforced by the database; checking them
    # here would cost a query each.
    participant.full_clean(
        exclude=["data_key", "organisation"], validate_unique=False, validate_constraints=False
    )


def _duplicate_error() -> ValidationError:
    # The code goes on the field's error: a dict-form ValidationError drops its own.
    return ValidationError(
        {
            "personal_identity_number": ValidationError(
                _(
                    "A participant with this personal identity number is already registered "
                    "at this enterprise."
                ),
                code="duplicate",
            )
        }
    )


def participant_unique_validate(
    *,
    organisation_id,
    identity_indexes: Collection[str],
    exclude: Participant | None = None,
) -> None:
    """None of the personal identity numbers (as blind indexes) is registered at the enterprise."""
    registered = Participant.objects.filter(
        organisation_id=organisation_id, personal_identity_index__in=identity_indexes
    )
    if exclude is not None:
        registered = registered.exclude(pk=exclude.pk)
    if registered.exists():
        raise _duplicate_error()


@transaction.atomic
def participant_create(
    *, organisation: Organisation, data: ParticipantInput, acting_user: User
) -> Participant:
    """Register a participant at an enterprise, with their own data key."""
    participant_enterprise_validate(organisation=organisation)
    if organisation.pk not in organisations_with_role(acting_user, Role.MANAGER):
        raise PermissionDenied(_("You may not make this change."))
    participant = participant_build(organisation=organisation, data=data)
    participant_unique_validate(
        organisation_id=organisation.pk, identity_indexes=[participant.personal_identity_index]
    )
    data_key = DataKey.new()
    participant.data_key = data_key
    participant_validate(participant=participant)
    data_key.save()
    keycache.remember(data_key)
    try:
        with transaction.atomic():
            save_with_history(participant, user=acting_user, reason="participant registered")
    except IntegrityError:
        raise _duplicate_error() from None
    return participant


@transaction.atomic
def participant_update(
    *, participant: Participant, acting_user: User, reason: str = "participant updated", **changes
) -> Participant:
    """Change profile fields; the personal identity number is re-validated and re-indexed."""
    found = participant_access_for(user=acting_user, participant_id=participant.pk)
    for name in changes:
        # The coded fields (gender, birth year …) go with identity.
        section = next(
            (section for section, names in PARTICIPANT_FIELDS.items() if name in names),
            Section.IDENTITY,
        )
        access.require_write(found, section)
    allowed = set(ENCRYPTED_PROFILE_FIELDS + PLAIN_PROFILE_FIELDS) | {"personal_identity_number"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"participant_update cannot change {sorted(unknown)}")
    if "personal_identity_number" in changes:
        try:
            normalised = normalise_identity_number(changes.pop("personal_identity_number"))
        except ValidationError as error:
            raise ValidationError({"personal_identity_number": error.messages}) from None
        index = identity_index(normalised)
        participant_unique_validate(
            organisation_id=participant.organisation_id,
            identity_indexes=[index],
            exclude=participant,
        )
        participant.personal_identity_number = format_identity_number(normalised)
        participant.personal_identity_index = index
    for name, value in changes.items():
        setattr(participant, name, value)
    participant_validate(participant=participant)
    save_with_history(participant, user=acting_user, reason=reason)
    return participant


def consent_template_current(*, purpose: str) -> ConsentTemplate | None:
    """The newest wording of a purpose (None when the administrator has written none)."""
    return ConsentTemplate.objects.filter(purpose=purpose).order_by("-version").first()


@transaction.atomic
def consent_template_save(
    *, purpose: str, title: str, wording: str, acting_user: User | None
) -> ConsentTemplate:
    """A new version of a purpose's wording; earlier versions stay as they were given."""
    if purpose not in Consent.Purpose.values:
        raise ValidationError({"purpose": _("Choose a valid purpose.")})
    if not wording.strip():
        raise ValidationError({"wording": _("This field is required.")})
    # Locks the purpose's rows, so two administrators saving at once get two versions.
    versions = list(
        ConsentTemplate.objects.select_for_update()
        .filter(purpose=purpose)
        .values_list("version", flat=True)
    )
    return ConsentTemplate.objects.create(
        purpose=purpose,
        version=max(versions, default=0) + 1,
        title=title,
        wording=wording,
        created_by=acting_user,
    )


@transaction.atomic
def consent_record(
    *,
    participant: Participant,
    purpose: str,
    acting_user: User,
    agency: Organisation | None = None,
    funder: Organisation | None = None,
    recipient_system: str = "",
    given_at: datetime | None = None,
    evidence: str = "",
) -> Consent:
    """Record a consent the participant has given, on the current wording of its purpose.

    Only the participant's manager records consents (a supervisor works beside
    the person every day, but what is shared with whom is the enterprise's
    decision and responsibility).
    """
    participant_write_check(
        user=acting_user, participant_id=participant.pk, relation=Relation.MANAGER
    )
    if purpose not in Consent.Purpose.values:
        raise ValidationError({"purpose": _("Choose a valid purpose.")})
    if purpose == Consent.Purpose.SHARE_WITH_AGENCY:
        if agency is None or agency.kind != Organisation.Kind.AGENCY:
            raise ValidationError({"agency": _("Name the agency the consent allows sharing with.")})
    if purpose == Consent.Purpose.SHARE_WITH_FUNDER:
        if funder is None or funder.kind != Organisation.Kind.FUNDER:
            raise ValidationError({"funder": _("Name the funder the consent allows sharing with.")})
    given_at = given_at or timezone.now()
    if given_at > timezone.now():
        raise ValidationError({"given_at": _("A consent cannot be given in the future.")})
    consent = Consent(
        participant=participant,
        data_key_id=participant.data_key_id,
        purpose=purpose,
        agency=agency if purpose == Consent.Purpose.SHARE_WITH_AGENCY else None,
        funder=funder if purpose == Consent.Purpose.SHARE_WITH_FUNDER else None,
        recipient_system=(
            recipient_system.strip() if purpose == Consent.Purpose.SHARE_WITH_FUNDER else ""
        ),
        template=consent_template_current(purpose=purpose),
        given_at=given_at,
        recorded_by=acting_user,
        evidence=evidence,
    )
    save_with_history(consent, user=acting_user, reason="consent recorded")
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, acting_user: User, withdrawn_at=None) -> Consent:
    """Withdraw a consent. It stops permitting anything at once: access is computed
    from the consents on every request (participants.selectors), nothing caches it."""
    participant_write_check(
        user=acting_user, participant_id=consent.participant_id, relation=Relation.MANAGER
    )
    # Re-read under a lock: two withdrawals at once must not both pass the check.
    current = Consent.objects.select_for_update().only("withdrawn_at").get(pk=consent.pk)
    if consent.withdrawn_at is not None or current.withdrawn_at is not None:
        raise ValidationError(_("This consent has already been withdrawn."))
    withdrawn_at = withdrawn_at or timezone.now()
    # Checked before assigning, so a refused call leaves the consent open.
    if withdrawn_at < consent.given_at:
        raise ValidationError(
            {"withdrawn_at": _("A consent cannot be withdrawn before it was given.")}
        )
    consent.withdrawn_at = withdrawn_at
    consent.withdrawn_recorded_by = acting_user
    save_with_history(
        consent,
        user=acting_user,
        reason="consent withdrawn",
        update_fields=["withdrawn_at", "withdrawn_recorded_by"],
    )
    return consent
