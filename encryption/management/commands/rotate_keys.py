"""Rotate encryption keys: rewrap data keys, optionally re-encrypt everything."""

from django.core.management.base import BaseCommand, CommandError

from encryption.exceptions import EncryptionError
from encryption.keyring import get_keyring
from encryption.services import data_keys_rewrap, reencrypt_all, reencryption_pending


class Command(BaseCommand):
    help = (
        "Wrap every data key with the primary key of FIELD_ENCRYPTION_KEYS (fast). "
        "With --reencrypt, also replace every data key made under another key and "
        "rewrite every encrypted value, history tables included. Batched, resumable "
        "after an interruption, safe to run again. Run verify_encryption afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reencrypt",
            action="store_true",
            help="also replace data keys and rewrite every encrypted value",
        )
        parser.add_argument("--batch-size", type=int, default=None, help="rows per batch")

    def handle(self, *args, reencrypt=False, batch_size=None, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        verbosity = options["verbosity"]
        try:
            primary_id = get_keyring().primary_id
            self.stdout.write(f"Primary key: {primary_id}")
            rewrapped = data_keys_rewrap(
                batch_size=batch_size or 2000,
                progress=self._progress("rewrapped", verbosity),
            )
            self.stdout.write(f"Rewrapped {rewrapped} data keys under {primary_id}.")
            if reencrypt:
                pending = reencryption_pending()
                self.stdout.write(f"Re-encrypting {pending} data keys ...")
                result = reencrypt_all(
                    batch_size=batch_size or 200,
                    progress=self._progress("re-encrypted", verbosity),
                )
                self.stdout.write(
                    f"Re-encrypted {result.data_keys} data keys: {result.values} rows rewritten."
                )
        except EncryptionError as error:
            raise CommandError(f"rotation stopped: {error}") from None
        self.stdout.write(self.style.SUCCESS("Done. Now run: python manage.py verify_encryption"))

    def _progress(self, what: str, verbosity: int):
        if verbosity < 2:
            return None
        return lambda done: self.stdout.write(f"  {done} data keys {what}")
