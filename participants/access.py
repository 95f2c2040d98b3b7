"""Who may see and do what with a participant's record: the access rules, one name each.

- **Scope**: the organisations where the user currently holds each role
  (:func:`scope_of`; memberships are read once per user instance).
- **Grants**: relationship grants live in guardian's direct tables with an
  ``expires_on``. :func:`grant_exists` (a correlated EXISTS, for one row or an
  annotation) and :func:`granted_ids` (the ids, read first, for lists) ask the
  same question of either grant table: *current* (no expiry or not yet
  expired), *open* (no expiry: the relationship runs) or *in grace* (expiring).
- **Relations**: :func:`relations_of` turns what the database found into the
  relationships the field policy knows (``participants.policy``), which then
  gives the :class:`~participants.policy.Access`.
- **Field hiding**: encrypted fields the user may not read are withheld on the
  instance (:func:`encryption.fields.withhold`); reading one raises.
- **Writes**: services ask :func:`require_write` / :func:`require_relation`
  with the acting user's access, so a view that forgets its own check still
  cannot write (``PermissionDenied``).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.roles import organisations_with_role
from encryption.fields import withhold

from .policy import Access, Relation

#: Grant states, as :func:`grant_exists` and :func:`granted_ids` understand them.
CURRENT = "current"
OPEN = "open"
IN_GRACE = "in_grace"


@dataclass(frozen=True)
class Scope:
    """The organisations where the user holds each role today."""

    managed: list
    supervised_at: list
    agencies: list


def scope_of(user: User) -> Scope:
    return Scope(
        managed=organisations_with_role(user, Role.MANAGER),
        supervised_at=organisations_with_role(user, Role.SUPERVISOR),
        agencies=organisations_with_role(user, Role.CASE_OFFICER),
    )


def _in_state(grants, state: str):
    today = timezone.localdate()
    if state == CURRENT:
        return grants.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    if state == OPEN:
        return grants.filter(expires_on__isnull=True)
    if state == IN_GRACE:
        return grants.filter(expires_on__gte=today)
    raise ValueError(f"unknown grant state {state!r}")


def grant_exists(grant_model, *, user, codename: str, on=None, state: str = CURRENT) -> Exists:
    """The user holds a grant of ``codename`` on the row ``on`` (default: the outer pk)."""
    grants = grant_model.objects.filter(
        user=user,
        permission__codename=codename,
        content_object=OuterRef("pk") if on is None else on,
    )
    return Exists(_in_state(grants, state))


def granted_ids(grant_model, *, user, codename: str, state: str = CURRENT):
    """Ids of the rows the user holds a grant of ``codename`` on (a values() subquery).

    Lists filter with ``pk IN`` this, so the database starts from the user's few
    grants; a correlated EXISTS per row made SQLite probe the grant table for
    every row of the enterprise (docs/performance.md).
    """
    grants = grant_model.objects.filter(user=user, permission__codename=codename)
    return _in_state(grants, state).values("content_object_id")


def grant_holders(grant_model, *, object_ids, codename: str, state: str = CURRENT):
    """(row id, user id) of every grant of ``codename`` on the rows ``object_ids`` (a
    values_list): who holds a relationship to each, for telling them of it."""
    grants = grant_model.objects.filter(
        content_object_id__in=object_ids, permission__codename=codename
    )
    return _in_state(grants, state).values_list("content_object_id", "user_id")


def relations_of(
    scope: Scope,
    *,
    organisation_id,
    supervisor: bool = False,
    former_supervisor: bool = False,
    case_officer: bool = False,
) -> set[str]:
    """The relationships behind the flags found for one participant of ``organisation_id``.

    A supervisor's grant counts only while they supervise at that enterprise; the
    case-officer flag must already include the agency condition.
    """
    relations: set[str] = set()
    if organisation_id in scope.managed:
        relations.add(Relation.MANAGER)
    if organisation_id in scope.supervised_at:
        if supervisor:
            relations.add(Relation.SUPERVISOR)
        elif former_supervisor:
            relations.add(Relation.FORMER_SUPERVISOR)
    if case_officer:
        relations.add(Relation.CASE_OFFICER)
    return relations


def withhold_protected_address(participant) -> None:
    """A participant with protected identity: the address is withheld from every page,
    a manager's included (it is kept as it is, never shown)."""
    if participant.protected_identity:
        withhold(participant, {"address"})


def require_write(access: Access, *sections: str) -> None:
    """The acting user may write at least one of ``sections``; otherwise PermissionDenied."""
    if not any(access.can_write(section) for section in sections):
        raise PermissionDenied(_("You may not make this change."))


def require_relation(access: Access, relation: str) -> None:
    if relation not in access.relations:
        raise PermissionDenied(_("You may not make this change."))
