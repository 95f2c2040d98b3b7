"""Template context that needs the access table (apps do not import ``config``)."""

from functools import cached_property

from django.utils.functional import SimpleLazyObject

from config.access import may_open
from desk.navigation import navigation_for
from notifications.selectors import notification_unread_count_for

#: The notification list the header links to, with the unread count.
NOTIFICATIONS = "notifications:list"


class UnreadNotifications:
    """The header's link to the notifications: shown to a signed-in, verified user;
    the count is one query, made only when a page draws it, at most once a request."""

    def __init__(self, user) -> None:
        self.user = user

    @cached_property
    def shown(self) -> bool:
        return bool(getattr(self.user, "is_verified", lambda: False)()) and may_open(
            self.user, NOTIFICATIONS
        )

    @cached_property
    def count(self) -> int:
        return notification_unread_count_for(user=self.user) if self.shown else 0


def navigation(request) -> dict:
    """``navigation``: the main menu and the search box, as the access table admits the user.

    Lazy: an htmx fragment that draws no header pays nothing.
    """
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    user = request.user
    return {
        "navigation": SimpleLazyObject(
            lambda: navigation_for(view_name, may_open=lambda name: may_open(user, name))
        ),
        "navigation_unread": UnreadNotifications(user),
    }
