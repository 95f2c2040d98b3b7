"""Blind index: a keyed HMAC-SHA256 of a normalised value, for exact lookups
of an encrypted value without decrypting anything."""

import hashlib
import hmac

from .keyring import get_keyring


def blind_index(normalised: str, *, purpose: str) -> str:
    """Hex HMAC-SHA256 of ``purpose|normalised`` under the blind-index key."""
    message = f"{purpose}|{normalised}".encode()
    return hmac.new(get_keyring().blind_index_key, message, hashlib.sha256).hexdigest()
