"""Sign-in lockout (django-axes): what a success forgets, and when a lockout ends.

Failures are counted per user name *and* address, and per address
(``AXES_LOCKOUT_PARAMETERS``): a user locked out by someone else's guesses
elsewhere still signs in from their own address, and one address guessing
many user names is locked.
"""

from datetime import datetime, timedelta

from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.shortcuts import render
from django.utils import timezone


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, with a success that forgets only its own failures."""

    def reset_user_attempts(self, request, credentials=None) -> int:
        """Forget the failures of this user name from this address, nothing else.

        axes' own reset deletes every row that matches any lockout parameter,
        so with the per-address limit a success would also wipe the failures
        other user names collected from the same address: anyone with an
        account could then guess a colleague's password without end by
        signing in to their own account every fourth guess.
        """
        deleted, _by_model = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return deleted

    def locked_until(self, request, credentials=None) -> datetime:
        """When the failures counted against this request fall under the limit again.

        Each counted group (user name and address; address) is locked while
        the failures of its rows seen in the last cool-off period reach the
        limit; a row leaves the count one cool-off period after its last
        failure, oldest first.
        """
        limit = get_failure_limit(request, credentials)
        cool_off = get_cool_off(request) or timedelta(0)
        until = timezone.now()
        for attempts in self.get_user_attempts(request, credentials):
            rows = sorted(attempts.values_list("attempt_time", "failures_since_start"))
            counted = sum(failures for _when, failures in rows)
            for attempt_time, failures in rows:
                if counted < limit:
                    break
                counted -= failures
                until = max(until, attempt_time + cool_off)
        return until


def lockout_response(request, original_response=None, credentials=None):
    """The locked-out page (429), saying when to try again (``AXES_LOCKOUT_CALLABLE``)."""
    context = {"retry_at": LockoutHandler().locked_until(request, credentials)}
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
