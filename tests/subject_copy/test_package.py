"""The participant's copy: each planted value once, nothing of anyone else, the
rule on internal notes, a fixed number of queries, encrypted at rest and expiring."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from accounts.models import Role
from casework.models import ProgressNote
from encryption.services import data_key_destroy
from subject_copy.models import SubjectCopy
from subject_copy.package import package_build
from subject_copy.services import (
    JSON_NAME,
    PDF_NAME,
    CopyUnavailable,
    package_zip,
    storage,
    subject_copies_expire,
    subject_copy_open,
    subject_copy_produce,
)
from tests.accounts.matrix import readable_texts
from tests.subject_copy.conftest import OTHER, plant_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def exports_root(tmp_path, settings):
    settings.EXPORTS_ROOT = tmp_path


def unpacked(content: bytes) -> tuple[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == [JSON_NAME, PDF_NAME]
        return archive.read(JSON_NAME).decode(), archive.read(PDF_NAME)


def pdf_text(pdf: bytes) -> bytes:
    """The PDF's decompressed content streams, joined."""
    return b"\n".join(readable_texts(pdf)[1:])


def test_every_planted_value_is_in_the_copy_once_and_nothing_of_another(planted):
    document, pdf = unpacked(package_zip(participant_id=planted.participant.pk))
    shown = pdf_text(pdf)

    assert pdf.startswith(b"%PDF")
    for name, word in planted.words.items():
        assert document.count(word) == 1, (name, document.count(word))
        assert shown.count(word.encode()) == 1, (name, shown.count(word.encode()))
    for word in [*OTHER.values(), "Qxotherevid", str(planted.other.pk)]:
        assert word not in document
        assert word.encode() not in shown


def test_the_json_names_each_section(planted):
    document = json.loads(unpacked(package_zip(participant_id=planted.participant.pk))[0])

    assert document["format"] == "stegvis-subject-copy/1"
    assert document["participant_id"] == str(planted.participant.pk)
    sections = document["sections"]
    assert list(sections) == [
        "personal_data",
        "placements",
        "attendance",
        "time_confirmations",
        "notes",
        "goals",
        "assessments",
        "decisions",
        "follow_ups",
        "messages",
        "funded_projects",
        "consents",
        "recipients",
        "retention",
    ]
    personal = {row["field"]: row for row in sections["personal_data"]["rows"]}
    assert personal["support_needs"]["value"] == "Qzhealthaa"
    assert personal["gender"]["code"] == planted.participant.gender
    # Swedish, whatever the language of the request.
    with translation.override("sv"):
        swedish = {str(label) for label in ProgressNote.Visibility.labels}
    assert {row["visibility"] for row in sections["notes"]["rows"]} == swedish
    assert sections["notes"]["title"] == "Anteckningar"
    assert [row["internal"] for row in sections["notes"]["rows"]] == [True, False]
    assert "ingen anteckning har undantagits" in sections["notes"]["explanation"]
    assert sections["consents"]["rows"][0]["evidence"] == "Qzevidence"
    assert [row["body"] for row in sections["messages"]["rows"]] == ["Qzmessage"]
    [project] = sections["funded_projects"]["rows"]
    # The special-category answers the funder gets, decrypted and in Swedish.
    assert "funktionsnedsättning: Ja" in project["data"]
    assert (
        "minoritet (inklusive marginaliserade grupper som romer): Vill inte svara"
        in (project["data"])
    )
    assert "år" in sections["retention"]["rows"][0]["text"]


def test_recipients_come_from_the_access_log(planted, manager, case_officer, login):
    from django.urls import reverse

    login(case_officer).get(
        reverse("participants:detail", kwargs={"participant_id": planted.participant.pk})
    )
    package = package_build(participant_id=planted.participant.pk)
    recipients = next(section for section in package.sections if section.key == "recipients")

    assert [(row["role"], row["count"]) for row in recipients.rows] == [
        (str(Role.CASE_OFFICER.label), 1)
    ]
    assert recipients.rows[0]["organisation"] == case_officer.memberships.get().organisation.name


def _queries(setup, django_assert_num_queries, weeks, participant_only=False):
    participant, _number = plant_record(**setup, weeks=weeks)
    from audit.models import AccessEvent
    from encryption import keycache

    AccessEvent.objects.create(
        occurred_at=timezone.now(),
        action="view",
        participant_id=participant.pk,
        organisation_id=setup["agency"].pk,
        role="case_officer",
    )
    keycache.forget()
    # Participant (1); placements (1); supervisors (1); attendance (1); time
    # confirmations (1); notes (1);
    # goals (1); assessments (1); scores (1); reviews (1); exits (1); follow-ups (1);
    # messages (1); funded projects (1);
    # consents (1); access events grouped (1); their organisations (1); the retention
    # policy, funders' requirements and extensions (3).
    with django_assert_num_queries(20):
        package = package_build(participant_id=participant.pk)
    return package


