"""Permanent redirects from the addresses of the earlier URL scheme.

GET and HEAD answer 301; other methods 308, so a form posted to an old address
is posted again, with its body, to the new one. The query string is kept.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse

from accounts.models import User
from casework.selectors import goal_get_for
from casework.selectors_followup import follow_up_get_for


def _signed_in(request: HttpRequest) -> User:
    """The user; the access table lets only signed-in users reach these views."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _permanent(request: HttpRequest, url: str) -> HttpResponse:
    query = request.META.get("QUERY_STRING", "")
    if query:
        url = f"{url}?{query}"
    return HttpResponsePermanentRedirect(
        url, preserve_request=request.method not in ("GET", "HEAD")
    )


def moved(pattern_name: str) -> Callable[..., HttpResponse]:
    """A view that redirects to ``pattern_name`` with the same URL arguments."""

    def redirect_to_new_address(request: HttpRequest, **kwargs) -> HttpResponse:
        return _permanent(request, reverse(pattern_name, kwargs=kwargs))

    redirect_to_new_address.moved_to = pattern_name  # type: ignore[attr-defined]
    return redirect_to_new_address


def goal_status_moved(request: HttpRequest, goal_id) -> HttpResponse:
    """The old goal address had no participant: found through the permission-scoped
    selector (404 for a goal the user may not see, as at the new address)."""
    goal = goal_get_for(user=_signed_in(request), goal_id=goal_id)
    url = reverse(
        "participants:goal_status",
        kwargs={"participant_id": goal.placement.participant_id, "goal_id": goal.pk},
    )
    return _permanent(request, url)


goal_status_moved.moved_to = "participants:goal_status"  # type: ignore[attr-defined]


def follow_up_moved(request: HttpRequest, follow_up_id) -> HttpResponse:
    """As for goals: the participant comes from the permission-scoped selector."""
    follow_up = follow_up_get_for(user=_signed_in(request), follow_up_id=follow_up_id)
    url = reverse(
        "participants:follow_up_record",
        kwargs={"participant_id": follow_up.participant_id, "follow_up_id": follow_up.pk},
    )
    return _permanent(request, url)


follow_up_moved.moved_to = "participants:follow_up_record"  # type: ignore[attr-defined]
