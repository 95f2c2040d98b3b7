"""Writes on referrals and case messages.

The case officer sends (``referral_create``), answers a request for more
information (``referral_supplement``) or withdraws; the enterprise's manager
accepts (``referral_accept``: the participant and a planned placement, through
the participants and placements services), asks for more information or
declines. Every answer locks the referral first, so two answers at once cannot
both pass the check. Signals (referrals.signals) go out after commit.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, Unit, User
from accounts.roles import organisations_with_role
from audit.history import save_with_history
from encryption import keycache
from encryption.models import DataKey
from encryption.services import data_key_destroy
from participants.identity import format_identity_number, identity_index, normalise_identity_number
from participants.models import ConsentPurpose, Gender, LabourMarketStatus
from participants.services import (
    ParticipantInput,
    consent_record,
    consent_template_current,
    participant_create,
)
from placements.models import Placement
from placements.selectors import placement_write_check
from placements.services import (
    placement_hours_clean,
    placement_schedule,
    placement_start_validate,
    referral_register,
    referral_validate,
)

from . import signals
from .models import MESSAGE_MAX_LENGTH, CaseMessage, Referral, ReferralConsent, ReferralMessage
from .sections import ReferralSection
from .selectors import (
    enterprise_managers,
    messages_url,
    participant_at,
    placed_at,
    placement_parties,
    referral_url,
)

#: The longest free text in a referral (reason, goals, contact, a thread entry).
TEXT_MAX_LENGTH = 4000


@dataclass
class ReferralPerson:
    """Who is referred, as the case officer enters them."""

    given_name: str
    family_name: str
    personal_identity_number: str
    gender: str
    labour_market_status: str
    phone: str = ""
    email: str = ""


@dataclass
class ReferralConsentInput:
    purpose: str
    given_at: datetime
    evidence: str = ""


class AlreadyPlaced(ValidationError):
    """The person already has a current placement at the enterprise (a warning:
    sent anyway when the case officer confirms). ``placement`` is that placement."""

    def __init__(self, placement: Placement) -> None:
        super().__init__(
            _("This person already has a current placement at this enterprise."),
            code="already_placed",
        )
        self.placement = placement


def _send(signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send_robust(sender=Referral, **kwargs))


def _text_validate(errors: dict, name: str, value: str, *, required: bool = False) -> None:
    if required and not (value or "").strip():
        errors[name] = _("This field is required.")
    elif len(value or "") > TEXT_MAX_LENGTH:
        errors[name] = _("At most %(count)s characters.") % {"count": TEXT_MAX_LENGTH}


def _thread_add(
    referral: Referral, *, kind: str, author: User, body: str, at=None
) -> ReferralMessage:
    message = ReferralMessage(
        referral=referral,
        data_key_id=referral.data_key_id,
        kind=kind,
        author=author,
        body=(body or "").strip(),
        created_at=at or timezone.now(),
    )
    save_with_history(message, user=author, reason=f"referral {kind}")
    return message


def referral_person_clean(person: ReferralPerson) -> tuple[str, str, int]:
    """The person's number formatted, its blind index and the birth year it gives."""
    errors: dict[str, Any] = {}
    normalised = ""
    try:
        normalised = normalise_identity_number(person.personal_identity_number)
    except ValidationError as error:
        errors["personal_identity_number"] = error.messages
    for name in ("given_name", "family_name"):
        value = getattr(person, name)
        if not value.strip():
            errors[name] = _("This field is required.")
        elif len(value) > 100:
            errors[name] = _("At most %(count)s characters.") % {"count": 100}
    if person.gender not in Gender.values:
        errors["gender"] = _("Choose a valid gender.")
    if person.labour_market_status not in LabourMarketStatus.values:
        errors["labour_market_status"] = _("Choose a valid labour-market status.")
    if errors:
        raise ValidationError(errors)
    return format_identity_number(normalised), identity_index(normalised), int(normalised[:4])


