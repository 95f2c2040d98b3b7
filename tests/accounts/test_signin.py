"""Sign-in: password with lockout, the second factor, sessions and their end."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services import (
    recovery_codes_generate,
    totp_device_create,
    user_deactivate,
)
from tests.accounts.signin_helpers import PASSWORD, sign_in, sign_in_through_forms, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def redirect_target(response) -> tuple[str, str | None]:
    """(path, next) of a redirect, whatever the quoting of ``next``."""
    assert response.status_code == 302, response.status_code
    url = urlsplit(response.url)
    return url.path, parse_qs(url.query).get("next", [None])[0]


def login(client, username, password=PASSWORD, *, address="127.0.0.1", **headers):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        headers=headers,
        REMOTE_ADDR=address,
    )


# --- Password step and lockout -------------------------------------------------


def test_password_step_leads_to_the_second_factor(client, manager):
    totp_device_create(user=manager, confirmed=True)

    response = login(client, "manager")

    assert response.status_code == 302
    assert response.url == f"{reverse('signin_verify')}?next=%2F"
    assert client.session[SESSION_KEY] == str(manager.pk)
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_next_survives_the_password_step(client, manager):
    totp_device_create(user=manager, confirmed=True)
    response = client.post(
        reverse("login") + "?next=/admin/",
        {"username": "manager", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.url == f"{reverse('signin_verify')}?next=%2Fadmin%2F"


def test_next_to_another_site_is_dropped(client, manager):
    totp_device_create(user=manager, confirmed=True)
    response = client.post(
        reverse("login"),
        {"username": "manager", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == f"{reverse('signin_verify')}?next=%2F"


def test_wrong_password_five_times_locks_even_the_right_password(client, manager):
    for _attempt in range(5):
        response = login(client, "manager", "wrong password!")
    assert response.status_code == 429
    assert b"Sign-in locked" in response.content

    response = login(client, "manager")

    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_four_failures_do_not_lock(client, manager):
    for _attempt in range(4):
        response = login(client, "manager", "wrong password!")
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
    assert login(client, "manager").status_code == 302


def test_forged_x_forwarded_for_neither_dodges_nor_lifts_the_lockout(client, manager):
    for attempt in range(5):
        response = login(
            client, "manager", "wrong password!", x_forwarded_for=f"203.0.113.{attempt}"
        )
    assert response.status_code == 429

    response = login(client, "manager", x_forwarded_for="198.51.100.7")

    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    # The counted address is the socket peer, never the forged header.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_a_user_locked_out_from_one_address_still_signs_in_from_another(client, manager):
    """Guesses from elsewhere cannot lock a user out of their own address."""
    totp_device_create(user=manager, confirmed=True)
    for _attempt in range(5):
        login(client, "manager", "wrong password!", address="203.0.113.9")
    assert login(client, "manager", address="203.0.113.9").status_code == 429

    response = login(client, "manager", address="192.0.2.99")

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(manager.pk)


def test_an_address_that_fails_for_many_user_names_is_locked(client, manager, settings):
    assert settings.SIGNIN_FAILURES_PER_ADDRESS == 20
    for number in range(19):
        response = login(client, f"guess{number}", "wrong password!", address="203.0.113.9")
        assert response.status_code == 200, number  # the form again, not locked
    response = login(client, "guess19", "wrong password!", address="203.0.113.9")
    assert response.status_code == 429

    # Even a real user's right password, from that address.
    response = login(client, "manager", address="203.0.113.9")

    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    # Another address is not affected.
    assert login(client, "manager", address="192.0.2.99").status_code == 302


def test_a_success_forgets_only_its_own_failures_from_the_address(client, manager, supervisor):
    """Signing in to one's own account does not clear the count of guesses at another's."""
    for _attempt in range(4):
        login(client, "manager", "wrong password!")
    assert login(client, "supervisor").status_code == 302
    client.logout()

    assert login(client, "manager", "wrong password!").status_code == 429
    assert login(client, "manager").status_code == 429


def test_the_locked_out_page_says_when_to_try_again(client, manager, clock):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "sv"
    for _attempt in range(5):
        login(client, "manager", "wrong password!")
        clock.shift(timedelta(minutes=1))

    response = login(client, "manager")

    assert response.status_code == 429
    # The last failure was at 09:04 Swedish time (08:04 UTC): locked for an hour after it;
    # attempts while locked do not move that time.
    assert "Inloggningen härifrån är låst till kl. 10:04." in response.content.decode()
    clock.shift(timedelta(minutes=59))
    assert login(client, "manager").status_code == 429
    clock.shift(timedelta(minutes=1))
    assert login(client, "manager").status_code == 302


def test_a_few_colleagues_typos_do_not_lock_a_shared_address(client, manager, supervisor):
    """Five failures by different user names from one address: everyone still signs in."""
    for number in range(5):
        login(client, f"colleague{number}", "wrong password!")
    assert login(client, "manager").status_code == 302


def test_the_per_address_limit_comes_from_the_environment(monkeypatch):
    import importlib

    import config.settings as production

    monkeypatch.setenv("DJANGO_SIGNIN_FAILURES_PER_ADDRESS", "40")
    try:
        assert importlib.reload(production).SIGNIN_FAILURES_PER_ADDRESS == 40
    finally:
        monkeypatch.delenv("DJANGO_SIGNIN_FAILURES_PER_ADDRESS")
        importlib.reload(production)


def test_an_address_lockout_ends_when_its_oldest_failure_ages_out(client, manager, clock, settings):
    settings.SIGNIN_FAILURES_PER_ADDRESS = 5
    for number in range(5):
        login(client, f"guess{number}", "wrong password!")
        clock.shift(timedelta(minutes=10))

    response = login(client, "manager")

    # Failures at 09:00, 09:10 … 09:40: below the limit again when the first one is
    # an hour old.
    assert "locked until 10:00" in response.content.decode()
    clock.shift(timedelta(minutes=10, seconds=1))
    assert login(client, "manager").status_code == 302


def test_axes_settings_key_the_address_on_remote_addr():
    import config.settings as production

    assert production.AXES_IPWARE_PROXY_COUNT is None
    assert production.AXES_IPWARE_META_PRECEDENCE_ORDER == ["REMOTE_ADDR"]
    # Never the user name alone: that would let anyone lock anyone out.
    assert production.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address"]
    assert production.AXES_FAILURE_LIMIT == 5


# --- Second factor -------------------------------------------------------------


def test_without_the_second_factor_no_page_is_reachable(client, manager, admin_user):
    totp_device_create(user=manager, confirmed=True)
    login(client, "manager")

    response = client.get(reverse("home"))
    assert redirect_target(response) == (reverse("signin_verify"), "/")

    client.logout()
    totp_device_create(user=admin_user, confirmed=True)
    login(client, "admin")
    response = client.get("/admin/")
    # A role-restricted page sends to the code step too, before any role check.
    assert redirect_target(response) == (reverse("signin_verify"), "/admin/")


@pytest.mark.parametrize(
    "role_fixture", ["supervisor", "manager", "case_officer", "analyst", "auditor", "admin_user"]
)
def test_every_role_needs_the_second_factor(request, client, role_fixture):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert redirect_target(response) == (reverse("signin_verify"), "/")
    # No app yet: the code step sends them on to enrolment.
    response = client.get(response.url)
    assert redirect_target(response) == (reverse("signin_enrol"), "/")


def test_totp_code_works_once(client, manager, clock):
    device, _secret = totp_device_create(user=manager, confirmed=True)
    login(client, "manager")
    code = totp_code(device)

    response = client.post(reverse("signin_verify") + "?next=/", {"code": code, "next": "/"})

    assert response.status_code == 302
    assert response.url == "/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(reverse("home")).status_code == 200

    # Same code again, same time step, in a new sign-in: refused (replay).
    client.post(reverse("logout"))
    login(client, "manager")
    response = client.post(reverse("signin_verify"), {"code": code})
    assert response.status_code == 200
    assert b"not valid or has already been used" in response.content
    assert client.get(reverse("home")).status_code == 302

    # The next time step's code works (after django-otp's throttle delay).
    clock.shift(timedelta(seconds=30))
    response = client.post(reverse("signin_verify"), {"code": totp_code(device)})
    assert response.status_code == 302


def test_wrong_totp_code_is_refused_and_throttled(client, manager, clock):
    device, _secret = totp_device_create(user=manager, confirmed=True)
    login(client, "manager")
    good = totp_code(device)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"

    assert client.post(reverse("signin_verify"), {"code": wrong}).status_code == 200
    # Throttled: even the right code is refused until the back-off has passed.
    assert client.post(reverse("signin_verify"), {"code": good}).status_code == 200
    clock.shift(timedelta(seconds=2))
    assert client.post(reverse("signin_verify"), {"code": good}).status_code == 302


def test_recovery_code_works_once(client, manager, clock):
    totp_device_create(user=manager, confirmed=True)
    codes = recovery_codes_generate(user=manager)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    login(client, "manager")

    # Typed with a hyphen and capitals: still accepted.
    typed = f"{codes[0][:4].upper()}-{codes[0][4:]}"
    response = client.post(reverse("signin_verify"), {"code": typed})

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert StaticToken.objects.filter(device__user=manager).count() == 9

    client.post(reverse("logout"))
    login(client, "manager")
    response = client.post(reverse("signin_verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302
    clock.shift(timedelta(seconds=2))
    assert client.post(reverse("signin_verify"), {"code": codes[1]}).status_code == 302


def test_another_users_code_is_refused(client, manager, supervisor, clock):
    totp_device_create(user=manager, confirmed=True)
    other_device, _secret = totp_device_create(user=supervisor, confirmed=True)
    login(client, "manager")
    response = client.post(reverse("signin_verify"), {"code": totp_code(other_device)})
    assert response.status_code == 200


# --- Enrolment -----------------------------------------------------------------


def test_first_sign_in_enrols_the_app_and_shows_recovery_codes_once(client, manager, clock):
    response = login(client, "manager")
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("signin_enrol"))

    page = client.get(response.url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert re.search(r'<img src="data:image/svg\+xml;[^"]+" alt="[^"]+"', html)
    # CSP: no inline style, no script without the nonce.
    assert "style=" not in html
    assert re.findall(r"<script(?![^>]*\bnonce=)", html) == []
    device = TOTPDevice.objects.get(user=manager)
    assert not device.confirmed
    secret = "".join(page.context["secret_groups"])
    assert secret in html.replace(" ", "")
    # The secret shown is the device's key: an app fed it produces valid codes.
    assert TOTP(device.bin_key).token() == TOTP(_b32(secret)).token()

    # Reloading shows the same secret; a wrong code is refused.
    assert (
        client.get(reverse("signin_enrol")).context["secret_groups"]
        == page.context["secret_groups"]
    )
    assert client.post(reverse("signin_enrol"), {"code": "000000x"}).status_code == 200

    clock.shift(timedelta(seconds=2))
    response = client.post(reverse("signin_enrol") + "?next=/", {"code": totp_code(device)})
    assert response.status_code == 302
    assert response.url.startswith(reverse("signin_recovery_codes"))
    device.refresh_from_db()
    assert device.confirmed

    codes_page = client.get(response.url)
    codes = codes_page.context["recovery_codes"]
    assert len(codes) == 10
    assert all(code in codes_page.content.decode() for code in codes)
    assert "no-store" in codes_page["Cache-Control"]
    again = client.get(response.url)
    assert again.context["recovery_codes"] is None
    assert codes[0] not in again.content.decode()

    assert client.get(reverse("home")).status_code == 200


def test_enrolment_is_closed_once_an_app_is_confirmed(client, manager):
    device, _secret = totp_device_create(user=manager, confirmed=True)
    login(client, "manager")

    response = client.get(reverse("signin_enrol"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("signin_verify"))
    assert list(TOTPDevice.objects.filter(user=manager)) == [device]


def test_totp_device_create_refuses_a_second_app(manager):
    totp_device_create(user=manager, confirmed=True)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already has an authenticator app"):
        totp_device_create(user=manager, confirmed=True)


def test_demo_enrolment_with_a_known_secret(client, manager, clock):
    """seed_demo: a confirmed device whose secret goes into the credentials file."""
    device, secret = totp_device_create(user=manager, confirmed=True)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    again, same_secret = totp_device_create(
        user=manager, confirmed=True, secret_base32=secret, replace=True
    )
    assert same_secret == secret
    assert TOTPDevice.objects.filter(user=manager).count() == 1
    code = f"{TOTP(_b32(secret)).token():06d}"
    login(client, "manager")
    assert client.post(reverse("signin_verify"), {"code": code}).status_code == 302


def _b32(secret: str) -> bytes:
    from base64 import b32decode

    return b32decode(secret + "=" * (-len(secret) % 8))


# --- Sessions ------------------------------------------------------------------


def test_session_key_changes_at_sign_in_and_at_the_second_factor(client, manager):
    device, _secret = totp_device_create(user=manager, confirmed=True)
    session = client.session
    session["probe"] = True
    session.save()
    anonymous_key = session.session_key

    login(client, "manager")
    password_key = client.session.session_key
    client.post(reverse("signin_verify"), {"code": totp_code(device)})
    verified_key = client.session.session_key

    assert len({anonymous_key, password_key, verified_key}) == 3
    assert not Session.objects.filter(session_key=anonymous_key).exists()
    assert not Session.objects.filter(session_key=password_key).exists()


def test_signing_in_again_starts_a_fresh_session(client, manager):
    """A second password step in a verified session must not inherit the second factor."""
    sign_in(client, manager)
    assert client.get(reverse("home")).status_code == 200

    login(client, "manager")

    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_logout_ends_the_session(client, manager):
    device, _secret = totp_device_create(user=manager, confirmed=True)
    sign_in_through_forms(client, manager, device)
    key = client.session.session_key

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_idle_timeout(client, manager, clock):
    device, _secret = totp_device_create(user=manager, confirmed=True)
    sign_in_through_forms(client, manager, device)

    clock.shift(timedelta(minutes=29))
    assert client.get(reverse("home")).status_code == 200

    clock.shift(timedelta(minutes=31))
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_idle_clock_is_written_back_at_most_once_per_resolution(client, manager, clock):
    from accounts.middleware import LAST_SEEN_AT

    device, _secret = totp_device_create(user=manager, confirmed=True)
    sign_in_through_forms(client, manager, device)
    key = client.session.session_key
    seen = client.session[LAST_SEEN_AT]
    stored = Session.objects.get(session_key=key).expire_date

    clock.shift(timedelta(seconds=30))
    assert client.get(reverse("home")).status_code == 200
    # Within the resolution: the session is not written back (no query, no cookie).
    assert client.session[LAST_SEEN_AT] == seen
    assert Session.objects.get(session_key=key).expire_date == stored

    clock.shift(timedelta(seconds=31))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert client.session[LAST_SEEN_AT] == seen + 61
    assert Session.objects.get(session_key=key).expire_date == stored + timedelta(seconds=61)
    assert client.session.session_key == key


def test_idle_timeout_never_later_than_the_timeout_after_the_last_request(client, manager, clock):
    device, _secret = totp_device_create(user=manager, confirmed=True)
    sign_in_through_forms(client, manager, device)
    clock.shift(timedelta(seconds=59))
    assert client.get(reverse("home")).status_code == 200  # not written back

    # 30 minutes after the last write, 29 min 1 s after the last request: ended
    # (the session ends up to the resolution early, never late).
    clock.shift(timedelta(minutes=29, seconds=2))
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_absolute_lifetime_ends_a_busy_session(client, manager, clock):
    device, _secret = totp_device_create(user=manager, confirmed=True)
    sign_in_through_forms(client, manager, device)

    elapsed = timedelta(0)
    while elapsed + timedelta(minutes=20) <= timedelta(hours=12):
        clock.shift(timedelta(minutes=20))
        elapsed += timedelta(minutes=20)
        assert client.get(reverse("home")).status_code == 200, elapsed

    clock.shift(timedelta(minutes=20))
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert SESSION_KEY not in client.session


def test_deactivation_ends_all_sessions(client, manager, admin_user):
    from django.test import Client

    sign_in(client, manager)
    other_browser = Client()
    sign_in(other_browser, manager)
    bystander = Client()
    sign_in(bystander, admin_user)

    user_deactivate(user=manager, acting_user=admin_user)

    for browser in (client, other_browser):
        response = browser.get(reverse("home"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert bystander.get(reverse("home")).status_code == 200
    manager.refresh_from_db()
    assert not manager.is_active


def test_deactivated_users_surviving_session_is_refused(client, manager):
    """Even if a session survived (deactivated outside the service), it is refused."""
    sign_in(client, manager)
    User.objects.filter(pk=manager.pk).update(is_active=False)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_deactivated_user_cannot_sign_in(client, manager, admin_user):
    user_deactivate(user=manager, acting_user=admin_user)
    response = login(client, "manager")
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


# --- Headers -------------------------------------------------------------------


def test_sensitive_pages_are_not_stored(client, manager):
    totp_device_create(user=manager, confirmed=True)
    login(client, "manager")
    verify_page = client.get(reverse("signin_verify"))
    assert verify_page.status_code == 200
    assert "no-store" in verify_page["Cache-Control"]

    sign_in(client, manager)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "no-store" in home["Cache-Control"]
    assert "private" in home["Cache-Control"]


def test_recovery_code_guessing_is_throttled_like_totp(client, manager, clock):
    """Each wrong recovery code doubles the wait before the next one is even checked."""
    totp_device_create(user=manager, confirmed=True)
    good = recovery_codes_generate(user=manager)[0]
    login(client, "manager")
    verify = reverse("signin_verify")
    for wrong in ("aaaaaaaa", "bbbbbbbb", "cccccccc"):
        clock.shift(timedelta(seconds=60))
        assert client.post(verify, {"code": wrong}).status_code == 200
    device = StaticDevice.objects.get(user=manager)
    assert device.throttling_failure_count == 3
    # Back-off after three failures: 2**2 = 4 seconds; the right code waits too.
    clock.shift(timedelta(seconds=3))
    assert client.post(verify, {"code": good}).status_code == 200
    assert StaticToken.objects.filter(device=device).count() == 10
    clock.shift(timedelta(seconds=5))
    assert client.post(verify, {"code": good}).status_code == 302
