"""What the domain apps tell the audit app about their records.

The audit app imports no domain app above ``accounts``: each domain app registers
here, from its ``AppConfig.ready()``, what the auditor's screens must know.

- The **subject**: the model whose reads are logged (the participant), and how to
  tell in the database whether a user has a current relationship with one.
- **History sources**: every tracked model that belongs to a participant's record,
  and how its rows belong to them (an owner kind and the field holding the owner's
  id).
- **Owners**: how to find, from a participant id, the ids of an owner kind
  (``participant`` is built in; placements register ``placement``, casework
  ``assessment``).

Reading the registry before the apps are ready, or with no subject registered,
raises ``ImproperlyConfigured``: the auditor must never see a partial history.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

#: (user id reference, participant id reference) → a boolean expression: the user has a
#: current relationship with the participant (a grant or a role at their enterprise).
RelationshipExpression = Callable[[Any, Any], Any]
#: participant id → the ids (a list or a values() queryset) of one owner kind.
OwnerIds = Callable[[Any], Any]

PARTICIPANT = "participant"


@dataclass(frozen=True)
class Subject:
    model: type[Any]
    relationship: RelationshipExpression


@dataclass(frozen=True)
class HistorySource:
    model: type[Any]
    #: An owner kind: ``participant`` or one registered with ``register_owner``.
    owner: str
    #: The field of the history rows holding the owner's id.
    lookup: str

    @property
    def label(self) -> str:
        return self.model._meta.label


_subject: list[Subject] = []
_history_sources: list[HistorySource] = []
_owners: dict[str, OwnerIds] = {PARTICIPANT: lambda participant_id: [participant_id]}


def register_subject(*, model: type[Any], relationship: RelationshipExpression) -> None:
    subject = Subject(model=model, relationship=relationship)
    if _subject and _subject[0] != subject:
        raise ImproperlyConfigured(f"audit subject registered twice: {_subject[0]} and {subject}")
    _subject[:] = [subject]


def subject() -> Subject:
    if not _subject:
        raise ImproperlyConfigured("no audit subject is registered (participants app not ready)")
    return _subject[0]


def register_owner(name: str, ids: OwnerIds) -> None:
    if name in _owners and _owners[name] is not ids:
        raise ImproperlyConfigured(f"owner kind {name!r} registered twice")
    _owners[name] = ids


def register_history_source(model: type[Any], *, owner: str, lookup: str) -> None:
    source = HistorySource(model=model, owner=owner, lookup=lookup)
    if source not in _history_sources:
        _history_sources.append(source)


def history_sources() -> tuple[HistorySource, ...]:
    """In registration order (the apps' order in INSTALLED_APPS)."""
    for source in _history_sources:
        if source.owner not in _owners:
            raise ImproperlyConfigured(
                f"{source.label} belongs to owner kind {source.owner!r}, which no app registered"
            )
    return tuple(_history_sources)


def owner_ids(owner: str, participant_id) -> Any:
    return _owners[owner](participant_id)
