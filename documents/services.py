"""Writes: upload and delete a document.

An upload is checked (size, type from content, active PDF content), images are
re-encoded, then the file is encrypted as it is read and written to storage
under a random name; only then is the row saved, in one transaction. The storage
write happens before that transaction so that no database lock is held while a
20 MB file is written; if the row cannot be saved, the object is deleted again.
An object left behind by a crash is ciphertext under a key that was never
saved: unreadable.
"""

import io
import re
import uuid
from datetime import date
from pathlib import PurePath
from typing import IO, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.history import save_with_history, stamp
from participants.models import Consent, Participant
from participants.policy import Relation
from participants.selectors import participant_write_check
from placements.models import Placement

from . import content
from .files import encode_key
from .models import Document, section_of
from .storage import document_storage, new_object_name
from .streaming import EncryptingReader, new_file_key

MEGABYTE = 1024 * 1024
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def max_bytes() -> int:
    return getattr(settings, "DOCUMENTS_MAX_BYTES", 20 * MEGABYTE)


def document_validate(
    *,
    participant: Participant,
    kind: str,
    document_date: date,
    description: str,
    placement: Placement | None = None,
    consent: Consent | None = None,
) -> None:
    errors = {}
    if kind not in Document.Kind.values:
        errors["kind"] = _("Choose a document type.")
    if document_date is None:
        errors["document_date"] = _("Enter the document's date.")
    elif document_date > timezone.localdate():
        errors["document_date"] = _("The date cannot be in the future.")
    if len(description) > 200:
        errors["description"] = _("At most 200 characters.")
    if placement is not None and placement.participant_id != participant.pk:
        errors["placement"] = _("The placement belongs to another participant.")
    if consent is not None and consent.participant_id != participant.pk:
        errors["consent"] = _("The consent belongs to another participant.")
    if errors:
        raise ValidationError(errors)


def file_size_validate(*, size: int) -> None:
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            {
                "file": _("The file is too large (%(size)s MB). Files can be at most %(limit)s MB.")
                % {
                    "size": f"{size / MEGABYTE:.1f}".replace(".", ","),
                    "limit": limit // MEGABYTE,
                }
            }
        )
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})


def stored_file_name(file_name: str, content_type: str) -> str:
    """The name a download gets: the uploaded name's stem, the stored type's extension."""
    stem = _UNSAFE_NAME.sub("_", PurePath(file_name.replace("\\", "/")).stem).strip() or "dokument"
    return stem[:150] + content.STORED_EXTENSION[content_type]


def prepare_file(file, file_name: str) -> tuple[object, str, int]:
    """(a binary stream positioned at 0, stored content type, size) of a checked upload.

    ``file`` must be a seekable binary file (Django's uploaded files are).
    """
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file_size_validate(size=size)
    file.seek(0)
    head = file.read(32)
    file.seek(0)
    try:
        detected = content.check_type(head, file_name)
    except ValidationError as error:
        raise ValidationError({"file": error}) from None
    try:
        if detected == content.PDF:
            content.refuse_active_pdf(file)
            file.seek(0)
            return file, content.PDF, size
        clean = content.reencode_image(file, detected)
    except ValidationError as error:
        raise ValidationError({"file": error}) from None
    file_size_validate(size=len(clean.data))
    return io.BytesIO(clean.data), clean.content_type, len(clean.data)


def document_upload(
    *,
    participant: Participant,
    file,
    file_name: str,
    kind: str,
    document_date: date,
    acting_user: User,
    description: str = "",
    placement: Placement | None = None,
    consent: Consent | None = None,
) -> Document:
    """Store an uploaded document on the participant's record, encrypted."""
    participant_write_check(
        user=acting_user, participant_id=participant.pk, sections=(section_of(kind),)
    )
    description = description.strip()
    document_validate(
        participant=participant,
        kind=kind,
        document_date=document_date,
        description=description,
        placement=placement,
        consent=consent,
    )
    stream, content_type, size = prepare_file(file, file_name)
    key = new_file_key()
    document = Document(
        id=uuid.uuid4(),
        participant=participant,
        data_key_id=participant.data_key_id,
        placement=placement,
        consent=consent,
        kind=kind,
        document_date=document_date,
        description=description,
        file_name=stored_file_name(file_name, content_type),
        file_key=encode_key(key),
        content_type=content_type,
        size=size,
        uploaded_by=acting_user,
    )
    storage = document_storage()
    reader = EncryptingReader(stream, key=key, file_id=document.pk)
    document.object_name = storage.save(
        new_object_name(), File(cast(IO[bytes], reader), name="object")
    )
    try:
        if reader.written == 0:
            raise ValidationError({"file": _("The file could not be stored.")})
        with transaction.atomic():
            save_with_history(document, user=acting_user, reason="document uploaded")
    except BaseException:
        storage.delete(document.object_name)
        raise
    return document


@transaction.atomic
def document_delete(*, document: Document, acting_user: User) -> None:
    """Delete a document (managers): the row goes, its history keeps who deleted it
    and when, and the stored file is removed once the transaction has committed."""
    participant_write_check(
        user=acting_user, participant_id=document.participant_id, relation=Relation.MANAGER
    )
    object_name = document.object_name
    stamp(document, user=acting_user, reason="document deleted")
    document.delete()
    transaction.on_commit(lambda: document_storage().delete(object_name))
