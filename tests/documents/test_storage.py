"""Documents through the service: each type round-trips, unsafe files are refused,
the storage never holds plaintext, and tampering or erasure leaves nothing readable."""

import io
import os
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from PIL import Image

from documents import streaming
from documents.files import document_content, file_key_of, open_stored
from documents.models import Document
from documents.storage import document_storage
from encryption.exceptions import DataKeyDestroyed
from encryption.services import data_key_destroy, verify_all
from tests.documents import files
from tests.documents.conftest import content_of


def _stored_bytes(document) -> bytes:
    with open_stored(document) as stored:
        return stored.read()


# --- round trips ---------------------------------------------------------------------


def test_a_pdf_comes_back_byte_for_byte(upload):
    data = files.text_pdf(pages=30)
    document = upload(data, "Beslut AF.pdf")
    assert document.content_type == "application/pdf"
    assert document.size == len(data)
    assert document.file_name == "Beslut AF.pdf"
    assert content_of(Document.objects.get(pk=document.pk)) == data


@pytest.mark.parametrize(
    ("make", "name", "stored_type", "pil_format"),
    [
        (files.jpeg_with_gps, "foto.jpg", "image/jpeg", "JPEG"),
        (files.png, "skanning.PNG", "image/png", "PNG"),
        (files.heic, "IMG_0001.HEIC", "image/jpeg", "JPEG"),
    ],
)
def test_an_image_comes_back_re_encoded(upload, make, name, stored_type, pil_format):
    document = upload(make(), name)
    assert document.content_type == stored_type
    data = content_of(Document.objects.get(pk=document.pk))
    assert len(data) == document.size
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == pil_format
        assert image.size == ((40, 30) if name.endswith(".PNG") else (64, 48))
    if name.endswith(".HEIC"):
        assert document.file_name == "IMG_0001.jpg"


def test_a_jpeg_loses_its_gps_position(upload):
    original = files.jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(0x8825), "the test image must carry a GPS position"
    data = content_of(upload(original, "foto.jpeg"))
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
        assert "exif" not in image.info
    assert b"Exif" not in data and b"Kamerafabriken" not in data


def test_sizes_that_are_whole_chunks_round_trip(upload, monkeypatch):
    monkeypatch.setattr(streaming, "CHUNK_SIZE", 1024)
    pdf = files.text_pdf()
    assert len(pdf) < 1024 * 3
    for size in (1024 * 3 - 1, 1024 * 3, 1024 * 3 + 1, 1024 * 4):
        data = pdf + b"%" * (size - len(pdf))
        assert content_of(upload(data, "a.pdf")) == data


def test_a_file_of_exactly_n_chunks_ends_with_an_empty_final_chunk():
    key, file_id = streaming.new_file_key(), uuid.uuid4()
    data = os.urandom(streaming.CHUNK_SIZE * 2)
    stored = b"".join(streaming.encrypt_chunks(io.BytesIO(data), key=key, file_id=file_id))
    assert len(stored) == streaming.encrypted_size(len(data))
    plain = streaming.decrypt_chunks(io.BytesIO(stored), key=key, file_id=file_id)
    assert b"".join(plain) == data
    # Cut after the second full chunk: the final chunk is missing.
    cut = stored[: streaming.HEADER.size + 2 * streaming.record_size(streaming.CHUNK_SIZE)]
    with pytest.raises(streaming.DocumentDamaged):
        b"".join(streaming.decrypt_chunks(io.BytesIO(cut), key=key, file_id=file_id))


# --- refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (files.jpeg_with_gps(), "intyg.pdf"),
        (files.text_pdf(), "intyg.jpg"),
        (files.png(), "intyg.jpeg"),
        (files.text_pdf(), "intyg.exe"),
        (files.text_pdf(), "intyg"),
    ],
)
def test_a_file_whose_name_lies_about_its_content_is_refused(upload, data, name):
    with pytest.raises(ValidationError) as refused:
        upload(data, name)
    assert [error.code for error in refused.value.error_dict["file"]] == ["type_mismatch"]
    assert not Document.objects.exists()