@pytest.fixture
def setup(enterprise, manager, unit, supervisor, agency, case_officer, instrument):
    return {
        "enterprise": enterprise,
        "manager": manager,
        "unit": unit,
        "supervisor": supervisor,
        "agency": agency,
        "case_officer": case_officer,
        "instrument": instrument,
    }


def test_gathering_query_count(setup, django_assert_num_queries):
    package = _queries(setup, django_assert_num_queries, weeks=1)
    assert len(package.sections[2].rows) == 5


def test_gathering_query_count_does_not_grow_with_ten_times_the_attendance(
    setup, django_assert_num_queries
):
    package = _queries(setup, django_assert_num_queries, weeks=10)
    assert len(package.sections[2].rows) == 50


def _produced(planted, manager):
    copy = SubjectCopy.objects.create(
        participant=planted.participant, requested_by=manager, requested_role="manager"
    )
    return subject_copy_produce(copy=copy)


def test_stored_file_is_encrypted_and_opens_for_the_copy(planted, manager):
    copy = _produced(planted, manager)

    with storage().open(copy.file_name, "rb") as handle:
        stored = handle.read()
    for word in planted.words.values():
        assert word.encode() not in stored
    assert b"%PDF" not in stored and not stored.startswith(b"PK")
    content = subject_copy_open(copy=copy)
    assert content.startswith(b"PK")
    assert copy.status == SubjectCopy.Status.DONE and copy.progress == 100
    assert copy.size == len(content)
    assert timedelta(days=6, hours=23) < copy.expires_at - timezone.now() <= timedelta(days=7)


def test_the_file_is_bound_to_its_copy(planted, manager):
    first, second = _produced(planted, manager), _produced(planted, manager)
    files = storage()
    with files.open(first.file_name, "rb") as handle:
        stolen = handle.read()
    files.delete(second.file_name)
    files.save(second.file_name, io.BytesIO(stolen))

    from encryption.exceptions import DecryptionError

    with pytest.raises(DecryptionError):
        subject_copy_open(copy=second)


def test_destroying_the_data_key_makes_the_file_unreadable(planted, manager):
    copy = _produced(planted, manager)
    data_key_destroy(data_key=planted.participant.data_key)

    assert storage().exists(copy.file_name)
    with pytest.raises(CopyUnavailable):
        subject_copy_open(copy=copy)


def test_an_expired_copy_is_refused_and_its_file_deleted(planted, manager):
    copy = _produced(planted, manager)
    later = copy.expires_at + timedelta(seconds=1)

    assert subject_copies_expire(now=later) == 1
    copy.refresh_from_db()
    assert copy.status == SubjectCopy.Status.EXPIRED
    assert not storage().exists(copy.file_name)
    with pytest.raises(CopyUnavailable):
        subject_copy_open(copy=copy)


def test_markup_in_a_value_is_shown_as_text(setup):
    """A note with ReportLab markup prints as written and embeds nothing."""
    from casework.services import progress_note_add
    from tests.factories import make_active_placement, make_participant

    participant = make_participant(organisation=setup["enterprise"], acting_user=setup["manager"])
    placement = make_active_placement(
        participant=participant,
        unit=setup["unit"],
        supervisors=[setup["supervisor"]],
        acting_user=setup["manager"],
    )
    progress_note_add(
        placement=placement,
        text='Qzmarkup <img src="pixel.png"/> <font size="30">f</font> &amp;',
        kind=ProgressNote.Kind.OBSERVATION,
        visibility=ProgressNote.Visibility.INTERNAL,
        on=placement.start_date,
        acting_user=setup["supervisor"],
    )
    _document, pdf = unpacked(package_zip(participant_id=participant.pk))
    assert b"/Subtype /Image" not in pdf
    assert b"Qzmarkup" in pdf_text(pdf)


def test_expire_command_deletes_expired_files(planted, manager):
    from django.core.management import call_command

    copy = _produced(planted, manager)
    SubjectCopy.objects.filter(pk=copy.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    out = io.StringIO()
    call_command("expire_subject_copies", stdout=out)

    assert out.getvalue().strip() == "expired 1 copies"
    assert not storage().exists(copy.file_name)
