"""The key ring: key-encryption keys (KEKs) and the blind-index key.

FIELD_ENCRYPTION_KEYS is ``id:base64url(32 bytes)[,id:...]``; the first is the
primary (used to wrap), the others only unwrap. BLIND_INDEX_KEY is
``base64url(32 bytes)``. In development, when neither is set, both are
generated once into a git-ignored JSON file so ``make run`` needs no set-up.
"""

import base64
import binascii
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from .exceptions import KeyRingError

KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
#: The key id of the development key ring written to var/keys/development-keys.json.
DEVELOPMENT_KEY_ID = "dev-1"
#: Ids that name development or test keys ("dev-1" here, "test-1" in
#: config/settings_test.py); production refuses them.
NON_PRODUCTION_KEY_ID = re.compile(r"^(dev|development|test|testing)([-_.].*|\d*)$", re.IGNORECASE)
#: A key of 32 random bytes has about 30 different byte values; fewer than
#: this many is not random (the chance is below 10^-16).
MIN_DISTINCT_KEY_BYTES = 16


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, *, what: str = "a key") -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise KeyRingError(f"{what} is not valid base64url") from error


def shortest_period(values) -> int:
    """The length of the shortest unit that ``values`` repeats (its own length if none)."""
    for period in range(1, len(values)):
        if all(values[index] == values[index - period] for index in range(period, len(values))):
            return period
    return len(values)


def key_weakness(raw: bytes) -> str | None:
    """Why ``raw`` cannot be a random key, or None if nothing obvious is wrong.

    Catches what people type or copy instead of generating a key: one byte
    repeated, a short pattern repeated, a counting sequence, few byte values.
    """
    distinct = len(set(raw))
    if distinct == 1:
        return "all its bytes are equal"
    period = shortest_period(raw)
    if period <= len(raw) // 2:
        return f"it repeats a {period}-byte pattern"
    steps = bytes((later - earlier) % 256 for earlier, later in zip(raw, raw[1:], strict=False))
    if shortest_period(steps) <= len(steps) // 2:
        return "its bytes follow a simple sequence"
    if distinct < MIN_DISTINCT_KEY_BYTES:
        return f"it has only {distinct} different byte values"
    return None


def new_key_entry(key_id: str | None = None) -> str:
    """Return a fresh ``key-id:base64url`` entry for FIELD_ENCRYPTION_KEYS."""
    key_id = key_id or f"k{secrets.token_hex(4)}"
    if not KEY_ID_PATTERN.match(key_id):
        raise KeyRingError(f"key id {key_id!r} must be 1-32 letters, digits, '.', '_' or '-'")
    return f"{key_id}:{b64url_encode(secrets.token_bytes(32))}"


@dataclass(frozen=True)
class KeyRing:
    keks: dict[str, bytes]
    primary_id: str
    blind_index_key: bytes
    #: KEK id -> its AES-GCM cipher, made once per key ring; it holds what
    #: ``keks`` already holds for as long.
    _kek_ciphers: dict[str, AESGCM] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def primary(self) -> bytes:
        return self.keks[self.primary_id]

    def kek(self, key_id: str) -> bytes:
        try:
            return self.keks[key_id]
        except KeyError:
            raise KeyRingError(
                f"key {key_id!r} is not in FIELD_ENCRYPTION_KEYS; it is needed to unwrap a data key"
            ) from None

    def kek_cipher(self, key_id: str) -> AESGCM:
        """The AES-GCM cipher of a KEK (unwrapping runs once per data key read)."""
        cipher = self._kek_ciphers.get(key_id)
        if cipher is None:
            cipher = self._kek_ciphers[key_id] = AESGCM(self.kek(key_id))
        return cipher


def parse_keys(field_keys: str, blind_index_key: str) -> KeyRing:
    entries = [entry.strip() for entry in field_keys.split(",") if entry.strip()]
    if not entries:
        raise KeyRingError("FIELD_ENCRYPTION_KEYS is empty")
    keks: dict[str, bytes] = {}
    for entry in entries:
        key_id, sep, encoded = entry.partition(":")
        if not sep or not KEY_ID_PATTERN.match(key_id):
            raise KeyRingError("each FIELD_ENCRYPTION_KEYS entry must be 'key-id:base64url'")
        if key_id in keks:
            raise KeyRingError(f"key id {key_id!r} appears twice in FIELD_ENCRYPTION_KEYS")
        raw = b64url_decode(encoded, what=f"FIELD_ENCRYPTION_KEYS key {key_id!r}")
        if len(raw) != 32:
            raise KeyRingError(
                f"FIELD_ENCRYPTION_KEYS key {key_id!r} must be 32 bytes, not {len(raw)}"
            )
        keks[key_id] = raw
    if not blind_index_key:
        raise KeyRingError("BLIND_INDEX_KEY is empty")
    index_key = b64url_decode(blind_index_key, what="BLIND_INDEX_KEY")
    if len(index_key) != 32:
        raise KeyRingError(f"BLIND_INDEX_KEY must be 32 bytes, not {len(index_key)}")
    if index_key in keks.values():
        raise KeyRingError("BLIND_INDEX_KEY must differ from every field encryption key")
    return KeyRing(keks=keks, primary_id=next(iter(keks)), blind_index_key=index_key)


def _development_keys(path: Path) -> tuple[str, str]:
    if not path.exists():
        # Only the owner reads the keys: the folder is 0700, the file 0600.
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        content = {
            "FIELD_ENCRYPTION_KEYS": new_key_entry(DEVELOPMENT_KEY_ID),
            "BLIND_INDEX_KEY": b64url_encode(secrets.token_bytes(32)),
        }
        # O_EXCL: two processes starting at once cannot both write a key file.
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                json.dump(content, handle, indent=2)
    content = json.loads(path.read_text())
    return content["FIELD_ENCRYPTION_KEYS"], content["BLIND_INDEX_KEY"]


@lru_cache(maxsize=1)
def _cached_keyring(field_keys: str, blind_index_key: str) -> KeyRing:
    return parse_keys(field_keys, blind_index_key)


def get_keyring() -> KeyRing:
    """The key ring in force; environment first, then the development key file."""
    field_keys = settings.FIELD_ENCRYPTION_KEYS
    index_key = settings.BLIND_INDEX_KEY
    if not field_keys or not index_key:
        dev_file = getattr(settings, "ENCRYPTION_DEV_KEY_FILE", None)
        if not dev_file:
            raise KeyRingError("FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must be set")
        dev_fields, dev_index = _development_keys(Path(dev_file))
        field_keys = field_keys or dev_fields
        index_key = index_key or dev_index
    return _cached_keyring(field_keys, index_key)
