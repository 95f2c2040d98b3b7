"""A whole file encrypted with a data key (AES-256-GCM), bound to what it is.

The layout is that of an encrypted value (``encryption.crypto``): version byte,
data key id, generation, nonce, ciphertext and tag. The associated data is the
header and a caller's *binding* (which record, which file), so a file moved to
another record does not decrypt. The data key is read fresh on opening: once it
is destroyed (erasure, expiry) the file is unreadable, and so is any copy of it.
"""

import os

from cryptography.exceptions import InvalidTag

from encryption import crypto, keycache
from encryption.exceptions import DecryptionError
from encryption.models import DataKey


def _aad(header: bytes, binding: bytes) -> bytes:
    return header + b"|" + binding


def seal(*, data_key: DataKey, binding: bytes, content: bytes) -> bytes:
    generation = data_key.generation
    header = crypto.HEADER.pack(crypto.VALUE_VERSION, data_key.id.bytes, generation)
    nonce = os.urandom(crypto.NONCE_SIZE)
    cipher = keycache.cipher(data_key, generation)
    return header + nonce + cipher.encrypt(nonce, content, _aad(header, binding))


def unseal(*, binding: bytes, sealed: bytes) -> bytes:
    """The plain file, or raise (destroyed key, another binding, damaged file)."""
    data_key_id, generation = crypto.read_header(sealed)
    data_key = DataKey.objects.get(pk=data_key_id)  # fresh: a destroyed key is seen at once
    cipher = data_key.cipher(generation)
    header = sealed[: crypto.HEADER_SIZE]
    nonce = sealed[crypto.HEADER_SIZE : crypto.HEADER_SIZE + crypto.NONCE_SIZE]
    try:
        return cipher.decrypt(
            nonce, sealed[crypto.HEADER_SIZE + crypto.NONCE_SIZE :], _aad(header, binding)
        )
    except InvalidTag:
        raise DecryptionError(f"{binding.decode()} does not authenticate") from None
