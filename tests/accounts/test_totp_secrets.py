"""TOTP secrets are stored encrypted; django-otp's key column holds a decoy."""

import importlib
from base64 import b32encode
from binascii import unhexlify
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp
from accounts.models import TOTPSecret
from accounts.services import second_factor_verify, totp_device_create
from encryption import keycache
from encryption.exceptions import DecryptionError
from encryption.fields import Sealed
from encryption.keyring import new_key_entry
from encryption.models import DataKey

pytestmark = pytest.mark.django_db

secrets_migration = importlib.import_module("accounts.migrations.0003_totp_secrets")
SECRET = bytes(range(1, 21))


def code_for(secret: bytes) -> str:
    return f"{TOTP(secret).token():06d}"


def stored_secret_column(device) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name('key')} FROM accounts_totpsecret "  # noqa: S608
            "WHERE device_id = %s",
            [device.pk],
        )
        return bytes(cursor.fetchone()[0])


def test_django_otp_reads_the_encrypted_secret():
    assert otp.installed()


def test_the_secret_is_not_in_django_otps_column(manager):
    device, secret_base32 = totp_device_create(
        user=manager, confirmed=True, secret_base32=b32encode(SECRET).decode()
    )
    assert secret_base32 == b32encode(SECRET).decode().rstrip("=")
    stored = TOTPDevice.objects.get(pk=device.pk)
    assert stored.key != SECRET.hex() and len(stored.key) == 40  # a random decoy
    column = stored_secret_column(device)
    assert SECRET not in column and SECRET.hex().encode() not in column
    assert stored.bin_key == SECRET  # read from the encrypted row
    assert isinstance(TOTPSecret.objects.values_list("key", flat=True).get(), Sealed)


def test_a_code_from_the_secret_verifies_and_one_from_the_decoy_does_not(manager):
    device, _secret = totp_device_create(
        user=manager, confirmed=True, secret_base32=b32encode(SECRET).decode()
    )
    decoy = unhexlify(TOTPDevice.objects.get(pk=device.pk).key)
    assert second_factor_verify(user=manager, code=code_for(decoy)) is None
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the next refusal must not be throttling
    device.save()
    assert second_factor_verify(user=manager, code=code_for(SECRET)) == device


def test_a_device_without_an_encrypted_secret_fails_closed(manager):
    # Made outside the service (as the admin or django-otp itself would): its
    # key column is never taken for the secret.
    device = TOTPDevice.objects.create(user=manager, name="elsewhere", key=SECRET.hex())
    with pytest.raises(otp.TOTPSecretMissing):
        device.verify_token(code_for(SECRET))
    with pytest.raises(otp.TOTPSecretMissing):
        _ = TOTPDevice.objects.get(pk=device.pk).config_url


def test_the_secret_does_not_read_under_another_key(manager, settings):
    device, _secret = totp_device_create(user=manager, confirmed=True)
    settings.FIELD_ENCRYPTION_KEYS = new_key_entry("test-1")  # same id, another key
    keycache.forget()
    with pytest.raises(DecryptionError):
        _ = TOTPDevice.objects.get(pk=device.pk).bin_key


def test_replacing_a_device_deletes_its_secret_and_data_key(manager):
    first, _secret = totp_device_create(user=manager, confirmed=True)
    first_key = TOTPSecret.objects.get(device=first).data_key_id
    second, _secret = totp_device_create(user=manager, confirmed=True, replace=True)

    assert list(TOTPSecret.objects.values_list("device_id", flat=True)) == [second.pk]
    assert not DataKey.objects.filter(pk=first_key).exists()


def test_the_migration_moves_plain_secrets_into_encrypted_rows(manager, supervisor):
    # As saved before the migration: the secret in django-otp's column.
    legacy = TOTPDevice.objects.create(user=manager, name="app", key=SECRET.hex(), confirmed=True)
    current, _secret = totp_device_create(user=supervisor, confirmed=True)
    current_secret = TOTPSecret.objects.get(device=current).pk

    # The migration reads only the editor's connection (SQLite cannot open a
    # real schema editor inside the test's transaction).
    for _run in range(2):  # a second run changes nothing
        secrets_migration.move_plain_secrets(apps, SimpleNamespace(connection=connection))

    moved = TOTPDevice.objects.get(pk=legacy.pk)
    assert moved.key != SECRET.hex()
    assert SECRET not in stored_secret_column(legacy)
    assert moved.bin_key == SECRET
    assert TOTPSecret.objects.get(device=current).pk == current_secret
    assert TOTPSecret.objects.count() == 2
    assert second_factor_verify(user=manager, code=code_for(SECRET)) == moved
