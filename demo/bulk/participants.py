"""Many participants at once, each checked as participant_create checks one."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from audit.history import bulk_create_tracked
from encryption import keycache
from encryption.models import DataKey
from participants.models import Consent, ConsentTemplate, Participant
from participants.services import (
    ParticipantInput,
    consent_template_current,
    participant_build,
    participant_enterprise_validate,
    participant_unique_validate,
    participant_validate,
)

from .rows import row_error


@transaction.atomic
def participant_bulk_create(
    *,
    organisation: Organisation,
    records: list[ParticipantInput],
    acting_user: User,
    reason: str = "participant registered",
) -> list[Participant]:
    """Register many participants at once (demo data, benchmarks).

    The same checks as participant_create, with one data key per participant and
    history rows written in bulk. A bad personal identity number names its row; a
    bad profile is refused with its fields, as participant_create refuses it.
    """
    participant_enterprise_validate(organisation=organisation)
    participants: list[Participant] = []
    data_keys: list[DataKey] = []
    seen: set[str] = set()
    for position, data in enumerate(records, start=1):
        try:
            participant = participant_build(organisation=organisation, data=data)
        except ValidationError as error:
            raise row_error(position, error) from None
        if participant.personal_identity_index in seen:
            raise ValidationError(
                _("Row %(row)s: the personal identity number appears twice.") % {"row": position}
            )
        seen.add(participant.personal_identity_index)
        data_key = DataKey.new()
        participant.data_key = data_key
        participant_validate(participant=participant)
        participants.append(participant)
        data_keys.append(data_key)
    # One query for the whole batch instead of one per row.
    participant_unique_validate(organisation_id=organisation.pk, identity_indexes=seen)
    DataKey.objects.bulk_create(data_keys, batch_size=1000)
    for data_key in data_keys:
        keycache.remember(data_key)
    bulk_create_tracked(participants, user=acting_user, reason=reason)
    return participants


@transaction.atomic
def consent_bulk_create(
    *, consents: list[Consent], acting_user: User, reason: str = "consent recorded"
) -> list[Consent]:
    """Record many consents at once (demo data, benchmarks), checked as consent_record checks.

    Each consent must name its participant's data key and, for the sharing
    purposes, an organisation of the right kind; the wording version is the
    current one of its purpose. History rows are written in bulk.
    """
    templates: dict[str, ConsentTemplate | None] = {
        purpose: consent_template_current(purpose=purpose) for purpose in Consent.Purpose.values
    }
    for position, consent in enumerate(consents, start=1):
        if consent.purpose not in Consent.Purpose.values:
            raise row_error(position, _("Choose a valid purpose."))
        recipients: dict[str, tuple] = {
            Consent.Purpose.SHARE_WITH_AGENCY: (consent.agency, Organisation.Kind.AGENCY),
            Consent.Purpose.SHARE_WITH_FUNDER: (consent.funder, Organisation.Kind.FUNDER),
        }
        needs = recipients.get(str(consent.purpose))
        if needs is not None and (needs[0] is None or needs[0].kind != needs[1]):
            raise row_error(position, _("Name the organisation the consent allows sharing with."))
        if consent.withdrawn_at is not None and consent.withdrawn_at < consent.given_at:
            raise row_error(position, _("A consent cannot be withdrawn before it was given."))
        consent.template = templates[str(consent.purpose)]
        consent.recorded_by = acting_user
    bulk_create_tracked(consents, user=acting_user, reason=reason)
    return consents
