"""Chunked AES-256-GCM for a document's file: encrypt and decrypt as a stream.

Stored object layout::

    header: MAGIC (6) | version (1) | plaintext chunk size (4, big-endian)
    then one record per chunk: nonce (12) | ciphertext + tag (chunk + 16)

Every chunk but the last holds exactly ``chunk size`` bytes of plaintext; the
last holds fewer (possibly none), so a file whose length is a multiple of the
chunk size ends with an empty final chunk. Each chunk's associated data is the
header, the document's id, the chunk's index and a final-chunk flag: a chunk
moved to another position or another file, a dropped final chunk (truncation)
or bytes after it all fail to authenticate. Each file has its own random key
(``Document.file_key``, kept encrypted with the participant's data key), so the
objects of two documents swapped in storage do not decrypt either.

Memory stays flat: one chunk of plaintext and one of ciphertext at a time.
"""

import io
import os
import struct
import uuid
from collections.abc import Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"STGDOC"
VERSION = 1
HEADER = struct.Struct(">6sBI")
CHUNK_SIZE = 64 * 1024
NONCE_SIZE = 12
TAG_SIZE = 16
KEY_SIZE = 32


class DocumentDamaged(Exception):
    """The stored object does not authenticate: damaged, truncated, reordered or swapped."""


def new_file_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_SIZE * 8)


def _header(chunk_size: int) -> bytes:
    return HEADER.pack(MAGIC, VERSION, chunk_size)


def _aad(header: bytes, file_id: uuid.UUID, index: int, final: bool) -> bytes:
    return header + file_id.bytes + struct.pack(">QB", index, 1 if final else 0)


def record_size(chunk_size: int) -> int:
    return NONCE_SIZE + chunk_size + TAG_SIZE


def encrypted_size(plaintext_size: int, chunk_size: int | None = None) -> int:
    """The stored object's size for a file of ``plaintext_size`` bytes."""
    chunk_size = chunk_size or CHUNK_SIZE
    full = plaintext_size // chunk_size
    return (
        HEADER.size
        + full * record_size(chunk_size)
        + NONCE_SIZE
        + plaintext_size % chunk_size
        + TAG_SIZE
    )


def encrypt_chunks(
    source, *, key: bytes, file_id: uuid.UUID, chunk_size: int | None = None
) -> Iterator[bytes]:
    """The stored object of ``source`` (a binary file read to its end), piece by piece."""
    chunk_size = chunk_size or CHUNK_SIZE
    cipher = AESGCM(key)
    header = _header(chunk_size)
    yield header
    index = 0
    pending = _read_exactly(source, chunk_size)
    while True:
        following = _read_exactly(source, chunk_size) if len(pending) == chunk_size else b""
        final = len(pending) < chunk_size
        nonce = os.urandom(NONCE_SIZE)
        yield nonce + cipher.encrypt(nonce, pending, _aad(header, file_id, index, final))
        if final:
            return
        index += 1
        pending = following


def _read_exactly(source, size: int) -> bytes:
    """Up to ``size`` bytes; fewer only at the end of the source."""
    parts, wanted = [], size
    while wanted:
        part = source.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def _read_header(stored) -> tuple[bytes, int]:
    header = _read_exactly(stored, HEADER.size)
    if len(header) != HEADER.size:
        raise DocumentDamaged("the stored document is truncated (no header)")
    magic, version, chunk_size = HEADER.unpack(header)
    if magic != MAGIC or version != VERSION or not 0 < chunk_size <= 16 * 1024 * 1024:
        raise DocumentDamaged("the stored object is not an encrypted document of this format")
    return header, chunk_size


def decrypt_chunks(stored, *, key: bytes, file_id: uuid.UUID) -> Iterator[bytes]:
    """The plaintext of a stored object, chunk by chunk; raises DocumentDamaged."""
    cipher = AESGCM(key)
    header, chunk_size = _read_header(stored)
    size = record_size(chunk_size)
    index = 0
    while True:
        record = _read_exactly(stored, size)
        final = len(record) < size
        if len(record) < NONCE_SIZE + TAG_SIZE:
            raise DocumentDamaged(f"the stored document is truncated at chunk {index}")
        try:
            plaintext = cipher.decrypt(
                record[:NONCE_SIZE], record[NONCE_SIZE:], _aad(header, file_id, index, final)
            )
        except InvalidTag:
            raise DocumentDamaged(
                f"chunk {index} does not authenticate (damaged, moved, truncated or from "
                "another document)"
            ) from None
        yield plaintext
        if final:
            if stored.read(1):
                raise DocumentDamaged("bytes after the final chunk")
            return
        index += 1


def verify_sample(stored, *, key: bytes, file_id: uuid.UUID, plaintext_size: int) -> int:
    """Authenticate the first and the final chunk of a stored object (seeking to the
    final one); the number of chunks checked. Raises DocumentDamaged."""
    cipher = AESGCM(key)
    header, chunk_size = _read_header(stored)
    size = record_size(chunk_size)
    last = plaintext_size // chunk_size
    indexes = [0] if last == 0 else [0, last]
    for index in indexes:
        final = index == last
        stored.seek(HEADER.size + index * size)
        record = _read_exactly(stored, size)
        expected = NONCE_SIZE + (plaintext_size % chunk_size if final else chunk_size) + TAG_SIZE
        if len(record) != expected:
            raise DocumentDamaged(f"chunk {index} has the wrong length (truncated or resized)")
        try:
            cipher.decrypt(
                record[:NONCE_SIZE], record[NONCE_SIZE:], _aad(header, file_id, index, final)
            )
        except InvalidTag:
            raise DocumentDamaged(f"chunk {index} does not authenticate") from None
    if stored.read(1):
        raise DocumentDamaged("bytes after the final chunk")
    return len(indexes)


class EncryptingReader(io.RawIOBase):
    """A read-only, non-seekable file whose bytes are the encrypted object of ``source``:
    what the storage API reads to save the document without a plaintext copy."""

    def __init__(
        self, source, *, key: bytes, file_id: uuid.UUID, chunk_size: int | None = None
    ) -> None:
        super().__init__()
        self._pieces = encrypt_chunks(source, key=key, file_id=file_id, chunk_size=chunk_size)
        self._buffer = b""
        self.written = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._pieces)
            except StopIteration:
                return 0
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        self.written += count
        return count
