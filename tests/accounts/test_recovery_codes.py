"""Recovery codes are stored as keyed digests, never as the codes themselves."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.services import (
    RECOVERY_DEVICE_NAME,
    recovery_code_digest,
    recovery_codes_generate,
    second_factor_verify,
    totp_device_create,
)
from encryption.keyring import b64url_encode
from tests.accounts.signin_helpers import PASSWORD

pytestmark = pytest.mark.django_db

digests_migration = importlib.import_module("accounts.migrations.0002_recovery_code_digests")


def test_no_code_is_stored(manager):
    codes = recovery_codes_generate(user=manager)
    stored = set(StaticToken.objects.values_list("token", flat=True))

    assert len(stored) == 10
    assert not stored & set(codes)
    assert all(len(token) == 16 and code not in token for token in stored for code in codes)
    assert stored == {recovery_code_digest(user_id=manager.pk, code=code) for code in codes}


def test_a_code_works_once_through_its_digest(manager):
    totp_device_create(user=manager, confirmed=True)
    code = recovery_codes_generate(user=manager)[0]

    assert isinstance(second_factor_verify(user=manager, code=code.upper()), StaticDevice)
    assert StaticToken.objects.count() == 9
    device = StaticDevice.objects.get(user=manager)
    device.throttling_failure_count = 0  # the refusal below is the used code, not throttling
    device.save()
    assert second_factor_verify(user=manager, code=code) is None


def test_the_same_code_has_another_digest_for_another_user(manager, supervisor):
    code = "abcdefgh"
    assert recovery_code_digest(user_id=manager.pk, code=code) != recovery_code_digest(
        user_id=supervisor.pk, code=code
    )


def test_a_stored_digest_is_not_itself_a_code(manager):
    """Someone who reads the token column cannot type what they read."""
    recovery_codes_generate(user=manager)
    digest = StaticToken.objects.values_list("token", flat=True).first()

    assert second_factor_verify(user=manager, code=digest) is None
    assert StaticToken.objects.count() == 10


def test_codes_stop_working_under_another_blind_index_key(manager, settings):
    code = recovery_codes_generate(user=manager)[0]
    settings.BLIND_INDEX_KEY = b64url_encode(b"\x07" * 32)

    assert second_factor_verify(user=manager, code=code) is None


def test_the_migration_replaces_plain_codes_with_their_digests(manager):
    device = StaticDevice.objects.create(user=manager, name=RECOVERY_DEVICE_NAME, confirmed=True)
    StaticToken.objects.create(device=device, token="abcdefgh")  # as saved before the migration
    already = recovery_code_digest(user_id=manager.pk, code="ijklmnop")
    StaticToken.objects.create(device=device, token=already)

    # The migration reads only the editor's connection (SQLite cannot open a
    # real schema editor inside the test's transaction).
    digests_migration.digest_plain_codes(apps, SimpleNamespace(connection=connection))

    assert set(StaticToken.objects.values_list("token", flat=True)) == {
        recovery_code_digest(user_id=manager.pk, code="abcdefgh"),
        already,
    }
    assert second_factor_verify(user=manager, code="abcd-efgh") == device
    assert StaticToken.objects.count() == 1


def test_a_signed_in_user_finds_the_page_to_make_new_codes(login, manager):
    client = login(manager)
    home = client.get(reverse("home"))
    page_url = reverse("signin_recovery_codes")

    assert f'href="{page_url}"' in home.content.decode()
    page = client.get(page_url)
    assert page.status_code == 200
    assert reverse("signin_recovery_codes_regenerate") in page.content.decode()


def test_the_link_is_not_shown_before_the_second_factor(client, manager):
    totp_device_create(user=manager, confirmed=True)
    client.post(reverse("login"), {"username": "manager", "password": PASSWORD})
    page = client.get(reverse("signin_verify"))

    assert page.status_code == 200
    assert reverse("signin_recovery_codes") not in page.content.decode()
