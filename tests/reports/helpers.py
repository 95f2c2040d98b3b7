"""Sign-in for report view tests (the second factor is required by the access table)."""

from tests.accounts.signin_helpers import sign_in


def signed_in(client, user, *, reauthenticated: bool = False):
    sign_in(client, user)
    if reauthenticated:
        from django.utils import timezone

        from accounts.reauth import REAUTH_AT

        session = client.session
        session[REAUTH_AT] = timezone.now().timestamp()
        session.save()
    return client
