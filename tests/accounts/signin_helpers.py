"""Helpers for tests that need a signed-in user who has passed the second factor."""

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services import totp_device_create

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's password


def totp_code(device: TOTPDevice) -> str:
    """The code the user's app shows now (respects a time_machine clock)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, user: User) -> TOTPDevice:
    """Fast path for view tests: a confirmed app, a session, the second factor passed."""
    device, _secret = totp_device_create(user=user, confirmed=True, replace=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def sign_in_through_forms(client: Client, user: User, device: TOTPDevice) -> None:
    """The real flow: password form, then a code from the app."""
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    response = client.post(reverse("signin_verify"), {"code": totp_code(device)})
    assert response.status_code == 302, response.content
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
