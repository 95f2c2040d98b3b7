"""Recovery codes stored as keyed digests (accounts.services.recovery_code_digest).

Codes saved before this migration were plain text in django-otp's token column;
each is replaced by its digest, so it keeps working once and a copy of the
database no longer holds it. Irreversible in effect: going back leaves the
digests, and users make new codes.
"""

import re

from django.db import migrations

PLAIN_CODE = re.compile(r"^[a-z2-7]{8}$")


def digest_plain_codes(apps, schema_editor):
    from encryption.blind_index import blind_index

    StaticToken = apps.get_model("otp_static", "StaticToken")
    tokens = StaticToken.objects.using(schema_editor.connection.alias).select_related("device")
    for token in tokens.iterator():
        if PLAIN_CODE.match(token.token):
            token.token = blind_index(
                f"{token.device.user_id}|{token.token}", purpose="recovery-code"
            )[:16]
            token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(digest_plain_codes, migrations.RunPython.noop, elidable=False),
    ]
