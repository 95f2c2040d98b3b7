"""Reading a document's file: its key, its stored object, its plaintext as a stream.

Callers have already found the document through ``documents.selectors`` (which
checks the user's access); nothing here checks permissions.
"""

import base64
from collections.abc import Iterator

from .models import Document
from .storage import document_storage
from .streaming import KEY_SIZE, DocumentDamaged, decrypt_chunks


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


def file_key_of(document: Document) -> bytes:
    """The document's own file key (decrypted with the participant's data key)."""
    try:
        key = base64.urlsafe_b64decode(document.file_key.encode())
    except ValueError:
        key = b""
    if len(key) != KEY_SIZE:
        raise DocumentDamaged(f"document {document.pk} has no valid file key")
    return key


def open_stored(document: Document):
    return document_storage().open(document.object_name, "rb")


def _plaintext(document: Document, key: bytes) -> Iterator[bytes]:
    with open_stored(document) as stored:
        yield from decrypt_chunks(stored, key=key, file_id=document.pk)


def document_content(document: Document) -> Iterator[bytes]:
    """The file's plaintext, chunk by chunk, once the whole object has authenticated.

    The object is read twice: first every chunk is authenticated and counted (and
    thrown away), then it is read again for the caller. So a damaged, truncated or
    swapped object raises DocumentDamaged here, before a response starts, instead
    of a download that stops half-way; memory stays at one chunk either way.
    """
    key = file_key_of(document)
    total = sum(len(chunk) for chunk in _plaintext(document, key))
    if total != document.size:
        raise DocumentDamaged(
            f"document {document.pk}: the stored file has {total} bytes, not {document.size}"
        )
    return _plaintext(document, key)
