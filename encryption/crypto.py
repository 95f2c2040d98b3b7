"""AES-256-GCM primitives for data keys and field values.

Field value layout (bytes)::

    version (1) | data key id (16) | data key generation (4) | nonce (12) | ciphertext+tag

The header is authenticated as part of the associated data, together with the
model, field and row id the value belongs to (the *binding*), so a value copied
to another row, column or participant fails to decrypt. A binding is
``b"app_label.model.field:"`` followed by the row id's 16 bytes; the associated
data is::

    version 2: header | "|" | app_label.model.field: | row id (16 bytes)
    version 1: header | "|" | app_label.model.field: | row id as text (36 characters)

Values are written as version 2 (one C call for the row id instead of
formatting its text, on every value read). Version 1 values, written before,
still read; rewriting one (an edit, ``rotate_keys --reencrypt``) makes it
version 2.
"""

import os
import struct
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .exceptions import DecryptionError

VALUE_VERSION = 2
#: Every value version that reads (see value_aad).
VALUE_VERSIONS = frozenset({1, 2})
ROW_ID_SIZE = 16
WRAP_VERSION = 1
NONCE_SIZE = 12
HEADER = struct.Struct(">B16sI")
HEADER_SIZE = HEADER.size  # 21
MIN_VALUE_SIZE = HEADER_SIZE + NONCE_SIZE + 16
_CIPHERTEXT_START = HEADER_SIZE + NONCE_SIZE


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _wrap_aad(data_key_id: uuid.UUID, generation: int, kek_id: str) -> bytes:
    return b"stegvis:dek:v1|" + data_key_id.bytes + struct.pack(">I", generation) + kek_id.encode()


def wrap(*, kek: bytes, kek_id: str, dek: bytes, data_key_id: uuid.UUID, generation: int) -> bytes:
    return wrap_with(
        AESGCM(kek), kek_id=kek_id, dek=dek, data_key_id=data_key_id, generation=generation
    )


def wrap_with(
    kek_cipher: AESGCM, *, kek_id: str, dek: bytes, data_key_id: uuid.UUID, generation: int
) -> bytes:
    """Wrap a DEK with a ready KEK cipher (rotation wraps thousands with one KEK)."""
    nonce = os.urandom(NONCE_SIZE)
    sealed = kek_cipher.encrypt(nonce, dek, _wrap_aad(data_key_id, generation, kek_id))
    return bytes([WRAP_VERSION]) + nonce + sealed


def unwrap(
    *, kek: bytes, kek_id: str, wrapped: bytes, data_key_id: uuid.UUID, generation: int
) -> bytes:
    return unwrap_with(
        AESGCM(kek), kek_id=kek_id, wrapped=wrapped, data_key_id=data_key_id, generation=generation
    )


def unwrap_with(
    kek_cipher: AESGCM, *, kek_id: str, wrapped: bytes, data_key_id: uuid.UUID, generation: int
) -> bytes:
    if not wrapped or wrapped[0] != WRAP_VERSION:
        raise DecryptionError(f"data key {data_key_id}: unknown wrap format")
    nonce, sealed = wrapped[1 : 1 + NONCE_SIZE], wrapped[1 + NONCE_SIZE :]
    try:
        return kek_cipher.decrypt(nonce, sealed, _wrap_aad(data_key_id, generation, kek_id))
    except InvalidTag:
        raise DecryptionError(
            f"data key {data_key_id} does not unwrap with key {kek_id!r} (wrong key or damaged)"
        ) from None


def value_aad(header: bytes, binding: bytes) -> bytes:
    """The associated data of a value with this header, for this binding."""
    if header[0] == 1:
        return (
            header
            + b"|"
            + binding[:-ROW_ID_SIZE]
            + str(uuid.UUID(bytes=binding[-ROW_ID_SIZE:])).encode()
        )
    return header + b"|" + binding


def describe(binding: bytes) -> str:
    """A binding as text, for messages: ``app_label.model.field:row-id``."""
    prefix, row_id = binding[:-ROW_ID_SIZE], binding[-ROW_ID_SIZE:]
    return prefix.decode(errors="replace") + str(uuid.UUID(bytes=row_id))


def encrypt_value(
    *, cipher: AESGCM, data_key_id: uuid.UUID, generation: int, plaintext: str, binding: bytes
) -> bytes:
    header = HEADER.pack(VALUE_VERSION, data_key_id.bytes, generation)
    nonce = os.urandom(NONCE_SIZE)
    return header + nonce + cipher.encrypt(nonce, plaintext.encode(), value_aad(header, binding))


def read_header(value: bytes) -> tuple[uuid.UUID, int]:
    """Return (data key id, generation) of a stored value, or raise."""
    key_bytes, generation = read_header_bytes(value)
    return uuid.UUID(bytes=key_bytes), generation


def read_header_bytes(value: bytes) -> tuple[bytes, int]:
    """Return (data key id as 16 bytes, generation) of a stored value, or raise."""
    if len(value) < MIN_VALUE_SIZE:
        raise DecryptionError("encrypted value is truncated")
    version, key_bytes, generation = HEADER.unpack_from(value)
    if version not in VALUE_VERSIONS:
        raise DecryptionError(f"unknown encrypted value version {version}")
    return key_bytes, generation


def decrypt_value(cipher: AESGCM, value: bytes, binding: bytes) -> str:
    """The plaintext of a value whose header read_header_bytes() has checked."""
    try:
        plaintext = cipher.decrypt(
            value[HEADER_SIZE:_CIPHERTEXT_START],
            value[_CIPHERTEXT_START:],
            value_aad(value[:HEADER_SIZE], binding),
        )
    except InvalidTag:
        raise DecryptionError(
            f"value for {describe(binding)} does not authenticate (wrong key, wrong row or damaged)"
        ) from None
    return plaintext.decode()
