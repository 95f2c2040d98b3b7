"""Bound the session's lifetime."""

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone

#: Session keys (epoch seconds) written by SessionLifetimeMiddleware.
SIGNED_IN_AT = "stegvis_signed_in_at"
LAST_SEEN_AT = "stegvis_last_seen_at"


class SessionLifetimeMiddleware:
    """Sign out after the absolute lifetime (12 h) or the idle timeout (30 min).

    The session store already expires a session left idle for
    ``SESSION_COOKIE_AGE``; the idle check here repeats that in the session
    data so it does not depend on the store. Must run after the
    authentication and OTP middleware and before the access table.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = timezone.now().timestamp()
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            last_seen_at = request.session.get(LAST_SEEN_AT)
            if (
                signed_in_at is not None and now - signed_in_at > settings.SESSION_ABSOLUTE_LIFETIME
            ) or (last_seen_at is not None and now - last_seen_at > settings.SESSION_COOKIE_AGE):
                logout(request)
        response = self.get_response(request)
        # After the view, so that the request that signs in starts the clock.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            session.setdefault(SIGNED_IN_AT, now)
            last_seen_at = session.get(LAST_SEEN_AT)
            # The idle clock is refreshed at most once per SESSION_ACTIVITY_RESOLUTION
            # seconds: writing the session back on every request cost three
            # queries per page (docs/performance.md). A session therefore ends
            # after between SESSION_COOKIE_AGE minus the resolution and
            # SESSION_COOKIE_AGE of idleness: never later than the timeout.
            if last_seen_at is None or now - last_seen_at >= settings.SESSION_ACTIVITY_RESOLUTION:
                session[LAST_SEEN_AT] = now  # marks the session modified: saved, cookie renewed
        return response
