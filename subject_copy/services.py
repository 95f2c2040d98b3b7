"""Producing a participant's copy of their data, and handing it out.

``subject_copy_request`` checks who asks (the participant's manager, or the
data-protection officer — the auditor role — of the participant's enterprise),
records the request and enqueues the background task; ``subject_copy_produce``
gathers the package (``package``), writes the PDF and the JSON into a ZIP and
stores it encrypted with the participant's data key; ``subject_copy_open``
returns the plain ZIP while the copy has not expired. The views record the
access events (the request and each download).
"""

import hashlib
import io
import json
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.roles import organisations_with_role
from encryption import keycache
from encryption.exceptions import DataKeyDestroyed
from participants.models import Participant

from .models import SubjectCopy
from .package import package_build
from .pdf import package_pdf
from .sealed import open_file, seal_file

#: Days a produced copy can be downloaded; then the file is deleted.
DEFAULT_VALID_DAYS = 7
PDF_NAME = "registerutdrag.pdf"
JSON_NAME = "registerutdrag.json"


def valid_days() -> int:
    return int(getattr(settings, "SUBJECT_COPY_VALID_DAYS", DEFAULT_VALID_DAYS))


def storage() -> FileSystemStorage:
    """Under EXPORTS_ROOT, never in static or media; served only by the checked view."""
    return FileSystemStorage(location=settings.EXPORTS_ROOT, base_url=None)


def producer_role(*, user: User, participant: Participant) -> str:
    """The role in which the user may produce the participant's copy; PermissionDenied if none.

    The participant's manager, or the auditor (data-protection officer) of the
    participant's enterprise. A caller that must hide the participant's
    existence checks visibility first (``subject_copy.selectors``).
    """
    if participant.organisation_id in organisations_with_role(user, Role.MANAGER):
        return Role.MANAGER
    if participant.organisation_id in organisations_with_role(user, Role.AUDITOR):
        return Role.AUDITOR
    raise PermissionDenied(_("You may not make this change."))


@transaction.atomic
def subject_copy_request(*, participant: Participant, acting_user: User) -> SubjectCopy:
    """Record the request and produce the copy in the background once the transaction commits."""
    from .tasks import subject_copy_task

    role = producer_role(user=acting_user, participant=participant)
    copy = SubjectCopy.objects.create(
        participant=participant, requested_by=acting_user, requested_role=role
    )
    transaction.on_commit(lambda: subject_copy_task.enqueue(str(copy.pk)))
    return copy


def _progress(copy: SubjectCopy, progress: int, status: str | None = None) -> None:
    copy.progress = progress
    fields = ["progress"]
    if status:
        copy.status = status
        fields.append("status")
    copy.save(update_fields=fields)


def package_zip(*, participant_id, now=None) -> bytes:
    """The plain ZIP: the PDF and the JSON, in Swedish."""
    with translation.override("sv"):
        package = package_build(participant_id=participant_id, now=now)
        pdf = package_pdf(package)
        document = json.dumps(package.as_json(), ensure_ascii=False, indent=2, default=str)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PDF_NAME, pdf)
        archive.writestr(JSON_NAME, document.encode())
    return buffer.getvalue()


def subject_copy_produce(*, copy: SubjectCopy) -> SubjectCopy:
    """Gather, render, encrypt and store the copy; progress is saved as it goes."""
    subject_copies_expire()
    _progress(copy, 10, SubjectCopy.Status.RUNNING)
    participant = Participant.objects.select_related("data_key").get(pk=copy.participant_id)
    try:
        content = package_zip(participant_id=participant.pk)
        _progress(copy, 80)
        sealed = seal_file(data_key=participant.data_key, copy_id=copy.pk, content=content)
    finally:
        # The worker keeps no unwrapped key once the copy is made.
        keycache.forget(participant.data_key_id)
    files = storage()
    if files.exists(copy.file_name):
        files.delete(copy.file_name)
    files.save(copy.file_name, ContentFile(sealed))
    now = timezone.now()
    copy.status = SubjectCopy.Status.DONE
    copy.progress = 100
    copy.finished_at = now
    copy.expires_at = now + timedelta(days=valid_days())
    copy.size = len(content)
    copy.checksum = hashlib.sha256(content).hexdigest()
    copy.save(update_fields=["status", "progress", "finished_at", "expires_at", "size", "checksum"])
    return copy


class CopyUnavailable(Exception):
    """The copy has expired, is not ready, or can no longer be decrypted (erased)."""


def subject_copy_open(*, copy: SubjectCopy) -> bytes:
    """The plain ZIP of a copy that is done and not expired; CopyUnavailable otherwise."""
    if not copy.downloadable:
        raise CopyUnavailable(copy.pk)
    try:
        with storage().open(copy.file_name, "rb") as handle:
            sealed = handle.read()
    except FileNotFoundError:
        raise CopyUnavailable(copy.pk) from None
    try:
        return open_file(copy_id=copy.pk, sealed=sealed)
    except DataKeyDestroyed:
        # Erased: the file on disk is unreadable, as intended.
        raise CopyUnavailable(copy.pk) from None


def subject_copies_expire(*, now=None) -> int:
    """Delete the files of copies past their expiry; the rows stay, marked expired."""
    now = now or timezone.now()
    expired = list(SubjectCopy.objects.filter(status=SubjectCopy.Status.DONE, expires_at__lte=now))
    files = storage()
    for copy in expired:
        if files.exists(copy.file_name):
            files.delete(copy.file_name)
        copy.status = SubjectCopy.Status.EXPIRED
        copy.save(update_fields=["status"])
    return len(expired)
