"""Benchmark of the participant's copy of their data (Art. 15 and 20).

    python -m bench.subject_copy --weeks 100 --db sqlite|postgres [--repeat 3] [--json FILE]

Builds one large record through the services in a throw-away database (every
encrypted field planted, ``--weeks`` weeks of attendance at five days a week,
``--notes`` progress notes, ``--events`` access events from three agencies),
then times, best of ``--repeat``:

- gathering the package (``package_build``) and its query count;
- the PDF alone, and the JSON alone;
- the whole production (``subject_copy_produce``: gather, PDF, JSON, ZIP,
  encryption with the participant's data key, file written);

and reports the sizes of the ZIP and the PDF. The same record at a tenth of the
weeks is measured in the same run, so the ratio shows how the time grows.
"""

import argparse
import json
import os
import sys
import time
from datetime import timedelta

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/stegvis_bench"


def _setup(db: str) -> None:
    if db == "postgres":
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", POSTGRES_URL)
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def _best(function, repeat: int) -> tuple[float, object]:
    best, result = None, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def build(weeks: int, notes: int, events: int, tag: str):
    """One participant's record of ``weeks`` weeks; returns the participant and its manager."""
    from django.utils import timezone

    from accounts.models import Organisation, Role
    from audit.models import AccessEvent
    from casework.models import ProgressNote
    from casework.services import instrument_ensure_default
    from demo.bulk import ProgressNoteInput, progress_note_bulk_create
    from placements.models import Placement
    from tests.factories import OrganisationFactory, UnitFactory, user_with_role
    from tests.subject_copy.conftest import plant_record

    enterprise = OrganisationFactory(kind=Organisation.Kind.ENTERPRISE, name=f"Bänken {tag}")
    agency = OrganisationFactory(kind=Organisation.Kind.AGENCY, name=f"Myndigheten {tag}")
    unit = UnitFactory(organisation=enterprise, name=f"Enheten {tag}")
    manager = user_with_role(Role.MANAGER, enterprise, username=f"bench_manager_{tag}")
    supervisor = user_with_role(Role.SUPERVISOR, enterprise, username=f"bench_sup_{tag}")
    officer = user_with_role(Role.CASE_OFFICER, agency, username=f"bench_officer_{tag}")
    participant, _number = plant_record(
        enterprise=enterprise,
        manager=manager,
        unit=unit,
        supervisor=supervisor,
        agency=agency,
        case_officer=officer,
        instrument=instrument_ensure_default(),
        weeks=weeks,
    )
    placement = Placement.objects.get(participant=participant)
    progress_note_bulk_create(
        records=[
            ProgressNoteInput(
                placement=placement,
                on=placement.start_date + timedelta(days=index % (weeks * 7)),
                kind=ProgressNote.Kind.OBSERVATION,
                text=f"Observation {index}: arbetade stadigt hela passet.",
                visibility=ProgressNote.Visibility.INTERNAL,
            )
            for index in range(notes)
        ],
        acting_user=supervisor,
    )
    now = timezone.now()
    AccessEvent.objects.bulk_create(
        AccessEvent(
            occurred_at=now - timedelta(minutes=index),
            action="view",
            participant_id=participant.pk,
            organisation_id=(enterprise.pk, agency.pk)[index % 2],
            role=("manager", "supervisor", "case_officer")[index % 3],
        )
        for index in range(events)
    )
    return participant, manager


def measure(participant, manager, repeat: int) -> dict:
    import zipfile
    from io import BytesIO

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from encryption import keycache
    from subject_copy.models import SubjectCopy
    from subject_copy.package import package_build
    from subject_copy.pdf import package_pdf
    from subject_copy.services import subject_copy_produce

    def gather():
        keycache.forget()
        return package_build(participant_id=participant.pk)

    with translation.override("sv"):
        with CaptureQueriesContext(connection) as queries:
            package = gather()
        gather_s, package = _best(gather, repeat)
        pdf_s, pdf = _best(lambda: package_pdf(package), repeat)
        json_s, _document = _best(
            lambda: json.dumps(package.as_json(), ensure_ascii=False, default=str), repeat
        )

    def produce():
        copy = SubjectCopy.objects.create(
            participant=participant, requested_by=manager, requested_role="manager"
        )
        return subject_copy_produce(copy=copy)

    produce_s, copy = _best(produce, repeat)
    rows = {section.key: len(section.rows) for section in package.sections}
    with zipfile.ZipFile(BytesIO(pdf_zip := _zip_of(copy))) as archive:
        assert sorted(archive.namelist()) == ["registerutdrag.json", "registerutdrag.pdf"]
    return {
        "rows": rows,
        "gather_ms": round(gather_s * 1000, 1),
        "gather_queries": len(queries),
        "pdf_ms": round(pdf_s * 1000, 1),
        "pdf_pages": pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page"),
        "pdf_kb": round(len(pdf) / 1024, 1),
        "json_ms": round(json_s * 1000, 1),
        "produce_ms": round(produce_s * 1000, 1),
        "zip_kb": round(len(pdf_zip) / 1024, 1),
    }


def _zip_of(copy) -> bytes:
    from subject_copy.services import subject_copy_open

    return subject_copy_open(copy=copy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Subject copy benchmark")
    parser.add_argument("--weeks", type=int, default=100)
    parser.add_argument("--notes", type=int, default=200)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--json", metavar="FILE")
    options = parser.parse_args(argv)
    _setup(options.db)
    import tempfile

    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    settings.EXPORTS_ROOT = tempfile.mkdtemp(prefix="stegvis-bench-copies-")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        small_weeks = max(1, options.weeks // 10)
        small = build(small_weeks, options.notes // 10, options.events // 10, "small")
        large = build(options.weeks, options.notes, options.events, "large")
        result = {
            "db": connection.vendor,
            "cores": os.cpu_count(),
            "small": {"weeks": small_weeks, **measure(*small, options.repeat)},
            "large": {"weeks": options.weeks, **measure(*large, options.repeat)},
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
