"""Golden files: the ESF+ and SUS files of the demo's funded project, on a frozen day.

The demo is deterministic for a seed on a given day, so the files are too. After
an intended change, rewrite them with ``UPDATE_GOLDEN=1`` and review the diff.
"""

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine

from accounts.models import Role
from accounts.roles import organisations_with_role
from demo.builder import seed_demo
from funding.files import funder_file_open, funder_file_produce
from funding.models import FileKind, FundedProject
from funding.services import funder_file_request

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
DAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def exports_root(tmp_path, settings):
    settings.EXPORTS_ROOT = tmp_path


@pytest.mark.parametrize("kind", [FileKind.ESF_PARTICIPANTS, FileKind.SUS])
def test_demo_project_files_match_the_golden_files(kind):
    with time_machine.travel(datetime(2026, 6, 15, 9, 0, tzinfo=UTC), tick=False):
        seed_demo(participants=40, seed=7, today=DAY)
        project = FundedProject.objects.get()
        manager = next(
            membership.user
            for membership in project.enterprise.memberships.select_related("user")
            if membership.role == Role.MANAGER
        )
        assert project.enterprise_id in organisations_with_role(manager, Role.MANAGER)
        funder_file = funder_file_produce(
            funder_file=funder_file_request(
                project=project,
                kind=kind,
                first_month=project.starts_on.replace(day=1),
                last_month=DAY.replace(day=1),
                acting_user=manager,
            )
        )
        name = next(name for name in funder_file.files if name.endswith(".csv"))
        content = funder_file_open(funder_file=funder_file, name=name)
    assert funder_file.included and funder_file.missing_consent
    golden = GOLDEN / f"{kind}.csv"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_bytes(content)
    assert content == golden.read_bytes()