def test_a_file_of_another_type_is_refused_whatever_its_name(upload):
    with pytest.raises(ValidationError):
        upload(b"MZ\x90\x00" + os.urandom(100), "beslut.pdf")
    with pytest.raises(ValidationError):
        upload(b"<html><script>alert(1)</script></html>", "beslut.pdf")


@pytest.mark.parametrize(
    "make", [files.pdf_with_javascript, files.pdf_with_open_action, files.pdf_with_attachment]
)
def test_a_pdf_with_active_content_is_refused(upload, make):
    with pytest.raises(ValidationError) as refused:
        upload(make(), "plan.pdf")
    assert [error.code for error in refused.value.error_dict["file"]] == ["active_pdf"]
    assert not Document.objects.exists()


def test_a_file_over_20_mb_is_refused_with_a_clear_swedish_message(upload):
    from django.utils import translation

    data = files.text_pdf() + b"%" * (20 * 1024 * 1024)
    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        upload(data, "stor.pdf")
    message = " ".join(refused.value.message_dict["file"])
    assert message == "Filen är för stor (20,0 MB). En fil får vara högst 20 MB."


def test_nothing_is_left_in_storage_after_a_refusal(upload):
    root = Path(document_storage().location)
    before = {path for path in root.rglob("*") if path.is_file()}
    with pytest.raises(ValidationError):
        upload(files.pdf_with_javascript(), "plan.pdf")
    assert {path for path in root.rglob("*") if path.is_file()} == before


# --- who may upload ------------------------------------------------------------------


def test_a_case_officer_may_not_upload(upload, placement, case_officer):
    with pytest.raises(PermissionDenied):
        upload(files.text_pdf(), "beslut.pdf", user=case_officer)


def test_a_placement_of_another_participant_is_refused(
    upload, enterprise, manager, unit, supervisor
):
    from tests.factories import make_active_placement, make_participant

    other = make_participant(organisation=enterprise, acting_user=manager)
    other_placement = make_active_placement(
        participant=other, unit=unit, supervisors=[supervisor], acting_user=manager
    )
    with pytest.raises(ValidationError) as refused:
        upload(files.text_pdf(), "beslut.pdf", placement=other_placement)
    assert "placement" in refused.value.message_dict


# --- what the storage sees -----------------------------------------------------------

CANARY = "Kanariedokument7q3z"


def _canary_pdf() -> bytes:
    data = files.text_pdf(f"Diagnos {CANARY}")
    assert CANARY.encode() in data  # uncompressed: the canary is in the uploaded bytes
    return data


def test_the_filesystem_storage_never_holds_the_plaintext(upload):
    document = upload(_canary_pdf(), f"{CANARY}.pdf", description=CANARY)
    root = Path(document_storage().location)
    stored = [path for path in root.rglob("*") if path.is_file()]
    assert stored
    for path in stored:
        assert CANARY.encode() not in path.read_bytes()
        assert CANARY not in str(path)
        assert b"%PDF" not in path.read_bytes()
    assert CANARY not in document.object_name
    assert CANARY.encode() in content_of(document)


def test_the_s3_storage_never_holds_the_plaintext(upload, s3_storage):
    client, bucket = s3_storage
    document = upload(_canary_pdf(), f"{CANARY}.pdf", description=CANARY)
    listed = client.list_objects_v2(Bucket=bucket)["Contents"]
    assert [item["Key"] for item in listed] == [document.object_name]
    for item in listed:
        body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        assert CANARY.encode() not in body and b"%PDF" not in body
        assert CANARY not in item["Key"]
        head = client.head_object(Bucket=bucket, Key=item["Key"])
        assert CANARY not in repr(head)
    assert CANARY.encode() in content_of(Document.objects.get(pk=document.pk))
    report = verify_all()
    assert not report.failures
    assert report.tables["documents: chunks checked"] >= 1


