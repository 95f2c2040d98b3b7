"""The stored files of other apps go with an erasure: the record's documents (in the
documents storage, which may be S3) and the person's own copies (under EXPORTS_ROOT)."""

import io

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.utils import timezone

from documents.models import Document
from documents.services import document_upload
from documents.storage import ALIAS
from erasure import files, services
from erasure.models import ErasureRequest
from subject_copy.models import SubjectCopy
from subject_copy.services import subject_copy_produce
from tests.documents.files import text_pdf
from tests.factories import make_participant

pytestmark = pytest.mark.django_db


def test_documents_and_own_copies_are_deleted_with_the_record(
    participant, enterprise, manager, auditor, django_capture_on_commit_callbacks
):
    document = document_upload(
        participant=participant,
        file=io.BytesIO(text_pdf("Beslut")),
        file_name="beslut.pdf",
        kind="decision",
        document_date=timezone.localdate(),
        acting_user=manager,
    )
    copy = subject_copy_produce(
        copy=SubjectCopy.objects.create(
            participant=participant, requested_by=manager, requested_role="manager"
        )
    )
    other = make_participant(organisation=enterprise, acting_user=manager)
    kept = document_upload(
        participant=other,
        file=io.BytesIO(text_pdf("Intyg")),
        file_name="intyg.pdf",
        kind="decision",
        document_date=timezone.localdate(),
        acting_user=manager,
    )
    storage = storages[ALIAS]
    copy_path = settings.EXPORTS_ROOT / copy.file_name
    assert storage.exists(document.object_name) and copy_path.exists()
    assert files.collect(participant.pk) == sorted(
        [files.stored(ALIAS, document.object_name), str(copy_path)]
    )

    erasure = services.erasure_request(
        participant=participant,
        ground=ErasureRequest.Ground.PARTICIPANT_REQUEST,
        note="Asked in writing",
        acting_user=manager,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.erasure_approve(erasure=erasure, acting_user=auditor)

    assert not storage.exists(document.object_name)
    assert not copy_path.exists()
    assert not Document.objects.filter(participant_id=participant.pk).exists()
    assert storage.exists(kept.object_name)  # another participant's file stays
    erasure.refresh_from_db()
    assert erasure.pending_files == []
