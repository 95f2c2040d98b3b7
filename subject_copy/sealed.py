"""The package file, encrypted with the participant's data key (AES-256-GCM).

Same layout as an encrypted value (``encryption.crypto``): version byte, data
key id, generation, nonce, ciphertext and tag; the associated data binds it to
the copy's id, so a file moved to another copy does not decrypt. Once the data
key is destroyed (erasure), ``open_file`` raises ``DataKeyDestroyed``: the file
left on disk is unreadable. A full re-encryption of data keys (``rotate_keys
--reencrypt``) also leaves older files unreadable; they expire within days.
"""

import os
import uuid

from encryption import crypto, keycache
from encryption.exceptions import DecryptionError
from encryption.models import DataKey

BINDING = b"subject_copy.package:"


def _aad(header: bytes, copy_id: uuid.UUID) -> bytes:
    return header + b"|" + BINDING + str(copy_id).encode()


def seal_file(*, data_key: DataKey, copy_id: uuid.UUID, content: bytes) -> bytes:
    generation = data_key.generation
    header = crypto.HEADER.pack(crypto.VALUE_VERSION, data_key.id.bytes, generation)
    nonce = os.urandom(crypto.NONCE_SIZE)
    cipher = keycache.cipher(data_key, generation)
    return header + nonce + cipher.encrypt(nonce, content, _aad(header, copy_id))


def open_file(*, copy_id: uuid.UUID, sealed: bytes) -> bytes:
    """The plain package, or raise (destroyed key, wrong copy, damaged file)."""
    from cryptography.exceptions import InvalidTag

    data_key_id, generation = crypto.read_header(sealed)
    data_key = DataKey.objects.get(pk=data_key_id)  # fresh: a destroyed key is seen at once
    cipher = data_key.cipher(generation)
    header = sealed[: crypto.HEADER_SIZE]
    nonce = sealed[crypto.HEADER_SIZE : crypto.HEADER_SIZE + crypto.NONCE_SIZE]
    try:
        return cipher.decrypt(
            nonce, sealed[crypto.HEADER_SIZE + crypto.NONCE_SIZE :], _aad(header, copy_id)
        )
    except InvalidTag:
        raise DecryptionError(f"subject copy {copy_id} does not authenticate") from None
