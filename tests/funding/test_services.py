"""Funded projects, placements in them, the snapshot at entry and the leaving data."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from funding.models import EntryStatus, ProjectPlacement
from funding.services import project_entry_record, project_leaving_record, project_placement_add
from participants.models import LabourMarketStatus
from participants.services import participant_update
from tests.factories import nothing_written

from .conftest import full_entry, full_leaving

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_joining_takes_the_snapshot_from_the_record(enrol):
    membership = enrol(entry=False, birth_year=1990, has_disability=True)
    assert membership.age_at_entry == 2026 - 1990
    assert membership.entry_status == EntryStatus.LONG_TERM_UNEMPLOYED
    assert membership.education_level == "isced_3_4"
    assert membership.disability == "yes"
    assert membership.data_key_id == membership.placement.participant.data_key_id


def test_the_snapshot_at_entry_does_not_change_when_the_record_is_edited(enrol, manager):
    membership = enrol(entry=False, has_disability=True)
    participant = membership.placement.participant
    participant_update(
        participant=participant,
        acting_user=manager,
        labour_market_status=LabourMarketStatus.EMPLOYED,
        education_level="isced_5_8",
        has_disability=False,
        foreign_background=True,
    )
    stored = ProjectPlacement.objects.get(pk=membership.pk)
    assert stored.entry_status == EntryStatus.LONG_TERM_UNEMPLOYED
    assert stored.education_level == "isced_3_4"
    assert stored.disability == "yes"
    assert stored.foreign_background == ""
    assert stored.history.count() == 1


def test_special_category_answers_are_stored_encrypted(enrol):
    membership = enrol()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT disability, minority FROM funding_projectplacement WHERE id = %s",
            [membership.pk.hex],
        )
        disability, minority = cursor.fetchone()
    assert b"yes" not in bytes(disability) and b"declined" not in bytes(minority)
    assert ProjectPlacement.objects.get(pk=membership.pk).minority == "declined"


def test_leaving_records_the_situation_and_refuses_an_end_before_entry(enrol, manager):
    membership = enrol()
    with pytest.raises(ValidationError, match="cannot leave before it joined"):
        project_leaving_record(
            membership=membership,
            data=full_leaving(left_on=date(2026, 1, 1)),
            acting_user=manager,
        )
    membership = project_leaving_record(
        membership=membership, data=full_leaving(), acting_user=manager
    )
    assert membership.left_on == date(2026, 3, 31)
    assert membership.employed_on_leaving == "yes" and membership.income_after == "salary"


def test_a_placement_is_in_a_project_once_at_a_time(enrol, project, manager):
    membership = enrol()
    with pytest.raises(ValidationError, match="already in the project"):
        project_placement_add(
            project=project,
            placement=membership.placement,
            joined_on=date(2026, 2, 1),
            acting_user=manager,
        )


def test_entry_refuses_an_unknown_code(enrol, manager):
    membership = enrol(entry=False)
    with pytest.raises(ValidationError, match="valid labour-market status"):
        project_entry_record(
            membership=membership, data=full_entry(entry_status="retired"), acting_user=manager
        )


@pytest.mark.parametrize(
    "who", ["supervisor", "case_officer", "analyst", "auditor", "other_manager"]
)
def test_only_the_manager_writes(request, enrol, who):
    membership = enrol()
    user = request.getfixturevalue(who)
    with nothing_written(ProjectPlacement), pytest.raises(PermissionDenied):
        project_entry_record(membership=membership, data=full_entry(), acting_user=user)
    with nothing_written(ProjectPlacement), pytest.raises(PermissionDenied):
        project_leaving_record(membership=membership, data=full_leaving(), acting_user=user)
