"""Audit benchmark: sealing rate, verify rate, and the cost of access logging.

    python -m bench.audit --events 1000000 --db sqlite --json var/bench-audit.json

Events are bulk-inserted with raw ``executemany`` first (not timed). The
logging overhead compares the participant detail page with ``record_access``
as written and with it replaced by a no-op, and times one ``record_access``.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/stegvis_bench"


def _setup(db: str) -> None:
    if db == "postgres":
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", POSTGRES_URL)
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def insert_events(count: int) -> float:
    from django.db import connection, transaction

    from audit.models import AccessEvent

    def prep(name, value):
        return AccessEvent._meta.get_field(name).get_db_prep_save(value, connection)

    users = [prep("user_id", uuid.uuid4()) for _ in range(200)]
    organisations = [prep("organisation_id", uuid.uuid4()) for _ in range(20)]
    participants = [prep("participant_id", uuid.uuid4()) for _ in range(5000)]
    start_at = datetime.now(UTC) - timedelta(days=30)
    sql = (
        "INSERT INTO audit_accessevent (occurred_at, user_id, role, organisation_id,"
        " participant_id, section, object_type, object_id, action, ip_address, request_id,"
        " result_count) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    began = time.perf_counter()
    batch = []
    with transaction.atomic(), connection.cursor() as cursor:
        for index in range(count):
            batch.append(
                (
                    prep("occurred_at", start_at + timedelta(milliseconds=index)),
                    users[index % 200],
                    "supervisor",
                    organisations[index % 20],
                    participants[index % 5000],
                    "internal_notes",
                    "",
                    "",
                    "view",
                    "192.0.2.10",
                    uuid.uuid4().hex,
                    None,
                )
            )
            if len(batch) == 10_000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    return time.perf_counter() - began


def bench_chain(count: int) -> dict:
    from audit.sealing import seal_pending, verify_chain

    insert_seconds = insert_events(count)
    began = time.perf_counter()
    run = seal_pending(batch_size=5000, now=datetime.now(UTC) + timedelta(minutes=1))
    seal_seconds = time.perf_counter() - began
    assert run.events == count, run
    began = time.perf_counter()
    report = verify_chain()
    verify_seconds = time.perf_counter() - began
    assert report.ok and report.events == count, report.problem
    return {
        "events": count,
        "insert_seconds": round(insert_seconds, 2),
        "seal_seconds": round(seal_seconds, 2),
        "seal_events_per_second": round(count / seal_seconds),
        "seals": run.seals,
        "verify_seconds": round(verify_seconds, 2),
        "verify_events_per_second": round(count / verify_seconds),
    }


def bench_overhead(requests: int) -> dict:
    from django.test import Client, RequestFactory
    from django.urls import NoReverseMatch, reverse

    from accounts.models import Organisation, Role
    from audit import events
    from tests.accounts.signin_helpers import sign_in
    from tests.factories import (
        OrganisationFactory,
        UnitFactory,
        make_active_placement,
        make_participant,
        user_with_role,
    )

    enterprise = OrganisationFactory(kind=Organisation.Kind.ENTERPRISE, name="Bench ASF")
    unit = UnitFactory(organisation=enterprise, name="Bench unit")
    manager = user_with_role(Role.MANAGER, enterprise, username="bench-manager")
    supervisor = user_with_role(Role.SUPERVISOR, enterprise, username="bench-supervisor")
    participant = make_participant(organisation=enterprise, acting_user=manager)
    make_active_placement(
        participant=participant, unit=unit, supervisors=[supervisor], acting_user=manager
    )

    request = RequestFactory().get("/")
    request.user = manager
    request.request_id = "bench-request-id"
    per_call = []
    for _ in range(requests):
        request.__dict__.pop(events.REQUEST_FLAG, None)
        began = time.perf_counter()
        events.record_access(request, action="view", participant_id=participant.pk)
        per_call.append(time.perf_counter() - began)
    result = {"record_access_ms_median": round(statistics.median(per_call) * 1000, 3)}

    try:
        url = reverse("participants:detail", kwargs={"participant_id": participant.pk})
    except NoReverseMatch:
        result["page"] = "participants:detail does not exist; only record_access was timed"
        return result
    import desk.views.participants as participant_views

    client = Client()
    sign_in(client, manager)

    def timed_page() -> float:
        began = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, response.status_code
        return elapsed

    real = participant_views.record_access
    with_logging, without_logging = [], []
    for _ in range(10):  # warm-up
        timed_page()
    for _ in range(requests):
        # Interleaved, so that drift affects both sides alike.
        participant_views.record_access = real
        with_logging.append(timed_page())
        participant_views.record_access = lambda *args, **kwargs: None
        without_logging.append(timed_page())
    participant_views.record_access = real
    with_ms = statistics.median(with_logging) * 1000
    without_ms = statistics.median(without_logging) * 1000
    result.update(
        page="participants:detail (manager, one placement)",
        requests=requests,
        with_logging_ms_median=round(with_ms, 2),
        without_logging_ms_median=round(without_ms, 2),
        ratio=round(with_ms / without_ms, 3),
    )
    return result


def machine(connection) -> dict:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]} (file, WAL)"
        else:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "database": database,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Audit trail benchmark")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--json", metavar="FILE")
    options = parser.parse_args(argv)
    _setup(options.db)
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        result = {
            "machine": machine(connection),
            "chain": bench_chain(options.events),
            "overhead": bench_overhead(options.requests),
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
