"""Reading a participant's consents, and what each one currently permits.

What a consent permits is decided where access is decided: the agency's
reading of health details follows ``selectors.health_consent_exists`` on every
request, so a withdrawal takes effect on the next request and nothing caches
it. The texts here say the same in words, for the record's consent tab and the
participant's own copy.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from .models import Consent, Participant
from .policy import Section

#: What an active consent of each purpose permits ({agency}, {funder}, {system} filled in).
PERMITS: dict[str, Callable[[Consent], str]] = {
    Consent.Purpose.PROCESSING: lambda consent: _(
        "The enterprise processes the personal data in this record for the placement."
    ),
    Consent.Purpose.SHARE_WITH_AGENCY: lambda consent: (
        _(
            "Case officers at %(agency)s who follow the participant's placement read the "
            "health and support needs."
        )
        % {"agency": consent.agency.name if consent.agency else "–"}
    ),
    Consent.Purpose.STATISTICS: lambda consent: _(
        "The record is counted in anonymised statistics."
    ),
    Consent.Purpose.SHARE_WITH_FUNDER: lambda consent: (
        _(
            "The enterprise registers the participant in %(system)s, the follow-up system of "
            "%(funder)s."
        )
        % {
            "system": consent.recipient_system or _("the follow-up system"),
            "funder": consent.funder.name if consent.funder else "–",
        }
    ),
    Consent.Purpose.MEDIA: lambda consent: _(
        "Photos, film and quotes of the participant may be used in the enterprise's "
        "own communication."
    ),
    Consent.Purpose.CONTACT_AFTER_EXIT: lambda consent: _(
        "The enterprise may contact the participant after the placement has ended, "
        "for the follow-ups at 28 days and 6 months."
    ),
}


def consent_permits(consent: Consent) -> str:
    """What the consent permits now, in one sentence."""
    if consent.withdrawn_at is not None:
        return _("Nothing: withdrawn on %(date)s.") % {
            "date": date_format(localtime(consent.withdrawn_at), "SHORT_DATE_FORMAT")
        }
    return PERMITS[consent.purpose](consent)


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    active: bool
    permits: str


def consents_of(participant_id) -> QuerySet[Consent]:
    """Every consent of one participant, with what the tab and the copy show (one query).

    Unscoped: for callers that have already checked access to the participant.
    """
    return (
        Consent.objects.filter(participant_id=participant_id)
        .select_related(
            "data_key", "agency", "funder", "recorded_by", "withdrawn_recorded_by", "template"
        )
        .order_by("withdrawn_at", "-given_at", "pk")
    )


def consent_list_for(*, participant: Participant) -> list[ConsentRow]:
    """The consents of a participant loaded by ``participant_get_for`` (its ``.access``)."""
    if not participant.access.can_read(Section.CONSENTS):  # type: ignore[attr-defined]
        raise PermissionDenied
    return [
        ConsentRow(
            consent=consent,
            active=consent.withdrawn_at is None,
            permits=consent_permits(consent),
        )
        for consent in consents_of(participant.pk)
    ]


def consent_get_for(*, participant: Participant, consent_id) -> Consent:
    """One consent of the participant, for withdrawing it; Http404 when not theirs."""
    if not participant.access.can_read(Section.CONSENTS):  # type: ignore[attr-defined]
        raise PermissionDenied
    consent = consents_of(participant.pk).filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    return consent
