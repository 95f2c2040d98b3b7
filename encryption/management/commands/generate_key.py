"""Print a new key for the key ring (see docs/keys.md)."""

import secrets

from django.core.management.base import BaseCommand, CommandError

from encryption.exceptions import KeyRingError
from encryption.keyring import b64url_encode, new_key_entry


class Command(BaseCommand):
    help = (
        "Print a new FIELD_ENCRYPTION_KEYS entry (key-id:base64url of 32 random bytes), "
        "or with --blind-index a new BLIND_INDEX_KEY. Nothing is stored."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--key-id", help="the key id (default: k + 8 random hex digits)")
        parser.add_argument(
            "--blind-index", action="store_true", help="print a BLIND_INDEX_KEY instead"
        )

    def handle(self, *args, key_id=None, blind_index=False, **options):
        if blind_index:
            if key_id:
                raise CommandError("--key-id does not apply to --blind-index")
            self.stdout.write(b64url_encode(secrets.token_bytes(32)))
            return
        try:
            self.stdout.write(new_key_entry(key_id))
        except KeyRingError as error:
            raise CommandError(str(error)) from None
