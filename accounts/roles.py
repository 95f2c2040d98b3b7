"""The roles a user holds now, cached on the user object for the request."""

from .models import Membership, User


def current_memberships(user: User) -> list[Membership]:
    cached = getattr(user, "_current_memberships", None)
    if cached is None:
        cached = list(Membership.objects.current().filter(user=user).select_related("organisation"))
        user._current_memberships = cached
    return cached


def current_roles(user: User) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    return frozenset(membership.role for membership in current_memberships(user))


def organisations_with_role(user: User, *roles: str) -> list:
    return [m.organisation_id for m in current_memberships(user) if m.role in roles]
