"""Reads about users and their memberships."""

from django.db.models import QuerySet

from .models import Membership, Role, User


def membership_pending_list_for(*, user: User) -> QuerySet[Membership]:
    """Memberships waiting for approval at the organisations the user manages,
    oldest request first, with the member and who asked."""
    managed = Membership.objects.current().filter(user=user, role=Role.MANAGER)
    return (
        Membership.objects.pending()
        .filter(organisation_id__in=managed.values("organisation_id"))
        .select_related("user", "organisation", "requested_by")
        .order_by("active_from", "pk")
    )


def membership_list_for(*, user: User) -> QuerySet[Membership]:
    """The user's current memberships, with their organisations."""
    return (
        Membership.objects.current()
        .filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
