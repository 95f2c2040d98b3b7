"""A funder file on disk, encrypted with the file's own data key (``encryption.sealed``).

The associated data binds it to the file's id and name, so a file moved to
another row or renamed does not decrypt. When the file expires its data key is
destroyed, so a copy left on disk or in a backup is unreadable.
"""

import uuid

from encryption import sealed as sealing
from encryption.models import DataKey


def _binding(file_id: uuid.UUID, name: str) -> bytes:
    return b"funding.funder_file:" + f"{file_id}/{name}".encode()


def seal(*, data_key: DataKey, file_id: uuid.UUID, name: str, content: bytes) -> bytes:
    return sealing.seal(data_key=data_key, binding=_binding(file_id, name), content=content)


def unseal(*, file_id: uuid.UUID, name: str, sealed: bytes) -> bytes:
    """The plain file, or raise (destroyed key, wrong file, damaged)."""
    return sealing.unseal(binding=_binding(file_id, name), sealed=sealed)
