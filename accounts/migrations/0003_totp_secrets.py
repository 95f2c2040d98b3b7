"""TOTP secrets encrypted at rest (accounts.models.TOTPSecret, accounts.otp).

Devices saved before this migration kept their secret in django-otp's
``TOTPDevice.key`` as plain hex. Each is moved into an encrypted row and the
column gets a random decoy, so existing authenticator apps keep working. The
move uses the application's own code (``accounts.otp.totp_secret_move``), which
encrypts with the key ring, so the key ring must be available when devices
exist (a new database has none). Irreversible in effect: going back leaves the
decoys, and users enrol their app again. Because it runs today's models, a later
migration that adds a column to DataKey or TOTPSecret must be made a dependency
of this one (or this data step moved after it).
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models

import encryption.fields


def move_plain_secrets(apps, schema_editor):
    historical = apps.get_model("otp_totp", "TOTPDevice")
    device_ids = list(
        historical.objects.using(schema_editor.connection.alias).values_list("pk", flat=True)
    )
    if not device_ids:
        return
    # The live models: encrypting needs DataKey.new() and the encrypted field's
    # descriptor, which historical models do not carry.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.otp import totp_secret_move

    for device in TOTPDevice.objects.using(schema_editor.connection.alias).filter(
        pk__in=device_ids
    ):
        totp_secret_move(device=device)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_recovery_code_digests"),
        ("encryption", "0002_datakey_origin_kek_id"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.CreateModel(
            name="TOTPSecret",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("key", encryption.fields.EncryptedCharField(max_length=80)),
                (
                    "data_key",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="encryption.datakey",
                    ),
                ),
                (
                    "device",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stegvis_secret",
                        to="otp_totp.totpdevice",
                    ),
                ),
            ],
            options={
                "verbose_name": "TOTP secret",
                "verbose_name_plural": "TOTP secrets",
            },
        ),
        migrations.RunPython(move_plain_secrets, migrations.RunPython.noop, elidable=False),
    ]
