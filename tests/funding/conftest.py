"""Funded-project fixtures: an ESF+ project of the fixture enterprise funded by the
fixture funder, and helpers to put placements in it through the services."""

from datetime import date

import pytest

from funding.models import FileKind, ProjectKind
from funding.services import (
    EntryInput,
    LeavingInput,
    ProjectInput,
    project_create,
    project_entry_record,
    project_leaving_record,
    project_placement_add,
)
from participants.models import ConsentPurpose
from participants.services import consent_record
from tests.factories import make_active_placement, make_participant


@pytest.fixture(autouse=True)
def exports_root(tmp_path, settings):
    settings.EXPORTS_ROOT = tmp_path


@pytest.fixture
def project(enterprise, funder, manager):
    return project_create(
        enterprise=enterprise,
        data=ProjectInput(
            kind=ProjectKind.ESF,
            name="Steg framåt",
            reference="2026/00123",
            funder=funder,
            starts_on=date(2026, 1, 1),
            ends_on=date(2027, 12, 31),
            obligations=(FileKind.ESF_PARTICIPANTS, FileKind.SUS, FileKind.ATTENDANCE),
        ),
        acting_user=manager,
    )


def full_entry(**overrides) -> EntryInput:
    values = {
        "entry_status": "long_term_unemployed",
        "education_level": "isced_0_2",
        "disability": "yes",
        "foreign_background": "no",
        "third_country_national": "no",
        "minority": "declined",
        "homeless": "no",
        "rural_area": "no",
        "income_before": "activity_support",
    }
    values.update(overrides)
    return EntryInput(**values)


def full_leaving(**overrides) -> LeavingInput:
    values = {
        "left_on": date(2026, 3, 31),
        "job_searching": "no",
        "in_education": "no",
        "gained_qualification": "yes",
        "employed_on_leaving": "yes",
        "income_after": "salary",
    }
    values.update(overrides)
    return LeavingInput(**values)


@pytest.fixture
def enrol(project, enterprise, manager, unit, supervisor, agency, case_officer, funder):
    """``enrol(consent=True, entry=True, leaving=False, **participant)``: a participant with
    a running placement in the project, through the services."""

    def _enrol(*, consent=True, entry=True, leaving=False, **participant_fields):
        participant = make_participant(
            organisation=enterprise, acting_user=manager, **participant_fields
        )
        placement = make_active_placement(
            participant=participant,
            unit=unit,
            supervisors=[supervisor],
            acting_user=manager,
            agency=agency,
            case_officer=case_officer,
        )
        if consent:
            consent_record(
                participant=participant,
                purpose=ConsentPurpose.SHARE_WITH_FUNDER,
                funder=funder,
                recipient_system="ESF-rådets system",
                acting_user=manager,
            )
        membership = project_placement_add(
            project=project, placement=placement, joined_on=date(2026, 1, 5), acting_user=manager
        )
        if entry:
            membership = project_entry_record(
                membership=membership, data=full_entry(), acting_user=manager
            )
        if leaving:
            membership = project_leaving_record(
                membership=membership, data=full_leaving(), acting_user=manager
            )
        return membership

    return _enrol