@transaction.atomic
def referral_create(
    *,
    acting_user: User,
    agency: Organisation,
    enterprise: Organisation,
    programme: str,
    hours_per_week,
    wanted_start: date,
    person: ReferralPerson,
    reason: str,
    goals: str = "",
    contact: str = "",
    decision_number: str = "",
    unit: Unit | None = None,
    wanted_end: date | None = None,
    consents: Sequence[ReferralConsentInput] = (),
    confirm_already_placed: bool = False,
) -> Referral:
    """A case officer refers a person to an enterprise their agency has an agreement with."""
    from .selectors import agreement_exists

    if agency.pk not in organisations_with_role(acting_user, Role.CASE_OFFICER):
        raise PermissionDenied(_("You may not make this change."))
    today = timezone.localdate()
    errors: dict = {}
    try:
        # The placements' own checks on a referral: programme, agency, case officer.
        referral_validate(
            programme=programme,
            referred_on=today,
            referring_organisation=agency,
            case_officer=acting_user,
            proposed_start=wanted_start,
            case_officer_agency_ids=organisations_with_role(acting_user, Role.CASE_OFFICER),
        )
    except ValidationError as error:
        errors.update(
            {
                "wanted_start" if k == "proposed_start" else k: v
                for k, v in error.message_dict.items()
            }
        )
    if enterprise.kind != Organisation.Kind.ENTERPRISE:
        errors["enterprise"] = _("Choose a social enterprise.")
    elif not agreement_exists(agency_id=agency.pk, enterprise_id=enterprise.pk, on=today):
        errors["enterprise"] = _(
            "Your agency has no current agreement with this enterprise: referrals to it "
            "are not possible."
        )
    if unit is not None and unit.organisation_id != enterprise.pk:
        errors["unit"] = _("The unit must belong to the enterprise.")
    if wanted_end is not None and wanted_end < wanted_start:
        errors["wanted_end"] = _("The end cannot be before the start.")
    try:
        hours = placement_hours_clean(hours_per_week)
    except ValidationError as error:
        errors.update(error.message_dict)
        hours = Decimal(0)
    if len(decision_number or "") > 40:
        errors["decision_number"] = _("At most %(count)s characters.") % {"count": 40}
    _text_validate(errors, "reason", reason, required=True)
    _text_validate(errors, "goals", goals)
    _text_validate(errors, "contact", contact)
    for consent in consents:
        if consent.purpose not in ConsentPurpose.values:
            errors["consents"] = _("Choose a valid purpose.")
        elif consent.given_at > timezone.now():
            errors["consents"] = _("A consent cannot be given in the future.")
    try:
        number, index, _birth_year = referral_person_clean(person)
    except ValidationError as error:
        errors.update(error.message_dict)
        number = index = ""
    if errors:
        raise ValidationError(errors)
    placement = placed_at(enterprise_id=enterprise.pk, identity_index_value=index)
    if placement is not None and not confirm_already_placed:
        raise AlreadyPlaced(placement)
    data_key = DataKey.new()
    data_key.save()
    keycache.remember(data_key)
    now = timezone.now()
    referral = Referral(
        data_key=data_key,
        agency=agency,
        case_officer=acting_user,
        enterprise=enterprise,
        unit=unit,
        programme=programme,
        decision_number=(decision_number or "").strip(),
        hours_per_week=hours,
        wanted_start=wanted_start,
        wanted_end=wanted_end,
        given_name=person.given_name.strip(),
        family_name=person.family_name.strip(),
        personal_identity_number=number,
        personal_identity_index=index,
        gender=person.gender,
        labour_market_status=person.labour_market_status,
        phone=person.phone.strip(),
        email=person.email.strip(),
        reason=reason.strip(),
        goals=goals.strip(),
        contact=contact.strip(),
        sent_at=now,
    )
    save_with_history(referral, user=acting_user, reason="referral sent")
    for consent in {consent.purpose: consent for consent in consents}.values():
        save_with_history(
            ReferralConsent(
                referral=referral,
                data_key_id=data_key.pk,
                purpose=consent.purpose,
                template=consent_template_current(purpose=consent.purpose),
                given_at=consent.given_at,
                evidence=consent.evidence.strip(),
            ),
            user=acting_user,
            reason="consent recorded with referral",
        )
    _thread_add(referral, kind=ReferralMessage.Kind.SENT, author=acting_user, body="", at=now)
    _send(
        signals.referral_sent,
        referral=referral,
        recipients=enterprise_managers(enterprise_id=enterprise.pk),
        url=referral_url(referral),
    )
    return referral


def _locked(referral: Referral) -> Referral:
    """The referral re-read under a row lock (select_for_update), for an answer."""
    return Referral.objects.select_for_update().select_related("data_key").get(pk=referral.pk)


def _manager_check(referral: Referral, acting_user: User) -> None:
    if referral.enterprise_id not in organisations_with_role(acting_user, Role.MANAGER):
        raise PermissionDenied(_("You may not make this change."))


def _case_officer_check(referral: Referral, acting_user: User) -> None:
    if referral.case_officer_id != acting_user.pk or referral.agency_id not in (
        organisations_with_role(acting_user, Role.CASE_OFFICER)
    ):
        raise PermissionDenied(_("You may not make this change."))


