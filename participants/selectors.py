"""Permission-scoped reads of participants: the only way views reach them.

A participant the user may not see answers Http404, exactly like one that
does not exist. Fields the policy withholds are neither loaded nor readable.
"""

import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.lookups import InSubqueryFirst
from accounts.models import Role, User
from encryption.fields import REGISTRY, withhold
from encryption.search import decrypt_match

from . import access
from .identity import identity_index, normalise_identity_number
from .models import Consent, Participant, ParticipantUserObjectPermission
from .policy import NO_ACCESS, PARTICIPANT_FIELDS, Access, Section, access_for

LIST_DEFERRED = PARTICIPANT_FIELDS[Section.CONTACT] + PARTICIPANT_FIELDS[Section.HEALTH]


def _referred_by(agency_ids: list):
    # Through the reverse relation, so participants imports nothing from
    # placements (placements depends on participants, not the other way round).
    return Participant.objects.filter(
        pk=OuterRef("pk"), placements__referring_organisation_id__in=agency_ids
    )


def health_consent_exists(agencies: list, *, participant=None) -> Exists:
    """The participant consented to sharing health information with one of ``agencies``."""
    return Exists(
        Consent.objects.filter(
            participant=OuterRef("pk") if participant is None else participant,
            purpose=Consent.Purpose.SHARE_WITH_AGENCY,
            agency_id__in=agencies,
            withdrawn_at__isnull=True,
        )
    )


def _relation_flags(user: User, scope: access.Scope) -> dict:
    grant = ParticipantUserObjectPermission
    return {
        "_supervisor": access.grant_exists(
            grant, user=user, codename="view_participant", state=access.OPEN
        ),
        "_former_supervisor": access.grant_exists(
            grant, user=user, codename="view_participant", state=access.IN_GRACE
        ),
        "_case_officer": access.grant_exists(grant, user=user, codename="follow_participant")
        & Exists(_referred_by(scope.agencies)),
        "_health_consent": health_consent_exists(scope.agencies),
    }


def _visible_q(user: User) -> Q:
    scope = access.scope_of(user)
    grant = ParticipantUserObjectPermission
    # The grants are read first (accounts.lookups): PostgreSQL tested a plain IN
    # against every participant of the enterprise and hash-joined every data key.
    return (
        Q(organisation_id__in=scope.managed)
        | (
            Q(
                InSubqueryFirst(
                    F("pk"), access.granted_ids(grant, user=user, codename="view_participant")
                )
            )
            & Q(organisation_id__in=scope.supervised_at)
        )
        | (
            Q(
                InSubqueryFirst(
                    F("pk"), access.granted_ids(grant, user=user, codename="follow_participant")
                )
            )
            & Exists(_referred_by(scope.agencies))
        )
    )


def of_organisations(organisation_ids: list):
    """Rows whose ``participant_id`` is a participant of these organisations, read
    first (accounts.lookups): for tables about participants that carry no enterprise."""
    return InSubqueryFirst(
        F("participant_id"),
        Participant.objects.filter(organisation_id__in=organisation_ids).values("pk"),
    )


