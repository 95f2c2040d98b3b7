"""The services check the acting user themselves (as tests/test_service_permissions.py
does for the other services): nothing is written or deleted without the relationship."""

import pytest
from django.core.exceptions import PermissionDenied

from documents.models import Document
from documents.services import document_delete
from tests.documents import files

OUTSIDERS = ("other_supervisor", "other_case_officer", "analyst", "auditor", "admin_user")


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_outsider_can_neither_upload_nor_delete(request, upload, outsider):
    user = request.getfixturevalue(outsider)
    document = upload(files.text_pdf(), "beslut.pdf")
    with pytest.raises(PermissionDenied):
        upload(files.text_pdf(), "beslut.pdf", user=user)
    with pytest.raises(PermissionDenied):
        document_delete(document=document, acting_user=user)
    assert list(Document.objects.values_list("pk", flat=True)) == [document.pk]


def test_only_a_manager_deletes(upload, placement, supervisor, case_officer, manager):
    document = upload(files.text_pdf(), "beslut.pdf", user=supervisor)
    for user in (supervisor, case_officer):
        with pytest.raises(PermissionDenied):
            document_delete(document=document, acting_user=user)
    document_delete(document=document, acting_user=manager)
    assert not Document.objects.exists()


def test_a_former_supervisor_cannot_upload(upload, placement, supervisor, manager):
    from datetime import timedelta

    from django.utils import timezone

    from casework.services import placement_end

    placement_end(
        placement=placement,
        ended_on=timezone.localdate() - timedelta(days=1),
        outcome="studies",
        acting_user=manager,
    )
    with pytest.raises(PermissionDenied):
        upload(files.text_pdf(), "beslut.pdf", user=supervisor)
