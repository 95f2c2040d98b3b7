"""The package file, encrypted with the participant's data key (``encryption.sealed``).

The associated data binds it to the copy's id, so a file moved to another copy
does not decrypt. Once the data key is destroyed (erasure), ``open_file`` raises
``DataKeyDestroyed``: the file left on disk is unreadable. A full re-encryption
of data keys (``rotate_keys --reencrypt``) also leaves older files unreadable;
they expire within days.
"""

import uuid

from encryption import sealed as sealing
from encryption.models import DataKey


def _binding(copy_id: uuid.UUID) -> bytes:
    return b"subject_copy.package:" + str(copy_id).encode()


def seal_file(*, data_key: DataKey, copy_id: uuid.UUID, content: bytes) -> bytes:
    return sealing.seal(data_key=data_key, binding=_binding(copy_id), content=content)


def open_file(*, copy_id: uuid.UUID, sealed: bytes) -> bytes:
    """The plain package, or raise (destroyed key, wrong copy, damaged file)."""
    return sealing.unseal(binding=_binding(copy_id), sealed=sealed)
