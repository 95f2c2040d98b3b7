"""Re-authentication before a bulk export, with dummy export views in this module's URLconf."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from axes.models import AccessAttempt
from django.http import HttpResponse
from django.urls import path, reverse
from django.views import View

import config.urls
from accounts.reauth import RecentAuthRequiredMixin, require_recent_auth
from accounts.services import recovery_codes_generate
from config.access import ACCESS_TABLE, Rule
from tests.accounts.signin_helpers import PASSWORD, sign_in, totp_code


@require_recent_auth(max_age_seconds=300)
def dummy_export(request):
    return HttpResponse("exported")


class DummyExportView(RecentAuthRequiredMixin, View):
    reauth_max_age_seconds = 60

    def get(self, request):
        return HttpResponse("exported by class")


urlpatterns = [
    *config.urls.urlpatterns,
    path("test-export/", dummy_export, name="test_export"),
    path("test-export-class/", DummyExportView.as_view(), name="test_export_class"),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def export_rules(monkeypatch):
    monkeypatch.setitem(ACCESS_TABLE, "test_export", Rule(description="test export"))
    monkeypatch.setitem(ACCESS_TABLE, "test_export_class", Rule(description="test export"))


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def redirect_target(response) -> tuple[str, str | None]:
    assert response.status_code == 302, response.status_code
    url = urlsplit(response.url)
    return url.path, parse_qs(url.query).get("next", [None])[0]


def test_export_needs_recent_reauth_then_runs(client, manager, clock):
    device = sign_in(client, manager)

    response = client.get("/test-export/?format=csv")
    assert redirect_target(response) == (reverse("reauth"), "/test-export/?format=csv")

    page = client.get(response.url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]

    response = client.post(
        response.url,
        {"password": PASSWORD, "code": totp_code(device), "next": "/test-export/?format=csv"},
    )
    assert response.status_code == 302
    assert response.url == "/test-export/?format=csv"
    assert client.get(response.url).content == b"exported"

    # Within five minutes the export runs again without asking.
    clock.shift(timedelta(seconds=299))
    assert client.get("/test-export/").status_code == 200

    clock.shift(timedelta(seconds=2))
    assert redirect_target(client.get("/test-export/"))[0] == reverse("reauth")


def test_class_based_export_uses_its_own_window(client, manager, clock):
    device = sign_in(client, manager)
    assert redirect_target(client.get("/test-export-class/"))[0] == reverse("reauth")
    client.post(reverse("reauth"), {"password": PASSWORD, "code": totp_code(device)})
    assert client.get("/test-export-class/").content == b"exported by class"
    clock.shift(timedelta(seconds=61))
    assert redirect_target(client.get("/test-export-class/"))[0] == reverse("reauth")


def test_wrong_password_is_refused_and_counted(client, manager, clock):
    device = sign_in(client, manager)

    response = client.post(
        reverse("reauth"), {"password": "not my password", "code": totp_code(device)}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert AccessAttempt.objects.filter(username="manager").exists()
    assert redirect_target(client.get("/test-export/"))[0] == reverse("reauth")
    # The code was not spent on a failed password.
    response = client.post(reverse("reauth"), {"password": PASSWORD, "code": totp_code(device)})
    assert response.status_code == 302


def test_reused_or_wrong_code_is_refused(client, manager, clock):
    device = sign_in(client, manager)
    code = totp_code(device)
    client.post(reverse("reauth"), {"password": PASSWORD, "code": code})
    client.post(reverse("logout"))

    device = sign_in(client, manager)  # a new app: a new key
    response = client.post(reverse("reauth"), {"password": PASSWORD, "code": "123456x"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert redirect_target(client.get("/test-export/"))[0] == reverse("reauth")


def test_recovery_code_is_accepted_once(client, manager, clock):
    sign_in(client, manager)
    codes = recovery_codes_generate(user=manager)
    response = client.post(reverse("reauth"), {"password": PASSWORD, "code": codes[0]})
    assert response.status_code == 302
    clock.shift(timedelta(minutes=10))
    response = client.post(reverse("reauth"), {"password": PASSWORD, "code": codes[0]})
    assert response.status_code == 200


def test_reauth_page_needs_the_second_factor(client, manager):
    client.force_login(manager)
    response = client.get(reverse("reauth"))
    assert redirect_target(response) == (reverse("signin_verify"), reverse("reauth"))


def test_anonymous_export_goes_to_sign_in(client):
    response = client.get("/test-export/")
    assert redirect_target(response) == (reverse("login"), "/test-export/")


def test_reauth_does_not_survive_a_new_sign_in(client, manager, clock):
    device = sign_in(client, manager)
    client.post(reverse("reauth"), {"password": PASSWORD, "code": totp_code(device)})
    assert client.get("/test-export/").status_code == 200

    client.post(reverse("login"), {"username": "manager", "password": PASSWORD})
    clock.shift(timedelta(seconds=30))
    client.post(reverse("signin_verify"), {"code": totp_code(device)})

    assert redirect_target(client.get("/test-export/"))[0] == reverse("reauth")


def test_new_recovery_codes_need_reauth_and_replace_the_old(client, manager, clock):
    device = sign_in(client, manager)
    old_codes = recovery_codes_generate(user=manager)
    url = reverse("signin_recovery_codes_regenerate")

    assert client.get(url).status_code in {302, 405}
    response = client.post(url)
    # Back to the page with the button afterwards: the POST itself is not replayed.
    assert redirect_target(response) == (reverse("reauth"), reverse("signin_recovery_codes"))
    assert client.get(reverse("signin_recovery_codes")).context["recovery_codes"] is None

    client.post(reverse("reauth"), {"password": PASSWORD, "code": totp_code(device)})
    response = client.post(url)
    assert redirect_target(response)[0] == reverse("signin_recovery_codes")
    new_codes = client.get(response.url).context["recovery_codes"]

    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert client.get(reverse("signin_recovery_codes")).context["recovery_codes"] is None