def relationship_now(user_id, participant_id) -> Any:
    """A boolean expression: the user has, today, an unexpired grant on the participant
    or a current manager membership at their enterprise. ``user_id`` and
    ``participant_id`` are expressions (``OuterRef``) or values; the auditor's
    "access without a current relationship" flag is its negation."""
    today = timezone.localdate()
    has_grant = Exists(
        ParticipantUserObjectPermission.objects.filter(
            user_id=user_id, content_object_id=participant_id
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    )
    manages = Exists(
        Participant.objects.filter(
            pk=participant_id,
            organisation__memberships__user_id=user_id,
            organisation__memberships__role=Role.MANAGER,
            organisation__memberships__active_from__lte=today,
        ).filter(
            Q(organisation__memberships__active_to__isnull=True)
            | Q(organisation__memberships__active_to__gte=today)
        )
    )
    return Q(has_grant) | Q(manages)


def participant_list_for(*, user: User) -> QuerySet[Participant]:
    """Every participant the user may see, with names; contact and health not loaded."""
    if not user.is_authenticated or not user.is_active:
        return Participant.objects.none()
    return (
        Participant.objects.filter(_visible_q(user))
        .select_related("data_key")
        .defer(*LIST_DEFERRED)
    )


def participant_access_for(*, user: User, participant_id) -> Access:
    """What the user may do with this participant (NO_ACCESS when nothing)."""
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    try:
        participant_id = uuid.UUID(str(participant_id))
    except ValueError:
        return NO_ACCESS
    scope = access.scope_of(user)
    row = (
        Participant.objects.filter(pk=participant_id)
        .annotate(**_relation_flags(user, scope))
        .values(
            "organisation_id",
            "_supervisor",
            "_former_supervisor",
            "_case_officer",
            "_health_consent",
        )
        .first()
    )
    if row is None:
        return NO_ACCESS
    relations = access.relations_of(
        scope,
        organisation_id=row["organisation_id"],
        supervisor=row["_supervisor"],
        former_supervisor=row["_former_supervisor"],
        case_officer=row["_case_officer"],
    )
    return access_for(relations, health_consent=bool(row["_health_consent"]))


def participant_get_for(*, user: User, participant_id) -> Participant:
    """The participant with ``.access`` set, or Http404. Two queries."""
    found = participant_access_for(user=user, participant_id=participant_id)
    if not found.relations:
        raise Http404
    hidden = found.hidden_fields
    participant = (
        Participant.objects.select_related("data_key", "organisation")
        .defer(*hidden)
        .get(pk=participant_id)
    )
    withhold(participant, hidden)
    participant.access = found
    return participant


# --- The participant list: search, filters, sorting, pages ------------------

#: A term made only of digits and separators is a personal identity number.
IDENTITY_TERM = re.compile(r"^[\d\s+-]+$")
LIST_PAGE_SIZE = 25
#: Sorts the database can do; name sorts need the decrypted names (see below).
DATABASE_SORTS = {
    "birth_year": ("birth_year", "pk"),
    "-birth_year": ("-birth_year", "pk"),
    "status": ("status", "pk"),
    "-created_at": ("-created_at", "pk"),
}
NAME_SORTS = ("name", "-name")
#: Swedish alphabetical order: å, ä, ö after z (ø and æ sort with ö and ä).
_SWEDISH_LETTERS = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"})


@dataclass(frozen=True)
class ParticipantFilters:
    """What the participant list asks for; empty values do not filter."""

    term: str = ""
    status: str = ""
    unit_id: uuid.UUID | None = None
    programme: str = ""
    supervisor_id: uuid.UUID | None = None
    sort: str = "name"


def looks_like_identity_number(term: str) -> bool:
    return bool(IDENTITY_TERM.match(term)) and sum(char.isdigit() for char in term) >= 10


def _swedish_key(text: str) -> str:
    folded = text.casefold().translate(_SWEDISH_LETTERS)
    if folded.isascii():
        # Most names, once å, ä and ö are mapped: nothing left to strip.
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def name_sort_key(family_name: str, given_name: str, pk: uuid.UUID) -> tuple[str, str, uuid.UUID]:
    """Family name, then given name, in Swedish alphabetical order (then the id)."""
    return (_swedish_key(family_name), _swedish_key(given_name), pk)


def _search(participants: QuerySet[Participant], term: str) -> QuerySet[Participant]:
    """Narrow an already scoped queryset to a name or personal identity number."""
    term = (term or "").strip()
    if not term:
        return participants
    if looks_like_identity_number(term):
        try:
            normalised = normalise_identity_number(term)
        except ValidationError:
            return participants.none()
        # Exact lookup through the blind index: nothing is decrypted.
        return participants.filter(personal_identity_index=identity_index(normalised))
    # Names are decrypted and matched within the set the user may already see.
    matched = decrypt_match(participants, ("given_name", "family_name"), term)
    return participants.filter(pk__in=matched)


def participant_search_for(*, user: User, term: str) -> QuerySet[Participant]:
    """Participants the user may see whose name or personal identity number matches."""
    return _search(participant_list_for(user=user), term)


def enterprises_for_registration(*, user: User) -> list:
    """The enterprises where the user may register participants (as their manager)."""
    from accounts.models import Organisation
    from accounts.roles import current_memberships

    found = {
        membership.organisation_id: membership.organisation
        for membership in current_memberships(user)
        if membership.role == Role.MANAGER
        and membership.organisation.kind == Organisation.Kind.ENTERPRISE
    }
    return sorted(found.values(), key=lambda organisation: organisation.name)


#: Columns of the record that are bookkeeping, not content, in the change history.
_HISTORY_SKIPPED = {"id", "data_key", "personal_identity_index", "created_at", "organisation"}
HISTORY_PAGE_SIZE = 50


@dataclass(frozen=True)
class HistoryEntry:
    at: object
    user: object
    kind: str
    reason: str
    changed: tuple[str, ...]


def participant_history_page_for(*, participant: Participant, page_number) -> Page:
    """A page of the record's change history: when, who, why and which fields changed.

    Values are never shown. History rows are encrypted afresh on every save, so
    their ciphertexts always differ: encrypted fields are compared decrypted, in
    memory, and only those in sections the user may read. Three queries.
    """
    if not participant.access.can_read(Section.HISTORY):
        raise Http404
    versions = participant.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    page = Paginator(versions, HISTORY_PAGE_SIZE).get_page(page_number)
    start = page.start_index() - 1 if page.paginator.count else 0
    # One version more than the page shows: the oldest row needs its predecessor.
    rows = list(versions[start : start + HISTORY_PAGE_SIZE + 1])
    hidden = participant.access.hidden_fields
    fields = [
        field
        for field in Participant._meta.concrete_fields
        if field.name not in _HISTORY_SKIPPED
        and field.name != "updated_at"
        and field.name not in hidden
    ]
    encrypted = {field.name for field in REGISTRY.get(Participant, ())}

    def value(version, field):
        if field.name in encrypted:
            return getattr(version, field.name)
        return version.__dict__.get(field.attname)

    entries = []
    for newer, older in zip(rows, [*rows[1:], None], strict=False):
        if len(entries) == HISTORY_PAGE_SIZE:
            break
        if older is None or newer.history_type == "+":
            changed = ()
        else:
            changed = tuple(
                str(field.verbose_name)
                for field in fields
                if value(newer, field) != value(older, field)
            )
        entries.append(
            HistoryEntry(
                at=newer.history_date,
                user=newer.history_user,
                kind=newer.history_type,
                reason=newer.history_change_reason or "",
                changed=changed,
            )
        )
    page.object_list = entries
    return page


def participant_write_check(
    *, user: User, participant_id, sections: tuple[str, ...] = (), relation: str | None = None
) -> Access:
    """For services: the acting user may write one of ``sections`` of the participant's
    record (or holds ``relation`` with them); PermissionDenied otherwise. One query."""
    found = participant_access_for(user=user, participant_id=participant_id)
    if sections:
        access.require_write(found, *sections)
    if relation is not None:
        access.require_relation(found, relation)
    if not sections and relation is None:
        raise ValueError("say which sections or which relation the write needs")
    return found


def participants_matching(participants: QuerySet[Participant], term: str) -> QuerySet[Participant]:
    """``participants`` (already scoped by the caller) narrowed to a name or personal
    identity number: the blind index for a number, decryption within the set for a name."""
    return _search(participants, term)
