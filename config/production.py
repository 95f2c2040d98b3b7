"""What production refuses to start with: weak secrets and development keys.

Called by config/settings.py when DJANGO_ENV=production. Each problem names
the variable (and a key's id), never a value, since the message reaches logs.
"""

import json
from pathlib import Path

from encryption.exceptions import KeyRingError
from encryption.keyring import (
    NON_PRODUCTION_KEY_ID,
    b64url_decode,
    key_weakness,
    parse_keys,
    shortest_period,
)

MIN_SECRET_KEY_LENGTH = 50
#: 50 random characters from Django's or secrets' alphabets show 25-45 different
#: ones, 64 hex digits about 16; a typed or patterned value far fewer.
MIN_SECRET_KEY_CHARACTERS = 12
#: Prefixes of values meant for development only (Django's startproject, ours).
DEVELOPMENT_SECRET_PREFIXES = ("django-insecure", "development-only")


def secret_key_weakness(secret: str) -> str | None:
    """Why ``secret`` cannot serve as DJANGO_SECRET_KEY, or None."""
    if len(secret) < MIN_SECRET_KEY_LENGTH:
        return f"it is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    if secret.startswith(DEVELOPMENT_SECRET_PREFIXES):
        return "it is a development value"
    period = shortest_period(secret)
    if period <= len(secret) // 2:
        return f"it repeats a {period}-character pattern"
    distinct = len(set(secret))
    if distinct < MIN_SECRET_KEY_CHARACTERS:
        return f"it has only {distinct} different characters"
    return None


def _development_key_values(development_key_file: Path) -> set[bytes]:
    """The keys of the development key ring file, if this machine has one."""
    if not development_key_file.exists():
        return set()
    try:
        content = json.loads(development_key_file.read_text())
        entries = content["FIELD_ENCRYPTION_KEYS"].split(",")
        values = {b64url_decode(entry.partition(":")[2].strip()) for entry in entries}
        values.add(b64url_decode(content["BLIND_INDEX_KEY"]))
    except (OSError, ValueError, KeyError, AttributeError, KeyRingError) as error:
        # Unreadable, the comparison cannot be made: refuse rather than guess.
        raise KeyRingError(
            f"{development_key_file} cannot be read to make sure no development key is used"
        ) from error
    return values


def key_ring_problems(
    field_keys: str, blind_index_key: str, *, development_key_file: Path
) -> list[str]:
    """Why the key ring cannot be used in production (empty when it can)."""
    try:
        ring = parse_keys(field_keys, blind_index_key)
        development_values = _development_key_values(development_key_file)
    except KeyRingError as error:
        return [str(error)]
    problems = []
    named_keys: list[tuple[str, str | None, bytes]] = [
        (f"FIELD_ENCRYPTION_KEYS key {key_id!r}", key_id, raw) for key_id, raw in ring.keks.items()
    ]
    named_keys.append(("BLIND_INDEX_KEY", None, ring.blind_index_key))
    for name, key_id, raw in named_keys:
        if key_id is not None and NON_PRODUCTION_KEY_ID.match(key_id):
            problems.append(f"{name} has a development or test key id")
        if raw in development_values:
            problems.append(f"{name} is a key of the development key ring ({development_key_file})")
        weakness = key_weakness(raw)
        if weakness:
            problems.append(f"{name} is not a random key: {weakness}")
    return problems
