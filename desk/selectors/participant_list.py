"""The participant list page: filters and page assembly that reach into
placements (units, programmes, supervisors), so they live above both apps."""

import uuid
from collections import OrderedDict
from typing import cast

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects

from accounts.models import Role, Unit, User
from accounts.roles import organisations_with_role
from encryption.search import decrypt_rows, normalise_for_search
from participants import access
from participants.identity import mask_identity_number
from participants.models import Participant
from participants.selectors import (
    DATABASE_SORTS,
    LIST_PAGE_SIZE,
    ParticipantFilters,
    _search,
    looks_like_identity_number,
    name_sort_key,
    participant_list_for,
)
from placements.models import PlacementSupervisor
from placements.selectors import placement_followed_list_for, placement_list_for


def _filtered(*, user: User, filters: ParticipantFilters) -> QuerySet[Participant]:
    participants = participant_list_for(user=user)
    if filters.status:
        participants = participants.filter(status=filters.status)
    through_placement = {}
    if filters.unit_id:
        through_placement["unit_id"] = filters.unit_id
    if filters.programme:
        through_placement["programme"] = filters.programme
    if filters.supervisor_id:
        through_placement["supervisor_assignments__supervisor_id"] = filters.supervisor_id
        through_placement["supervisor_assignments__ended_on__isnull"] = True
    if through_placement:
        # Only placements the user may see count, so a filter reveals nothing new.
        participants = participants.filter(
            Exists(
                placement_list_for(user=user).filter(
                    participant_id=OuterRef("pk"), **through_placement
                )
            )
        )
    if _is_name_search(filters.term):
        # Matched against the names held by this process (``_held_names``), by the caller.
        return participants
    return _search(participants, filters.term)


def _is_name_search(term: str) -> bool:
    term = (term or "").strip()
    return bool(term) and not looks_like_identity_number(term)


def participant_page_for(*, user: User, filters: ParticipantFilters, page_number) -> Page:
    """One page of the participant list, with the placements the user may see.

    The query count does not depend on the number of rows: a name sort reads
    the filtered set's name ciphertexts once and sorts by their sort keys in
    Python (the database cannot sort ciphertext, see ``_name_order``); other
    sorts page in the database.
    """
    participants = _filtered(user=user, filters=filters)
    words = normalise_for_search(filters.term).split() if _is_name_search(filters.term) else []
    if filters.sort in DATABASE_SORTS:
        rows = participants
        if words:
            rows = rows.filter(pk__in=[pk for *_key, pk in _held_names(participants, words)])
        rows = rows.order_by(*DATABASE_SORTS[filters.sort])
        page = Paginator(rows, LIST_PAGE_SIZE).get_page(page_number)
        page.object_list = list(page.object_list)
    else:
        order = _name_order(participants, descending=filters.sort == "-name", words=words)
        page = Paginator(order, LIST_PAGE_SIZE).get_page(page_number)
        # The page holds ids here; the participants replace them below.
        shown = cast(list[uuid.UUID], list(page.object_list))
        by_pk = participants.filter(pk__in=shown).in_bulk()
        # A participant removed between the two queries is left out, not a 500.
        page.object_list = [by_pk[pk] for pk in shown if pk in by_pk]
    prefetch_related_objects(
        page.object_list,
        Prefetch(
            "placements",
            queryset=placement_list_for(user=user)
            .select_related(None)
            .select_related("unit")
            .order_by("-referred_on", "pk"),
            to_attr="visible_placements",
        ),
    )
    scope = access.scope_of(user)
    for participant in page.object_list:
        participant.identity_number_shown = _identity_number_in_list(  # type: ignore[attr-defined]
            participant, user, scope
        )
    return page


def _identity_number_in_list(participant: Participant, user: User, scope) -> str:
    """The personal identity number as the list shows it to this user.

    The same rule as the record's header (``desk.selectors.record``): the manager of
    the participant's enterprise and the case officer of one of their placements see
    the whole number; a supervisor sees the birth date only. Decided from what the
    page already holds (the user's scope, the visible placements): no query.
    """
    number = participant.personal_identity_number
    if participant.organisation_id in scope.managed:
        return number
    if any(
        placement.case_officer_id == user.pk
        and placement.referring_organisation_id in scope.agencies
        for placement in participant.visible_placements  # type: ignore[attr-defined]
    ):
        return number
    return mask_identity_number(number)


#: A participant's name sort key (family, given: Swedish collation keys) and search
#: text (``encryption.search.normalise_for_search`` of "given family", what a name
#: search matches) with the two name ciphertexts they were computed from, by
#: participant id. Held in the web process only (never written anywhere), bounded,
#: least recently computed dropped first. A name change writes a new ciphertext (a
#: fresh nonce), so an entry whose ciphertexts differ from the row's is stale and
#: computed again.
_NAME_KEYS: OrderedDict = OrderedDict()
NAME_KEYS_LIMIT = 100_000
#: Above this many unknown rows, decrypt the whole set in one query rather
#: than name the unknown ids in an IN list.
_DECRYPT_ALL_FROM = 200


