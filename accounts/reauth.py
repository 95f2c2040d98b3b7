"""Re-authentication (password and second factor again) before sensitive actions.

Use ``require_recent_auth()`` on a function view or ``RecentAuthRequiredMixin``
on a class-based view, e.g. every bulk export. Without a confirmation in the
last ``max_age_seconds`` the user is sent to the ``reauth`` page and then back.
A POST is not replayed after the detour: the user lands on the page by GET
and submits again.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.utils import timezone

#: Session key: when the user last confirmed password and code (epoch seconds).
REAUTH_AT = "stegvis_reauth_at"
DEFAULT_MAX_AGE_SECONDS = 300


def reauth_record(request) -> None:
    request.session[REAUTH_AT] = timezone.now().timestamp()


def has_recent_auth(request, *, max_age_seconds: int = DEFAULT_MAX_AGE_SECONDS) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return False
    confirmed_at = request.session.get(REAUTH_AT)
    if confirmed_at is None:
        return False
    age = timezone.now().timestamp() - confirmed_at
    return 0 <= age <= max_age_seconds


def _redirect_to_reauth(request, next_url: str | None = None):
    return redirect_to_login(next_url or request.get_full_path(), login_url="reauth")


def require_recent_auth(
    max_age_seconds: int = DEFAULT_MAX_AGE_SECONDS,
    *,
    next_url: Callable[[HttpRequest], str] | None = None,
):
    """Decorator: the view runs only after a re-authentication in the window.

    ``next_url(request)`` names where to return afterwards when that is not
    the view itself, e.g. the page a file download is started from (a
    download after the detour would leave the browser on the form).
    """

    def decorator(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            if not has_recent_auth(request, max_age_seconds=max_age_seconds):
                return _redirect_to_reauth(request, next_url(request) if next_url else None)
            return view_func(request, *args, **kwargs)

        return wrapped

    return decorator


class RecentAuthRequiredMixin:
    """Class-based views: like ``require_recent_auth``; put it first in the bases."""

    reauth_max_age_seconds = DEFAULT_MAX_AGE_SECONDS

    def get_reauth_next_url(self) -> str:
        """Where to return after re-authenticating (a POST-only view names its form page)."""
        return self.request.get_full_path()

    def dispatch(self, request, *args, **kwargs):
        if not has_recent_auth(request, max_age_seconds=self.reauth_max_age_seconds):
            return _redirect_to_reauth(request, self.get_reauth_next_url())
        return super().dispatch(request, *args, **kwargs)
