"""Data keys (DEKs), stored wrapped by a key-encryption key: one per participant,
and one per user's TOTP secret (accounts.models.TOTPSecret).

Data keys live in their own untracked table, never in a history table, so
destroying one (crypto-shredding) leaves no copy of the key material behind.
"""

import uuid
from operator import attrgetter

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import crypto
from .exceptions import DataKeyDestroyed, DecryptionError
from .keyring import get_keyring


class DataKey(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    generation = models.PositiveIntegerField(default=1)
    kek_id = models.CharField(max_length=32, blank=True, db_index=True)
    wrapped = models.BinaryField(null=True)
    # The primary KEK when this generation's DEK was made. A DEK that was ever
    # wrapped by a retired KEK can be recovered from an old backup with that
    # KEK, so ``rotate_keys --reencrypt`` replaces every DEK whose origin is
    # not the current primary (and leaves the others alone: safe to run twice).
    origin_kek_id = models.CharField(max_length=32, blank=True, db_index=True)
    # Set only while a full re-encryption moves values to a new generation.
    previous_generation = models.PositiveIntegerField(null=True, blank=True)
    previous_kek_id = models.CharField(max_length=32, blank=True)
    previous_wrapped = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    #: This instance's unwrapped ciphers by generation (None until one is
    #: unwrapped). A class default, so reading it neither raises nor makes
    #: Python build the instance's ``__dict__`` (keycache.cipher reads it for
    #: every row loaded with select_related).
    _ciphers: dict[int, AESGCM] | None = None

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(destroyed_at__isnull=True, wrapped__isnull=False)
                | models.Q(destroyed_at__isnull=False, wrapped__isnull=True),
                name="datakey_wrapped_unless_destroyed",
            ),
        ]

    def __str__(self) -> str:
        return f"DataKey {self.id} g{self.generation}"

    @classmethod
    def new(cls) -> "DataKey":
        """An unsaved data key holding a fresh DEK wrapped by the primary KEK."""
        keyring = get_keyring()
        data_key = cls(
            id=uuid.uuid4(),
            generation=1,
            kek_id=keyring.primary_id,
            origin_kek_id=keyring.primary_id,
        )
        dek = crypto.new_data_key()
        data_key.wrapped = crypto.wrap(
            kek=keyring.primary,
            kek_id=keyring.primary_id,
            dek=dek,
            data_key_id=data_key.id,
            generation=1,
        )
        data_key._ciphers = {1: AESGCM(dek)}
        return data_key

    def cipher(
        self, generation: int | None = None, *, kek_ciphers: dict[str, AESGCM] | None = None
    ) -> AESGCM:
        """The AES-GCM cipher of this key's generation (the current one by default)."""
        if self.destroyed_at is not None or self.wrapped is None:
            raise DataKeyDestroyed(f"data key {self.id} was destroyed")
        generation = self.generation if generation is None else generation
        ciphers = self._ciphers
        if ciphers is None:
            ciphers = self._ciphers = {}
        if generation not in ciphers:
            ciphers[generation] = AESGCM(self.plain_key(generation, kek_ciphers=kek_ciphers))
        return ciphers[generation]

    def plain_key(self, generation: int, *, kek_ciphers: dict[str, AESGCM] | None = None) -> bytes:
        return unwrap_data_key(self.id, _unwrap_columns(self), generation, kek_ciphers=kek_ciphers)


class EncryptedRecord(models.Model):
    """Base of a model with encrypted fields: a UUID primary key and the row's data key.

    The id is set when the instance is made, before save, because every value
    is bound to its row id; the data key (the participant's, set by the
    service) is the one its values are encrypted under, so destroying the key
    shreds the row. django-simple-history copies ``data_key`` into the history
    model as a plain column, so history rows decrypt with the same key and need
    no custom history base.

    The concrete model declares ``history = HistoricalRecords()`` itself rather
    than inheriting ``HistoricalRecords(inherit=True)`` from here: Participant
    leaves ``updated_at`` out of its history and a TOTP secret keeps none, and
    an inherited history would silently give every subclass (a proxy too) a
    history table. tests/encryption/test_records.py checks that every model
    with encrypted fields derives from this class and has its history.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.ForeignKey(
        DataKey, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        abstract = True


#: The columns of a data key that unwrapping reads, in this order.
UNWRAP_COLUMNS = (
    "generation",
    "kek_id",
    "wrapped",
    "previous_generation",
    "previous_kek_id",
    "previous_wrapped",
    "destroyed_at",
)
#: A data key's UNWRAP_COLUMNS values as a tuple, read in C (once per data key unwrapped).
_unwrap_columns = attrgetter(*UNWRAP_COLUMNS)


def unwrap_data_key(
    data_key_id: uuid.UUID,
    columns: tuple,
    generation: int | None = None,
    *,
    kek_ciphers: dict[str, AESGCM] | None = None,
) -> bytes:
    """The plain DEK of one generation of a data key given as its UNWRAP_COLUMNS values.

    Without a model instance, for code that unwraps thousands of keys read as
    plain columns (encryption.search.decrypt_rows); ``kek_ciphers`` is that
    caller's cache of KEK ciphers by key id.
    """
    current, kek_id, wrapped, previous_generation, previous_kek_id, previous_wrapped, destroyed = (
        columns
    )
    if destroyed is not None or wrapped is None:
        raise DataKeyDestroyed(f"data key {data_key_id} was destroyed")
    generation = current if generation is None else generation
    if generation == current:
        pass
    elif generation == previous_generation and previous_wrapped is not None:
        kek_id, wrapped = previous_kek_id, previous_wrapped
    else:
        raise DecryptionError(f"data key {data_key_id} has no generation {generation}")
    if kek_ciphers is None:
        kek_cipher = get_keyring().kek_cipher(kek_id)
    else:
        kek_cipher = kek_ciphers.get(kek_id)
        if kek_cipher is None:
            kek_cipher = kek_ciphers[kek_id] = AESGCM(get_keyring().kek(kek_id))
    return crypto.unwrap_with(
        kek_cipher,
        kek_id=kek_id,
        wrapped=bytes(wrapped),
        data_key_id=data_key_id,
        generation=generation,
    )
