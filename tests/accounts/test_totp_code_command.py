"""The demo helper that prints a user's current one-time code."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.services import totp_device_create
from tests.accounts.signin_helpers import totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_prints_the_code_the_app_would_show(supervisor):
    device, _secret = totp_device_create(user=supervisor, confirmed=True)
    out = StringIO()
    call_command("totp_code", supervisor.username, stdout=out)
    assert out.getvalue().strip() == totp_code(device)


def test_refuses_without_a_device(supervisor):
    with pytest.raises(CommandError, match="no confirmed authenticator"):
        call_command("totp_code", supervisor.username)


def test_refuses_in_production(supervisor, settings):
    settings.DJANGO_ENV = "production"
    totp_device_create(user=supervisor, confirmed=True)
    with pytest.raises(CommandError, match="development and demos only"):
        call_command("totp_code", supervisor.username)
