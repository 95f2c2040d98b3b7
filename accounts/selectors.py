"""Reads about users and their memberships."""

from django.db.models import QuerySet

from .models import Membership, User


def membership_list_for(*, user: User) -> QuerySet[Membership]:
    """The user's current memberships, with their organisations."""
    return (
        Membership.objects.current()
        .filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
