"""TOTP secrets encrypted at rest.

django-otp stores a TOTP device's secret in ``TOTPDevice.key`` as plain hex and
reads it through the ``bin_key`` property (code verification, the enrolment QR
code). Here the secret lives in :class:`accounts.models.TOTPSecret`, encrypted
under a data key of its own, and ``TOTPDevice.key`` holds a random decoy that
nothing reads. :func:`install` (called from ``AccountsConfig.ready``) replaces
``bin_key`` with :func:`encrypted_bin_key`, so django-otp's own verification,
drift and replay handling stay exactly as they are.

Fails closed: a device without an encrypted secret, or one that does not
decrypt, raises instead of falling back to ``TOTPDevice.key``.
"""

from binascii import unhexlify

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from encryption import keycache
from encryption.exceptions import EncryptionError
from encryption.models import DataKey

from .models import TOTPSecret

#: Attribute of a loaded device that holds its decrypted secret for the
#: instance's lifetime (a verification reads ``bin_key`` once per token).
DECRYPTED_ATTR = "_stegvis_totp_secret"


class TOTPSecretMissing(EncryptionError):
    """A TOTP device without an encrypted secret (made outside accounts.services)."""


def encrypted_bin_key(device: TOTPDevice) -> bytes:
    """The device's secret as bytes, from its encrypted row; never from ``device.key``."""
    secret = device.__dict__.get(DECRYPTED_ATTR)
    if secret is None:
        row = (
            TOTPSecret.objects.select_related("data_key").filter(device_id=device.pk).first()
            if device.pk is not None
            else None
        )
        if row is None:
            raise TOTPSecretMissing(
                f"TOTP device {device.pk} has no encrypted secret; devices are made by "
                "accounts.services.totp_device_create (docs/keys.md)"
            )
        secret = device.__dict__[DECRYPTED_ATTR] = unhexlify(row.key)
    return secret


def install() -> None:
    """Make django-otp read TOTP secrets from their encrypted rows."""
    TOTPDevice.bin_key = property(encrypted_bin_key, doc=encrypted_bin_key.__doc__)


def installed() -> bool:
    return getattr(TOTPDevice.bin_key, "fget", None) is encrypted_bin_key


@transaction.atomic
def totp_secret_store(*, device: TOTPDevice, secret_hex: str) -> None:
    """Encrypt ``secret_hex`` as the saved device's secret, under a new data key.

    The secret is never written to ``TOTPDevice.key``: the caller saves the
    device with django-otp's random default key, which stays there as a decoy.
    """
    if device.pk is None:
        raise ValueError("save the device before storing its secret")
    data_key = DataKey.new()
    data_key.save()
    keycache.remember(data_key)
    TOTPSecret.objects.create(device=device, data_key=data_key, key=secret_hex)
    device.__dict__[DECRYPTED_ATTR] = unhexlify(secret_hex)


@transaction.atomic
def totp_secret_move(*, device: TOTPDevice) -> None:
    """Move a device's plain secret (as django-otp stored it) into its encrypted row.

    For devices made before secrets were encrypted (migration accounts 0003):
    the key column's value becomes the encrypted secret and the column gets a
    random decoy. A device that already has its encrypted row is left alone.
    """
    if TOTPSecret.objects.filter(device_id=device.pk).exists():
        return
    plain = device.key
    device.key = random_hex(20)
    device.save(update_fields=["key"])
    totp_secret_store(device=device, secret_hex=plain)


def data_key_release(sender, instance, **kwargs) -> None:
    """post_delete of a TOTPSecret: delete its data key (nothing else is encrypted under it)."""
    DataKey.objects.filter(pk=instance.data_key_id).delete()
    keycache.forget(instance.data_key_id)