def test_the_database_never_holds_the_plaintext_file_key(upload):
    document = upload(files.text_pdf(), "beslut.pdf")
    key = file_key_of(document)
    encoded = document.file_key
    with connection.cursor() as cursor:
        for table in (Document._meta.db_table, Document.history.model._meta.db_table):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            for row in cursor.fetchall():
                raw = b"".join(
                    bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                    for value in row
                )
                assert key not in raw and encoded.encode() not in raw, table


# --- tampering -----------------------------------------------------------------------


def _rewrite(document, data: bytes) -> None:
    path = Path(document_storage().path(document.object_name))
    path.write_bytes(data)


def test_two_chunks_swapped_fail_with_an_error(upload, monkeypatch):
    monkeypatch.setattr(streaming, "CHUNK_SIZE", 1024)
    document = upload(files.text_pdf(pages=20), "plan.pdf")
    stored = _stored_bytes(document)
    size = streaming.record_size(1024)
    start = streaming.HEADER.size
    first, second = stored[start : start + size], stored[start + size : start + 2 * size]
    _rewrite(document, stored[:start] + second + first + stored[start + 2 * size :])
    with pytest.raises(streaming.DocumentDamaged, match="chunk 0"):
        document_content(Document.objects.get(pk=document.pk))


def test_a_truncated_object_fails_with_an_error(upload, monkeypatch):
    monkeypatch.setattr(streaming, "CHUNK_SIZE", 1024)
    document = upload(files.text_pdf(pages=20), "plan.pdf")
    stored = _stored_bytes(document)
    _rewrite(document, stored[: streaming.HEADER.size + 3 * streaming.record_size(1024)])
    with pytest.raises(streaming.DocumentDamaged):
        document_content(Document.objects.get(pk=document.pk))


def test_two_documents_objects_swapped_fail_with_an_error(upload):
    one = upload(files.text_pdf("ett"), "ett.pdf")
    two = upload(files.text_pdf("tva"), "tva.pdf")
    data_one, data_two = _stored_bytes(one), _stored_bytes(two)
    _rewrite(one, data_two)
    _rewrite(two, data_one)
    for document in (one, two):
        with pytest.raises(streaming.DocumentDamaged):
            document_content(Document.objects.get(pk=document.pk))
    with pytest.raises(CommandError, match="2 failures"):
        call_command("verify_encryption", stdout=io.StringIO(), stderr=io.StringIO())


def test_verify_encryption_reports_a_missing_object(upload):
    document = upload(files.text_pdf(), "beslut.pdf")
    document_storage().delete(document.object_name)
    report = verify_all()
    assert any(document.object_name in failure for failure in report.failures)


# --- keys ----------------------------------------------------------------------------


def test_erasing_the_participants_data_key_makes_the_file_unreadable(upload, participant):
    document = upload(files.text_pdf(), "beslut.pdf")
    assert _stored_bytes(document)  # the object is still there ...
    data_key_destroy(data_key=participant.data_key)
    with pytest.raises(DataKeyDestroyed):
        document_content(Document.objects.get(pk=document.pk))  # ... and unreadable
    report = verify_all()
    assert not report.failures and report.shredded >= 1


def test_rotation_rewraps_the_file_key_without_touching_the_file(upload):
    from encryption.services import reencrypt_all

    data = files.text_pdf()
    document = upload(data, "beslut.pdf")
    stored_before = _stored_bytes(document)
    ciphertext_before = Document.objects.filter(pk=document.pk).values_list("file_key", flat=True)[
        0
    ]
    from encryption.models import DataKey

    DataKey.objects.filter(pk=document.data_key_id).update(origin_kek_id="retired")
    result = reencrypt_all()
    assert result.data_keys >= 1
    fresh = Document.objects.get(pk=document.pk)
    assert bytes(fresh.__dict__["file_key"]) != bytes(ciphertext_before)
    assert _stored_bytes(fresh) == stored_before
    assert content_of(fresh) == data


def test_an_image_with_too_many_pixels_is_refused_before_decoding(upload, monkeypatch):
    from documents import content

    monkeypatch.setattr(content, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValidationError) as refused:
        upload(files.png(), "skanning.png")  # 40 x 30 = 1,200 pixels
    assert [error.code for error in refused.value.error_dict["file"]] == ["image_size"]