def _waiting_check(referral: Referral) -> None:
    if referral.status != Referral.Status.SENT:
        raise ValidationError(
            _("This referral has already been answered (%(status)s).")
            % {"status": referral.get_status_display()},
            code="already_answered",
        )


def _answered(referral: Referral, *, status: str, acting_user: User, reason: str) -> Referral:
    referral.status = status
    referral.answered_by = acting_user
    referral.answered_at = timezone.now()
    if status in (Referral.Status.ACCEPTED, Referral.Status.DECLINED):
        referral.closed_at = referral.answered_at
    save_with_history(
        referral,
        user=acting_user,
        reason=reason,
        update_fields=[
            "status",
            "answered_by",
            "answered_at",
            "closed_at",
            "supervisor",
            "placement",
        ],
    )
    return referral


def _answer_signal(referral: Referral, answer: str) -> None:
    _send(
        signals.referral_answered,
        referral=referral,
        answer=answer,
        recipients=[referral.case_officer],
        url=referral_url(referral),
    )


@transaction.atomic
def referral_accept(
    *,
    referral: Referral,
    acting_user: User,
    unit: Unit,
    supervisor: User,
    start_date: date,
) -> Placement:
    """Accept: the participant (registered, or the enterprise's existing record found
    by blind index) and a placement in the planned state, with the case officer,
    agency, decision number and hours of the referral and the case officer's grants."""
    _manager_check(referral, acting_user)
    referral = _locked(referral)
    _waiting_check(referral)
    if start_date < referral.sent_at.date():
        raise ValidationError({"start_date": _("The start cannot be before the referral date.")})
    participant = participant_at(
        enterprise_id=referral.enterprise_id,
        identity_index_value=referral.personal_identity_index,
    )
    if participant is None:
        participant = participant_create(
            organisation=referral.enterprise,
            data=ParticipantInput(
                given_name=referral.given_name,
                family_name=referral.family_name,
                personal_identity_number=referral.personal_identity_number,
                gender=referral.gender,
                birth_year=int(referral.personal_identity_number[:4]),
                labour_market_status=referral.labour_market_status,
                phone=referral.phone,
                email=referral.email,
            ),
            acting_user=acting_user,
        )
    placement = referral_register(
        participant=participant,
        programme=referral.programme,
        referred_on=referral.sent_at.date(),
        acting_user=acting_user,
        referring_organisation=referral.agency,
        case_officer=referral.case_officer,
        proposed_start=start_date,
        decision_number=referral.decision_number,
    )
    # The unit and the supervisor as placement_start will check them.
    placement_start_validate(
        placement=placement, unit=unit, supervisors=[supervisor], start_date=start_date
    )
    placement_schedule(
        placement=placement,
        unit=unit,
        start_date=start_date,
        hours_per_week=referral.hours_per_week,
        planned_end=referral.wanted_end
        if referral.wanted_end and referral.wanted_end >= start_date
        else None,
        acting_user=acting_user,
    )
    for consent in referral.consents.all():
        consent_record(
            participant=participant,
            purpose=consent.purpose,
            agency=referral.agency,
            given_at=consent.given_at,
            evidence=consent.evidence,
            acting_user=acting_user,
        )
    referral.supervisor = supervisor
    referral.placement = placement
    _answered(
        referral,
        status=Referral.Status.ACCEPTED,
        acting_user=acting_user,
        reason="referral accepted",
    )
    _thread_add(referral, kind=ReferralMessage.Kind.ACCEPTED, author=acting_user, body="")
    _answer_signal(referral, "accepted")
    return placement


@transaction.atomic
def referral_request_information(
    *, referral: Referral, acting_user: User, message: str
) -> Referral:
    """The manager asks the case officer for more information (the referral waits for them)."""
    _manager_check(referral, acting_user)
    referral = _locked(referral)
    _waiting_check(referral)
    errors: dict = {}
    _text_validate(errors, "message", message, required=True)
    if errors:
        raise ValidationError(errors)
    _answered(
        referral,
        status=Referral.Status.MORE_INFORMATION,
        acting_user=acting_user,
        reason="referral: more information requested",
    )
    _thread_add(referral, kind=ReferralMessage.Kind.REQUEST, author=acting_user, body=message)
    _answer_signal(referral, "more_information")
    return referral


