"""The Dokument tab: reached from the record, list, upload, download, delete; the
field policy (a medical certificate is health data), access events, query counts."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AccessEvent
from documents.models import Document
from participants.models import Consent
from participants.services import consent_record
from tests.documents import files

MEDICAL = Document.Kind.MEDICAL_CERTIFICATE


def list_url(participant) -> str:
    return reverse("participants:documents", kwargs={"participant_id": participant.pk})


def download_url(document) -> str:
    return document.get_absolute_url()


def delete_url(document) -> str:
    return reverse(
        "participants:document_delete",
        kwargs={"participant_id": document.participant_id, "document_id": document.pk},
    )


def test_the_tab_is_reached_from_the_record(login, manager, participant):
    client = login(manager)
    record = client.get(reverse("participants:detail", kwargs={"participant_id": participant.pk}))
    assert list_url(participant).encode() in record.content
    page = client.get(list_url(participant))
    assert page.status_code == 200
    assert b"No documents yet." in page.content
    assert b'enctype="multipart/form-data"' in page.content


def test_upload_then_download_streams_an_attachment(login, supervisor, placement, participant):
    client = login(supervisor)
    data = files.text_pdf("Plan")
    response = client.post(
        reverse("participants:document_upload", kwargs={"participant_id": participant.pk}),
        {
            "file": SimpleUploadedFile("Plan vår.pdf", data, content_type="image/png"),
            "kind": Document.Kind.PLAN,
            "document_date": "2026-03-02",
            "description": "Undertecknad plan",
            "placement": str(placement.pk),
        },
    )
    assert response.status_code == 302, response.content
    document = Document.objects.get()
    assert document.placement == placement
    assert document.content_type == "application/pdf"  # from the content, not the header
    page = client.get(list_url(participant))
    assert b"Undertecknad plan" in page.content
    assert download_url(document).encode() in page.content
    response = client.get(download_url(document))
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(data))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    event = AccessEvent.objects.filter(object_type="document").get()
    assert event.object_id == str(document.pk)
    assert event.participant_id == participant.pk
    assert event.user_id == supervisor.pk


def test_a_refused_file_is_shown_on_the_form(login, manager, participant):
    client = login(manager)
    response = client.post(
        reverse("participants:document_upload", kwargs={"participant_id": participant.pk}),
        {
            "file": SimpleUploadedFile("intyg.pdf", files.png(), content_type="application/pdf"),
            "kind": Document.Kind.CERTIFICATE,
            "document_date": "2026-03-02",
        },
    )
    assert response.status_code == 200
    assert b"does not match its content" in response.content
    assert not Document.objects.exists()


def test_a_damaged_file_answers_with_an_error_not_garbage(login, manager, upload):
    from documents.storage import document_storage

    one = upload(files.text_pdf("ett"), "ett.pdf")
    two = upload(files.text_pdf("tva"), "tva.pdf")
    storage = document_storage()
    with storage.open(two.object_name, "rb") as stored:
        other = stored.read()
    with open(storage.path(one.object_name), "wb") as target:
        target.write(other)
    response = login(manager).get(download_url(one))
    assert response.status_code == 500
    assert not response.streaming
    assert b"%PDF" not in response.content


# --- the field policy: a medical certificate is health data ----------------------------


def test_the_case_officer_sees_a_medical_certificate_only_with_consent(
    login, case_officer, manager, placement, participant, agency, upload
):
    decision = upload(files.text_pdf(), "beslut.pdf")
    certificate = upload(files.text_pdf(), "intyg.pdf", kind=MEDICAL, description="Läkarintyg")
    client = login(case_officer)
    page = client.get(list_url(participant))
    assert page.status_code == 200
    assert [document.pk for document in page.context["documents"]] == [decision.pk]
    assert client.get(download_url(decision)).status_code == 200
    assert client.get(download_url(certificate)).status_code == 404
    assert page.context["form"] is None  # the agency uploads nothing here
    consent_record(
        participant=participant,
        purpose=Consent.Purpose.SHARE_WITH_AGENCY,
        agency=agency,
        acting_user=manager,
        evidence="Signed form",
    )
    page = client.get(list_url(participant))
    assert {document.pk for document in page.context["documents"]} == {
        decision.pk,
        certificate.pk,
    }
    assert client.get(download_url(certificate)).status_code == 200


def test_another_enterprise_sees_nothing(login, other_manager, upload):
    document = upload(files.text_pdf(), "beslut.pdf")
    client = login(other_manager)
    assert client.get(list_url(document.participant)).status_code == 404
    assert client.get(download_url(document)).status_code == 404
    assert client.post(delete_url(document)).status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()


# --- deleting --------------------------------------------------------------------------


def test_a_manager_deletes_and_the_history_keeps_an_entry_without_content(
    login, manager, supervisor, placement, upload, django_capture_on_commit_callbacks
):
    from documents.storage import document_storage

    document = upload(files.text_pdf(), "beslut.pdf")
    assert login(supervisor).post(delete_url(document)).status_code == 403
    client = login(manager)
    assert client.get(delete_url(document)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(document))
    assert response.status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not document_storage().exists(document.object_name)
    history = Document.history.filter(id=document.pk).order_by("history_date")
    assert [row.history_type for row in history] == ["+", "-"]
    deleted = history.last()
    assert deleted.history_user == manager
    assert deleted.history_change_reason == "document deleted"


# --- query counts ----------------------------------------------------------------------

# The list: 9, the record's summary header (desk.selectors.record) 1 more, and the
# page header's unread notifications 1.
LIST_QUERIES = 11
DOWNLOAD_QUERIES = 8


@pytest.mark.parametrize("count", [1, 10])
def test_list_query_count_is_constant(
    login, manager, participant, upload, count, django_assert_num_queries
):
    for number in range(count):
        upload(files.png(), f"skanning{number}.png", kind=Document.Kind.OTHER)
    client = login(manager)
    client.get(list_url(participant))
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(list_url(participant))
    assert len(response.context["documents"]) == count


@pytest.mark.parametrize("count", [1, 10])
def test_download_query_count_is_constant(login, manager, upload, count, django_assert_num_queries):
    documents = [upload(files.text_pdf(), f"b{number}.pdf") for number in range(count)]
    client = login(manager)
    client.get(list_url(documents[0].participant))
    with django_assert_num_queries(DOWNLOAD_QUERIES):
        response = client.get(download_url(documents[-1]))
        b"".join(response.streaming_content)


def test_upload_date_in_the_future_is_refused(upload):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        upload(files.text_pdf(), "a.pdf", document_date=date(2999, 1, 1))
