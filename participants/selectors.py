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
from accounts.roles import organisations_with_role
from encryption.fields import REGISTRY
from encryption.search import decrypt_match

from .identity import identity_index, normalise_identity_number
from .models import Consent, Participant, ParticipantUserObjectPermission
from .policy import NO_ACCESS, PARTICIPANT_FIELDS, Access, Relation, Section, access_for

LIST_DEFERRED = PARTICIPANT_FIELDS[Section.CONTACT] + PARTICIPANT_FIELDS[Section.HEALTH]


def _grants(user: User, codename: str, *, expiring: bool | None = None):
    today = timezone.localdate()
    grants = ParticipantUserObjectPermission.objects.filter(
        user=user, permission__codename=codename, content_object=OuterRef("pk")
    )
    if expiring is None:
        return grants.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    if expiring:
        return grants.filter(expires_on__gte=today)
    return grants.filter(expires_on__isnull=True)


def _granted_ids(user: User, codename: str):
    """Ids of the participants the user holds a current grant on.

    Lists filter with ``pk IN`` this, so the database starts from the user's
    few grants; a correlated EXISTS per participant made SQLite walk the whole
    enterprise (2.4× slower for a supervisor at 10,000 participants, see
    docs/performance.md). Inside the visibility ``OR`` it goes through
    ``InSubqueryFirst``: PostgreSQL tested a plain ``IN`` against every
    participant of the enterprise and then hash-joined every data key.
    """
    today = timezone.localdate()
    return (
        ParticipantUserObjectPermission.objects.filter(user=user, permission__codename=codename)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .values("content_object_id")
    )


def _referred_by(agency_ids: list):
    # Through the reverse relation, so participants imports nothing from
    # placements (placements depends on participants, not the other way round).
    return Participant.objects.filter(
        pk=OuterRef("pk"), placements__referring_organisation_id__in=agency_ids
    )


def _relation_annotations(user: User) -> dict:
    supervised_at = organisations_with_role(user, Role.SUPERVISOR)
    agencies = organisations_with_role(user, Role.CASE_OFFICER)
    return {
        "_supervisor": Exists(_grants(user, "view_participant", expiring=False))
        & Q(organisation_id__in=supervised_at),
        "_former_supervisor": Exists(_grants(user, "view_participant", expiring=True))
        & Q(organisation_id__in=supervised_at),
        "_case_officer": Exists(_grants(user, "follow_participant"))
        & Exists(_referred_by(agencies)),
        "_health_consent": Exists(
            Consent.objects.filter(
                participant=OuterRef("pk"),
                purpose=Consent.Purpose.SHARE_WITH_AGENCY,
                agency_id__in=agencies,
                withdrawn_at__isnull=True,
            )
        ),
    }


def _visible_q(user: User) -> Q:
    managed = organisations_with_role(user, Role.MANAGER)
    supervised_at = organisations_with_role(user, Role.SUPERVISOR)
    agencies = organisations_with_role(user, Role.CASE_OFFICER)
    return (
        Q(organisation_id__in=managed)
        | (
            Q(InSubqueryFirst(F("pk"), _granted_ids(user, "view_participant")))
            & Q(organisation_id__in=supervised_at)
        )
        | (
            Q(InSubqueryFirst(F("pk"), _granted_ids(user, "follow_participant")))
            & Exists(_referred_by(agencies))
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
    managed = organisations_with_role(user, Role.MANAGER)
    row = (
        Participant.objects.filter(pk=participant_id)
        .annotate(**_relation_annotations(user))
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
    relations = set()
    if row["organisation_id"] in managed:
        relations.add(Relation.MANAGER)
    if row["_supervisor"]:
        relations.add(Relation.SUPERVISOR)
    elif row["_former_supervisor"]:
        relations.add(Relation.FORMER_SUPERVISOR)
    if row["_case_officer"]:
        relations.add(Relation.CASE_OFFICER)
    return access_for(relations, health_consent=bool(row["_health_consent"]))


def participant_get_for(*, user: User, participant_id) -> Participant:
    """The participant with ``.access`` set, or Http404. Two queries."""
    access = participant_access_for(user=user, participant_id=participant_id)
    if not access.relations:
        raise Http404
    hidden = access.hidden_fields
    participant = (
        Participant.objects.select_related("data_key", "organisation")
        .defer(*hidden)
        .get(pk=participant_id)
    )
    participant.__dict__["_hidden_fields"] = hidden
    participant.access = access
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
