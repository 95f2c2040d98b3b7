"""Benchmark of the ESF+ participant file for a national project.

    python -m bench.funding --n 10000 --db sqlite|postgres [--batch 500] [--json FILE]

Builds, in a throw-away database, one enterprise with ``--n`` participants
(bulk paths: encrypted records, a data key each), a running placement each, all
in one ESF+ project with the data at entry recorded, and a consent to sharing
with the funder for nine in ten. Then times building the file's rows in batches
(``funding.files.rows_in_batches``: three queries a batch, asserted here) and
producing the whole file (rows, CSV, XLSX, encryption, storage), and reports the
query count per batch and the file sizes.
"""

import argparse
import json
import os
import sys
import time
from datetime import date
from decimal import Decimal

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/stegvis_bench"
CHUNK = 1000


def _setup(db: str) -> None:
    if db == "postgres":
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", POSTGRES_URL)
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def _identity_number(index: int) -> str:
    """A distinct valid personnummer per index (born 1960–2004)."""
    from stdnum import luhn

    year, k = 1960 + index % 45, index // 45
    stem = f"{year % 100:02d}{1 + k % 12:02d}{1 + k // 12 % 28:02d}{k // 336 + 100:03d}"
    return f"{year}{stem[2:6]}-{stem[6:]}{luhn.calc_check_digit(stem)}"


def build(n: int):
    """The project with ``n`` placements; returns (project, manager)."""
    from accounts.models import Organisation, Role
    from audit.history import bulk_create_tracked
    from demo.bulk import consent_bulk_create, participant_bulk_create, placement_bulk_create
    from funding.models import FileKind, ProjectKind, ProjectPlacement
    from funding.services import EntryInput, ProjectInput, entry_validate, project_create
    from participants.models import Consent
    from placements.models import Placement, Programme
    from tests.factories import (
        OrganisationFactory,
        UnitFactory,
        participant_input,
        user_with_role,
    )

    enterprise = OrganisationFactory(kind=Organisation.Kind.ENTERPRISE, name="Riksprojektet")
    funder = OrganisationFactory(kind=Organisation.Kind.FUNDER, name="ESF-rådet")
    unit = UnitFactory(organisation=enterprise, name="Verkstaden")
    manager = user_with_role(Role.MANAGER, enterprise, username="bench_manager")
    supervisor = user_with_role(Role.SUPERVISOR, enterprise, username="bench_supervisor")
    project = project_create(
        enterprise=enterprise,
        data=ProjectInput(
            kind=ProjectKind.ESF,
            name="Nationellt projekt",
            reference="2026/10000",
            funder=funder,
            starts_on=date(2026, 1, 1),
            obligations=(FileKind.ESF_PARTICIPANTS,),
        ),
        acting_user=manager,
    )
    entry = EntryInput(
        entry_status="long_term_unemployed",
        education_level="isced_3_4",
        disability="no",
        foreign_background="yes",
        third_country_national="no",
        minority="declined",
        homeless="no",
        rural_area="no",
        income_before="activity_support",
    )
    entry_validate(entry)  # the service's check, once: every row gets the same values
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        participants = participant_bulk_create(
            organisation=enterprise,
            records=[
                participant_input(
                    birth_year=1960 + i % 45, personal_identity_number=_identity_number(i)
                )
                for i in range(start, start + size)
            ],
            acting_user=manager,
        )
        placements = [
            Placement(
                participant=participant,
                data_key_id=participant.data_key_id,
                programme=Programme.WORK_TRAINING,
                unit=unit,
                hours_per_week=Decimal(20),
                weekdays="12345",
                status=Placement.Status.ACTIVE,
                referred_on=date(2026, 1, 2),
                proposed_start=date(2026, 1, 5),
                start_date=date(2026, 1, 5),
            )
            for participant in participants
        ]
        placement_bulk_create(
            placements=placements,
            supervisors={placement.pk: [supervisor] for placement in placements},
            acting_user=manager,
        )
        bulk_create_tracked(
            [
                ProjectPlacement(
                    project=project,
                    placement=placement,
                    data_key_id=placement.data_key_id,
                    joined_on=date(2026, 1, 5),
                    age_at_entry=2026 - placement.participant.birth_year,
                    **vars(entry),
                )
                for placement in placements
            ],
            user=manager,
            reason="placement joined project",
        )
        consent_bulk_create(
            consents=[
                Consent(
                    participant=participant,
                    data_key_id=participant.data_key_id,
                    purpose=Consent.Purpose.SHARE_WITH_FUNDER,
                    funder=funder,
                    recipient_system="ESF-rådets system",
                    given_at=project.created_at,
                )
                for index, participant in enumerate(participants)
                if index % 10
            ],
            acting_user=manager,
        )
    return project, manager


def measure(project, manager, batch: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from encryption import keycache
    from funding.files import QUERIES_PER_BATCH, rows_in_batches
    from funding.kinds import KINDS
    from funding.models import FileKind, ProjectPlacement
    from funding.services import funder_file_request

    ids = list(ProjectPlacement.objects.filter(project=project).values_list("id", flat=True))
    kind = KINDS[FileKind.ESF_PARTICIPANTS]
    keycache.forget()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        batches = 0
        rows = 0
        for rows_batch in rows_in_batches(project=project, membership_ids=ids, batch_size=batch):
            batches += 1
            for row in rows_batch:
                kind.values(row)
                rows += 1
    rows_seconds = time.perf_counter() - started
    assert len(queries) == batches * QUERIES_PER_BATCH, (len(queries), batches)
    keycache.forget()
    # The request enqueues the task; the benchmark's settings run it at once, so
    # this times the whole production (rows, CSV, XLSX, encryption, storage).
    started = time.perf_counter()
    funder_file = funder_file_request(
        project=project,
        kind=FileKind.ESF_PARTICIPANTS,
        first_month=date(2026, 1, 1),
        last_month=date(2026, 1, 1),
        acting_user=manager,
    )
    funder_file.refresh_from_db()
    produce_seconds = time.perf_counter() - started
    assert funder_file.status == funder_file.Status.DONE, funder_file.status
    from funding.files import storage

    sizes = {
        name: storage().size(f"funder_files/{funder_file.pk}/{name}.enc")
        for name in funder_file.files
    }
    return {
        "rows": rows,
        "batches": batches,
        "queries": len(queries),
        "queries_per_batch": len(queries) // batches,
        "rows_ms": round(rows_seconds * 1000),
        "produce_ms": round(produce_seconds * 1000),
        "included": len(funder_file.included),
        "missing_consent": len(funder_file.missing_consent),
        "bytes": sizes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ESF+ participant file benchmark")
    parser.add_argument("--n", type=int, default=10_000, help="participants in the project")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--json", metavar="FILE")
    options = parser.parse_args(argv)
    _setup(options.db)
    import tempfile

    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    settings.EXPORTS_ROOT = tempfile.mkdtemp(prefix="stegvis-bench-funding-")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        project, manager = build(options.n)
        build_seconds = time.perf_counter() - started
        result = {
            "db": connection.vendor,
            "cores": os.cpu_count(),
            "n": options.n,
            "batch": options.batch,
            "build_s": round(build_seconds, 1),
            **measure(project, manager, options.batch),
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    text = json.dumps(result, indent=2)
    print(text)
    if options.json:
        with open(options.json, "w") as handle:
            handle.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
