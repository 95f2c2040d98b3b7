"""Funder files: the columns match docs/funder-files.md, consent decides who is in a
file, files are encrypted and expire, and the rows are built in constant queries."""

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from encryption.models import DataKey
from funding.files import (
    QUERIES_PER_BATCH,
    FileUnavailable,
    funder_file_open,
    funder_file_produce,
    funder_files_expire,
    rows_in_batches,
    storage,
)
from funding.kinds import KINDS
from funding.models import FileKind, FunderFile
from funding.services import funder_file_request
from participants.models import Consent
from participants.services import consent_withdraw

pytestmark = pytest.mark.django_db

SPEC = Path(__file__).resolve().parents[2] / "docs" / "funder-files.md"


def spec_columns(kind: str) -> list[str]:
    """The column codes of a file's table in docs/funder-files.md, in order."""
    text = SPEC.read_text(encoding="utf-8")
    section = re.search(rf"^## .*\(`{kind}`\)\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, f"docs/funder-files.md has no section for {kind}"
    return re.findall(r"^\| `([a-z0-9_]+)` \|", section.group(1), re.M)


def produce(project, manager, kind=FileKind.ESF_PARTICIPANTS, first=date(2026, 1, 1), last=None):
    funder_file = funder_file_request(
        project=project,
        kind=kind,
        first_month=first,
        last_month=last or first,
        acting_user=manager,
    )
    return funder_file_produce(funder_file=funder_file)


def csv_rows(funder_file) -> list[list[str]]:
    name = next(name for name in funder_file.files if name.endswith(".csv"))
    content = funder_file_open(funder_file=funder_file, name=name)
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(funder_file) -> list[list]:
    name = next(name for name in funder_file.files if name.endswith(".xlsx"))
    workbook = load_workbook(io.BytesIO(funder_file_open(funder_file=funder_file, name=name)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("kind", [FileKind.ESF_PARTICIPANTS, FileKind.SUS])
def test_each_file_s_columns_are_exactly_the_documented_ones(project, manager, enrol, kind):
    enrol(leaving=True)
    documented = spec_columns(kind)
    assert documented == KINDS[kind].header
    funder_file = produce(project, manager, kind=kind)
    assert csv_rows(funder_file)[0] == documented
    assert xlsx_rows(funder_file)[0] == documented


def test_the_esf_row_holds_the_codes(project, manager, enrol):
    membership = enrol(leaving=True, birth_year=1990)
    header, row = csv_rows(produce(project, manager, last=date(2026, 3, 1)))
    values = dict(zip(header, row, strict=True))
    participant = membership.placement.participant
    assert values["personal_identity_number"] == participant.personal_identity_number
    assert values["project_id"] == "2026/00123"
    assert (values["start_date"], values["end_date"]) == ("2026-01-05", "2026-03-31")
    assert values["age_at_entry"] == "36"
    assert values["entry_status"] == "long_term_unemployed"
    assert (values["unemployed"], values["long_term_unemployed"], values["inactive"]) == (
        "yes",
        "yes",
        "no",
    )
    assert (values["under_30"], values["aged_55_or_over"]) == ("no", "no")
    assert values["isced"] == "isced_0_2"
    assert (values["disability"], values["minority"]) == ("yes", "declined")
    assert values["employed_on_leaving"] == "yes"
    assert values["employed_six_months_after"] == ""  # no follow-up yet


def test_participants_without_consent_never_appear_and_are_listed(project, manager, enrol, funder):
    shared = enrol()
    unconsented = enrol(consent=False)
    withdrawn = enrol()
    consent = Consent.objects.get(participant=withdrawn.placement.participant)
    consent_withdraw(consent=consent, acting_user=manager)
    for kind in (FileKind.ESF_PARTICIPANTS, FileKind.SUS):
        funder_file = produce(project, manager, kind=kind)
        numbers = [row[0] for row in csv_rows(funder_file)[1:]]
        assert numbers == [shared.placement.participant.personal_identity_number]
        assert funder_file.included == [str(shared.placement.participant_id)]
        assert set(funder_file.missing_consent) == {
            str(unconsented.placement.participant_id),
            str(withdrawn.placement.participant_id),
        }


def test_a_consent_naming_another_funder_does_not_count(project, manager, enrol, enterprise):
    from participants.services import consent_record
    from tests.factories import OrganisationFactory

    other_funder = OrganisationFactory(kind="funder", name="Annan finansiär")
    membership = enrol(consent=False)
    consent_record(
        participant=membership.placement.participant,
        purpose=Consent.Purpose.SHARE_WITH_FUNDER,
        funder=other_funder,
        acting_user=manager,
    )
    funder_file = produce(project, manager)
    assert funder_file.included == []
    assert funder_file.missing_consent == [str(membership.placement.participant_id)]


def test_placements_outside_the_period_are_not_in_the_file(project, manager, enrol):
    enrol(leaving=True)  # left 2026-03-31
    assert produce(project, manager, first=date(2026, 4, 1)).included == []
    assert len(produce(project, manager, first=date(2026, 3, 1)).included) == 1


def test_the_stored_file_is_encrypted_bound_and_expires(project, manager, enrol):
    enrol()
    funder_file = produce(project, manager)
    name = funder_file.files[0]
    with storage().open(f"funder_files/{funder_file.pk}/{name}.enc", "rb") as handle:
        sealed = handle.read()
    assert b"personal_identity_number" not in sealed
    assert funder_file.expires_at > timezone.now()
    # Past its expiry: refused at once, and the next sweep deletes it and its key.
    FunderFile.objects.filter(pk=funder_file.pk).update(expires_at=timezone.now())
    funder_file.refresh_from_db()
    with pytest.raises(FileUnavailable):
        funder_file_open(funder_file=funder_file, name=name)
    assert funder_files_expire() == 1
    funder_file.refresh_from_db()
    assert funder_file.status == FunderFile.Status.EXPIRED
    assert not storage().exists(f"funder_files/{funder_file.pk}/{name}.enc")
    assert DataKey.objects.get(pk=funder_file.data_key_id).destroyed_at is not None


def test_a_changed_file_is_refused_loudly_not_as_expired(project, manager, enrol):
    """A stored file that does not authenticate was changed or swapped: the open raises
    the decryption error (a server error, logged) instead of passing for an expired file."""
    from django.core.files.base import ContentFile

    from encryption.exceptions import DecryptionError

    enrol()
    funder_file = produce(project, manager)
    name = funder_file.files[0]
    path = f"funder_files/{funder_file.pk}/{name}.enc"
    with storage().open(path, "rb") as handle:
        sealed = bytearray(handle.read())
    sealed[-1] ^= 1
    storage().delete(path)
    storage().save(path, ContentFile(bytes(sealed)))
    with pytest.raises(DecryptionError, match="does not authenticate"):
        funder_file_open(funder_file=funder_file, name=name)


def test_the_attendance_report_has_a_page_per_placement_and_month(project, manager, enrol):
    from pypdf import PdfReader

    enrol()
    enrol()
    enrol(consent=False)
    funder_file = produce(project, manager, kind=FileKind.ATTENDANCE, last=date(2026, 2, 1))
    assert [name.rsplit(".", 1)[1] for name in funder_file.files] == ["pdf"]
    pdf = PdfReader(
        io.BytesIO(funder_file_open(funder_file=funder_file, name=funder_file.files[0]))
    )
    assert len(pdf.pages) >= 4  # two placements with consent × two months
    assert len(funder_file.included) == 2 and len(funder_file.missing_consent) == 1


def _batches(project, batch_size):
    from funding.models import ProjectPlacement

    ids = list(ProjectPlacement.objects.filter(project=project).values_list("id", flat=True))
    with CaptureQueriesContext(connection) as queries:
        batches = list(rows_in_batches(project=project, membership_ids=ids, batch_size=batch_size))
        for batch in batches:
            for row in batch:
                KINDS[FileKind.ESF_PARTICIPANTS].values(row)
    return batches, len(queries)


def test_rows_take_a_constant_number_of_queries_per_batch(project, enrol):
    for _number in range(6):
        enrol(leaving=True)
    # Three queries a batch (placements with participants and keys, six-month
    # follow-ups, consents), however many rows the batch holds.
    batches, queries = _batches(project, batch_size=2)
    assert len(batches) == 3 and queries == 3 * QUERIES_PER_BATCH
    batches, queries = _batches(project, batch_size=6)
    assert len(batches) == 1 and queries == QUERIES_PER_BATCH


def test_six_month_follow_up_fills_the_longer_term_result(project, manager, enrol):
    from casework.models import FollowUp
    from casework.services import follow_up_record, placement_end

    membership = enrol(leaving=True)
    exit_ = placement_end(
        placement=membership.placement,
        ended_on=date(2026, 3, 31),
        outcome="job_seeking",
        acting_user=manager,
    )
    follow_up = FollowUp.objects.get(exit=exit_, kind=FollowUp.Kind.MONTH_6)
    follow_up_record(follow_up=follow_up, status_found="employed", acting_user=manager)
    header, row = csv_rows(produce(project, manager, last=date(2026, 3, 1)))
    assert dict(zip(header, row, strict=True))["employed_six_months_after"] == "yes"


def test_expiry_is_counted_from_when_the_file_is_made(project, manager, enrol, settings):
    settings.FUNDER_FILE_VALID_HOURS = 2
    enrol()
    funder_file = produce(project, manager)
    assert funder_file.expires_at - funder_file.finished_at == timedelta(hours=2)


def test_the_attendance_report_names_the_agency_s_decision_number(
    project, manager, enterprise, unit, supervisor, agency, case_officer, funder
):
    from pypdf import PdfReader

    from funding.services import project_placement_add
    from participants.services import consent_record
    from placements.models import Programme
    from placements.services import placement_start, referral_register
    from tests.factories import make_participant

    participant = make_participant(organisation=enterprise, acting_user=manager)
    placement = referral_register(
        participant=participant,
        programme=Programme.WORK_TRAINING,
        referred_on=date(2026, 1, 2),
        referring_organisation=agency,
        case_officer=case_officer,
        decision_number="Af-2026-4711",
        acting_user=manager,
    )
    placement = placement_start(
        placement=placement,
        unit=unit,
        supervisors=[supervisor],
        start_date=date(2026, 1, 5),
        hours_per_week=20,
        weekdays="12345",
        acting_user=manager,
    )
    consent_record(
        participant=participant,
        purpose=Consent.Purpose.SHARE_WITH_FUNDER,
        funder=funder,
        acting_user=manager,
    )
    project_placement_add(
        project=project, placement=placement, joined_on=date(2026, 1, 5), acting_user=manager
    )
    funder_file = produce(project, manager, kind=FileKind.ATTENDANCE)
    content = funder_file_open(funder_file=funder_file, name=funder_file.files[0])
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Af-2026-4711" in text


def test_expire_command_deletes_expired_files(project, manager, enrol):
    from django.core.management import call_command

    enrol()
    funder_file = produce(project, manager)
    FunderFile.objects.filter(pk=funder_file.pk).update(expires_at=timezone.now())
    out = io.StringIO()
    call_command("expire_funder_files", stdout=out)
    assert "expired 1 funder files" in out.getvalue()
    assert FunderFile.objects.get(pk=funder_file.pk).status == FunderFile.Status.EXPIRED
