"""Benchmark of the daily notification job over the whole data set.

    python -m bench.notifications --scale 10000 --db sqlite|postgres [--json FILE]

On the shared bench data set (bench.data), inside a transaction that is rolled
back (the data set keeps no notifications): ``notifications_daily`` walks every
placement in batches, tells of reviews and follow-ups due or overdue and sends
the digests (the test profile: tasks run at once, e-mail to the in-memory
outbox). Measured: the wall time, the batches, the notifications made, and the
queries of each batch: the same few however many placements a batch holds or
how many are due. The run asserts that no batch exceeds ``BATCH_QUERIES`` and
that a batch of 4× the size costs no more queries
(``queries_per_batch_vs_4x_batch``).
"""

import argparse
import json
import os
import platform
import sys
import time
from unittest import mock

#: The most queries one batch may cost (tests/notifications/test_daily.py pins the same).
BATCH_QUERIES = 8


class _Rollback(Exception):
    pass


def _run(batch_size: int) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from notifications import daily
    from notifications.models import Notification

    per_batch: list[int] = []
    batch_seconds: list[float] = []
    real_batch = daily.due_items_batch

    def counted(ids, *, today):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            told = real_batch(ids, today=today)
        batch_seconds.append(time.perf_counter() - started)
        per_batch.append(len(captured.captured_queries))
        return told

    result: dict = {}
    try:
        with transaction.atomic():
            with mock.patch.object(daily, "due_items_batch", counted):
                started = time.perf_counter()
                run = daily.notifications_daily(today=timezone.localdate(), batch_size=batch_size)
                seconds = time.perf_counter() - started
            result = {
                "batch_size": batch_size,
                "ms": round(seconds * 1000, 1),
                "due_items_ms": round(sum(batch_seconds) * 1000, 1),
                "batch_ms_max": round(max(batch_seconds, default=0) * 1000, 1),
                "batches": run.batches,
                "due_items": run.due_items,
                "notifications": Notification.objects.count(),
                "digests": run.digests,
                "queries_per_batch_max": max(per_batch, default=0),
                "queries_per_batch_min": min(per_batch, default=0),
            }
            raise _Rollback
    except _Rollback:
        pass
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--json")
    parser.add_argument("--sqlite-path", help="a SQLite file instead of var/bench")
    args = parser.parse_args(argv)

    from bench.data import configure, ensure_dataset

    configure(args.scale, args.db, args.sqlite_path)
    ensure_dataset(args.scale, args.db, log=lambda message: print(message, file=sys.stderr))

    from django.db import connection

    from participants.models import Participant
    from placements.models import Placement

    _run(500)  # warm the database's pages: the first pass reads them from disk
    small = _run(500)
    large = _run(2000)
    assert small["queries_per_batch_max"] <= BATCH_QUERIES, small
    assert large["queries_per_batch_max"] <= small["queries_per_batch_max"], (small, large)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    result = {
        "scale": args.scale,
        "db": args.db,
        "database": version,
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "participants": Participant.objects.count(),
        "placements": Placement.objects.count(),
        "batch_500": small,
        "batch_2000": large,
        "queries_per_batch_vs_4x_batch": round(
            large["queries_per_batch_max"] / small["queries_per_batch_max"], 3
        )
        if small["queries_per_batch_max"]
        else None,
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as handle:
            handle.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