def _name_order(participants: QuerySet[Participant], *, descending: bool, words=()) -> list:
    """The ids of ``participants`` (those whose names hold every one of ``words``,
    when given) in Swedish name order."""
    ordered = _held_names(participants, words)
    ordered.sort(reverse=descending)
    return [pk for _family, _given, pk in ordered]


def _held_names(participants: QuerySet[Participant], words=()) -> list:
    """``(family key, given key, id)`` of every row of ``participants`` whose names
    hold every one of ``words`` (normalised search words; all rows without words).

    The same match as ``encryption.search.decrypt_match`` over ("given_name",
    "family_name"), which the other searches use: every word occurs in the
    normalised "given family" text. Reads the id and the two name ciphertexts
    of every row (one query, no data key, no decryption); only rows whose names
    are new to this process (or changed since) are decrypted (one more query).
    Decrypting every visible name on every request was most of a manager's list
    and search at 10,000 participants (docs/performance.md). A ciphertext copied to another row
    is not trusted from here: the entry is per id, and the copy is decrypted
    under its own row's binding, which fails closed.
    """
    rows = list(participants.order_by().values_list("pk", "family_name", "given_name"))
    keys = _NAME_KEYS
    unknown = [
        pk
        for pk, family, given in rows
        if (entry := keys.get(pk)) is None or entry[0] != family or entry[1] != given
    ]
    if unknown:
        source = participants
        if len(unknown) <= _DECRYPT_ALL_FROM:
            source = participants.filter(pk__in=unknown)
        decrypted = decrypt_rows(
            source.only("pk", "data_key", "family_name", "given_name"),
            ("family_name", "given_name"),
        )
        if decrypted:
            attnames = decrypted[0].loader.attnames
            family_at, given_at = attnames.index("family_name"), attnames.index("given_name")
        for row in decrypted:
            family_text, given_text = row.texts
            family_key, given_key, _pk = name_sort_key(family_text, given_text, row.pk)
            search_text = normalise_for_search(f"{given_text} {family_text}")
            # Plain bytes: the read values carry their plaintext, which must not stay.
            family, given = row.values[family_at], row.values[given_at]
            keys[row.pk] = (
                None if family is None else bytes(family),
                None if given is None else bytes(given),
                (family_key, given_key),
                search_text,
            )
            keys.move_to_end(row.pk)
    ordered = []
    for pk, family, given in rows:
        entry = keys.get(pk)  # .get: another thread may have dropped it meanwhile
        # A row renamed between the two queries (or dropped) is left out of this page.
        if entry is not None and entry[0] == family and entry[1] == given:
            if all(word in entry[3] for word in words):
                ordered.append((*entry[2], pk))
    # Only now: a visible set larger than the limit must not lose its own keys.
    while len(keys) > NAME_KEYS_LIMIT:
        keys.popitem(last=False)
    return ordered


def participant_filter_choices_for(*, user: User) -> dict:
    """Units and supervisors the list can be filtered by (those the user may see), as
    ``(value, label)`` choices."""
    placements = placement_list_for(user=user)
    own = organisations_with_role(user, Role.MANAGER, Role.SUPERVISOR)
    # Every unit of the user's own enterprises, and the units of the placements
    # they follow as a case officer elsewhere: a placement's unit is always of
    # its participant's enterprise, so the other visible placements add none.
    # (Matching all visible placements' units made a manager's database read
    # the enterprise's every placement for the unit list.) ``pk IN`` rather
    # than EXISTS per unit, for the same reason as the supervisors below.
    followed = placement_followed_list_for(user=user)
    units = (
        Unit.objects.filter(
            Q(organisation_id__in=own) | Q(pk__in=followed.order_by().values("unit_id"))
        )
        .order_by("organisation__name", "name")
        .values_list("pk", "name", "organisation__name")  # what the choices show
    )
    # Driven from the open assignments of the visible placements (``pk IN``), not
    # a correlated EXISTS per user: that probed every visible placement for every
    # user (0.5 s for a manager at 10,000 participants on SQLite, see
    # docs/performance.md); this reads each visible placement's assignments once.
    supervisors = (
        User.objects.filter(
            pk__in=PlacementSupervisor.objects.filter(
                ended_on__isnull=True, placement__in=placements.values("pk")
            ).values("supervisor_id")
        )
        .order_by("last_name", "first_name", "username")
        .values_list("pk", "first_name", "last_name", "username")  # what the choices show
    )
    # (value, label) pairs from plain rows: model instances for every unit of
    # the enterprise cost more than the rest of the choices (docs/performance.md).
    return {
        "units": [(str(pk), f"{name} ({organisation})") for pk, name, organisation in units],
        "supervisors": [
            # User.get_full_name(), or the user name.
            (str(pk), f"{first} {last}".strip() or username)
            for pk, first, last, username in supervisors
        ],
    }
