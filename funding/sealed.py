"""A funder file on disk, encrypted with the file's own data key (AES-256-GCM).

The layout is that of an encrypted value (``encryption.crypto``): version byte,
data key id, generation, nonce, ciphertext and tag. The associated data binds
it to the file's id and name, so a file moved to another row or renamed does
not decrypt. When the file expires its data key is destroyed, so a copy left on
disk or in a backup is unreadable.
"""

import os
import uuid

from cryptography.exceptions import InvalidTag

from encryption import crypto, keycache
from encryption.exceptions import DecryptionError
from encryption.models import DataKey

BINDING = b"funding.funder_file:"


def _aad(header: bytes, file_id: uuid.UUID, name: str) -> bytes:
    return header + b"|" + BINDING + f"{file_id}/{name}".encode()


def seal(*, data_key: DataKey, file_id: uuid.UUID, name: str, content: bytes) -> bytes:
    header = crypto.HEADER.pack(crypto.VALUE_VERSION, data_key.id.bytes, data_key.generation)
    nonce = os.urandom(crypto.NONCE_SIZE)
    cipher = keycache.cipher(data_key, data_key.generation)
    return header + nonce + cipher.encrypt(nonce, content, _aad(header, file_id, name))


def unseal(*, file_id: uuid.UUID, name: str, sealed: bytes) -> bytes:
    """The plain file, or raise (destroyed key, wrong file, damaged)."""
    data_key_id, generation = crypto.read_header(sealed)
    data_key = DataKey.objects.get(pk=data_key_id)  # fresh: a destroyed key is seen at once
    header = sealed[: crypto.HEADER_SIZE]
    nonce = sealed[crypto.HEADER_SIZE : crypto.HEADER_SIZE + crypto.NONCE_SIZE]
    try:
        return data_key.cipher(generation).decrypt(
            nonce, sealed[crypto.HEADER_SIZE + crypto.NONCE_SIZE :], _aad(header, file_id, name)
        )
    except InvalidTag:
        raise DecryptionError(f"funder file {file_id}/{name} does not authenticate") from None
