"""AES-256-GCM primitives for data keys and field values.

Field value layout (bytes)::

    version (1) | data key id (16) | data key generation (4) | nonce (12) | ciphertext+tag

The header is authenticated as part of the associated data, together with the
model, field and row id the value belongs to, so a value copied to another row,
column or participant fails to decrypt.
"""

import os
import struct
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .exceptions import DecryptionError

VALUE_VERSION = 1
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


def value_aad(header: bytes, binding: str) -> bytes:
    return header + b"|" + binding.encode()


def encrypt_value(
    *, cipher: AESGCM, data_key_id: uuid.UUID, generation: int, plaintext: str, binding: str
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
    if version != VALUE_VERSION:
        raise DecryptionError(f"unknown encrypted value version {version}")
    return key_bytes, generation


def decrypt_value(cipher: AESGCM, value: bytes, binding: str) -> str:
    try:
        plaintext = cipher.decrypt(
            value[HEADER_SIZE:_CIPHERTEXT_START],
            value[_CIPHERTEXT_START:],
            value_aad(value[:HEADER_SIZE], binding),
        )
    except InvalidTag:
        raise DecryptionError(
            f"value for {binding} does not authenticate (wrong key, wrong row or damaged)"
        ) from None
    return plaintext.decode()
