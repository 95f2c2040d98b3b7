"""Template context that needs the access table (apps do not import ``config``)."""

from django.utils.functional import SimpleLazyObject

from config.access import may_open
from desk.navigation import navigation_for


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
        )
    }
