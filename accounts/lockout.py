"""Sign-in lockout (django-axes): what a success forgets, and when a lockout ends.

Failures are counted per user name *and* address, and per address
(``AXES_LOCKOUT_PARAMETERS``): a user locked out by someone else's guesses
elsewhere still signs in from their own address, and one address guessing
many user names is locked. django-axes has one failure limit for every group;
this handler gives each group its own: ``AXES_FAILURE_LIMIT`` (5) for a user
name at an address, ``SIGNIN_FAILURES_PER_ADDRESS`` (20) for an address, so a
shared office address is not locked by a few colleagues' typos.
"""

from datetime import datetime, timedelta

from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import (
    get_client_username,
    get_cool_off,
    get_failure_limit,
    get_lockout_parameters,
)
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

    def _groups(self, request, credentials=None) -> list[tuple]:
        """(attempts, limit) for each counted group, in ``AXES_LOCKOUT_PARAMETERS`` order."""
        per_name = get_failure_limit(request, credentials)
        per_address = int(getattr(settings, "SIGNIN_FAILURES_PER_ADDRESS", per_name))
        parameters = get_lockout_parameters(request, credentials)
        return [
            (attempts, per_address if parameter == "ip_address" else per_name)
            for parameter, attempts in zip(
                parameters, self.get_user_attempts(request, credentials), strict=True
            )
        ]

    def get_failures(self, request, credentials=None) -> int:
        """The failures that count against this request, on axes' one scale.

        axes compares this with ``AXES_FAILURE_LIMIT``; each group is compared
        with its own limit here, and a group at its limit answers that limit.
        """
        limit = get_failure_limit(request, credentials)
        worst = 0
        for attempts, group_limit in self._groups(request, credentials):
            failures = sum(attempts.values_list("failures_since_start", flat=True))
            if failures >= group_limit:
                return limit
            worst = max(worst, min(failures, limit - 1))
        return worst

    def locked_until(self, request, credentials=None) -> datetime:
        """When the failures counted against this request fall under the limit again.

        Each counted group (user name and address; address) is locked while
        the failures of its rows seen in the last cool-off period reach the
        limit; a row leaves the count one cool-off period after its last
        failure, oldest first.
        """
        cool_off = get_cool_off(request) or timedelta(0)
        until = timezone.now()
        for attempts, limit in self._groups(request, credentials):
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