@transaction.atomic
def referral_decline(*, referral: Referral, acting_user: User, reason: str) -> Referral:
    """The manager declines, with a reason the case officer reads."""
    _manager_check(referral, acting_user)
    referral = _locked(referral)
    _waiting_check(referral)
    errors: dict = {}
    _text_validate(errors, "reason", reason, required=True)
    if errors:
        raise ValidationError(errors)
    _answered(
        referral,
        status=Referral.Status.DECLINED,
        acting_user=acting_user,
        reason="referral declined",
    )
    _thread_add(referral, kind=ReferralMessage.Kind.DECLINED, author=acting_user, body=reason)
    _answer_signal(referral, "declined")
    return referral


@transaction.atomic
def referral_supplement(*, referral: Referral, acting_user: User, message: str) -> Referral:
    """The case officer answers a request for more information: the referral waits again."""
    _case_officer_check(referral, acting_user)
    referral = _locked(referral)
    if referral.status != Referral.Status.MORE_INFORMATION:
        raise ValidationError(_("No more information has been asked for on this referral."))
    errors: dict = {}
    _text_validate(errors, "message", message, required=True)
    if errors:
        raise ValidationError(errors)
    referral.status = Referral.Status.SENT
    save_with_history(
        referral, user=acting_user, reason="referral supplemented", update_fields=["status"]
    )
    _thread_add(referral, kind=ReferralMessage.Kind.ANSWER, author=acting_user, body=message)
    _send(
        signals.referral_sent,
        referral=referral,
        recipients=enterprise_managers(enterprise_id=referral.enterprise_id),
        url=referral_url(referral),
    )
    return referral


@transaction.atomic
def referral_withdraw(*, referral: Referral, acting_user: User, reason: str = "") -> Referral:
    """The case officer withdraws a referral not yet accepted or declined."""
    _case_officer_check(referral, acting_user)
    referral = _locked(referral)
    if not referral.open:
        raise ValidationError(
            _("This referral has already been answered (%(status)s).")
            % {"status": referral.get_status_display()},
            code="already_answered",
        )
    referral.status = Referral.Status.WITHDRAWN
    referral.closed_at = timezone.now()
    save_with_history(
        referral,
        user=acting_user,
        reason="referral withdrawn",
        update_fields=["status", "closed_at"],
    )
    _thread_add(referral, kind=ReferralMessage.Kind.WITHDRAWN, author=acting_user, body=reason)
    return referral


@transaction.atomic
def referral_shred(*, referral: Referral) -> Referral:
    """Crypto-shred the referral's personal data: its data key is destroyed (live and
    history rows of the referral, its thread and consents become unreadable) and
    the blind index is cleared. Called by the retention job (erasure)."""
    referral = _locked(referral)
    if referral.status in (Referral.Status.SENT, Referral.Status.MORE_INFORMATION):
        raise ValidationError(_("A referral waiting for an answer is not erased."))
    if referral.shredded_at is not None:
        return referral
    referral.personal_identity_index = ""
    referral.shredded_at = timezone.now()
    # Saved while the key still works: the history row copies the encrypted values.
    save_with_history(
        referral,
        user=None,
        reason="referral erased (retention)",
        update_fields=["personal_identity_index", "shredded_at"],
    )
    # Earlier history rows keep the blind index, a pseudonym of the person: cleared
    # too, row by row (only that plain column is written; the ciphertext stays as is).
    for row in Referral.history.filter(id=referral.pk).exclude(personal_identity_index=""):
        row.personal_identity_index = ""
        row.save(update_fields=["personal_identity_index"])
    data_key_destroy(data_key=referral.data_key)
    return referral


@transaction.atomic
def case_message_post(*, placement: Placement, acting_user: User, body: str) -> CaseMessage:
    """A party of the placement writes a message to the others (plain text, size-limited)."""
    placement_write_check(
        user=acting_user, placements=[placement], sections=(ReferralSection.MESSAGES,)
    )
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({"body": _("Write a message.")})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("A message is at most %(count)s characters (this one has %(length)s).")
                % {"count": MESSAGE_MAX_LENGTH, "length": len(text)}
            }
        )
    if any(ord(char) < 32 and char not in "\n\t" for char in text):
        raise ValidationError(
            {"body": _("A message is plain text: remove the control characters.")}
        )
    message = CaseMessage(
        placement=placement,
        data_key_id=placement.data_key_id,
        author=acting_user,
        body=text,
        created_at=timezone.now(),
    )
    save_with_history(message, user=acting_user, reason="message posted")
    _send(
        signals.case_message_posted,
        message=message,
        recipients=[
            user for user in placement_parties(placement=placement) if user.pk != acting_user.pk
        ],
        url=messages_url(placement),
    )
    return message
