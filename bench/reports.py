"""Benchmark of the outcome report and the anonymised export.

    python -m bench.reports --scale 1000 --db sqlite|postgres [--repeat 3] [--json FILE]

On the shared bench data set (bench.data: built through the services' bulk
paths, 40–80 attendance days per started placement), for the last twelve
months and every enterprise:

- the whole report (``outcome_report``): best-of-N wall time and its queries;
- the same SQL alone: the report's statements captured with
  ``CaptureQueriesContext`` and re-run raw on a cursor, fetching every row, in
  the same run — so ``report_vs_sql`` is the cost of Python on top of the
  database (the issue asks for at most 2×);
- the PDF of that report and the anonymised export (disclosure control and the
  four files), each timed on its own.

Compare two scales with ``python -m bench --compare A.json B.json`` or by the
``report_ms`` of each JSON (the issue asks 100k ≤ 12 × 10k).
"""

import argparse
import json
import platform
import sys
import time


def _best(function, repeat: int) -> tuple[float, object]:
    best, result = None, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args(argv)

    from bench.data import configure, ensure_dataset

    configure(args.scale, args.db)
    ensure_dataset(args.scale, args.db, log=lambda message: print(message, file=sys.stderr))

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Organisation
    from placements.models import Attendance, Placement
    from reports.anonymised import build_anonymised_export
    from reports.pdf import report_pdf
    from reports.scope import Period
    from reports.statistics import outcome_report

    today = timezone.localdate()
    period = Period.from_months(f"{today.year - 1}-{today.month:02d}", f"{today:%Y-%m}")
    ids = list(
        Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE).values_list("pk", flat=True)
    )

    def report():
        return outcome_report(period=period, organisation_ids=ids)

    report()  # warm caches (both databases) before timing
    with CaptureQueriesContext(connection) as captured:
        data = report()
    statements = [query["sql"] for query in captured.captured_queries]
    report_seconds, data = _best(report, args.repeat)

    def bare_sql():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    sql_seconds, _ = _best(bare_sql, args.repeat)
    pdf_seconds, pdf = _best(lambda: report_pdf(data), 1)
    export_seconds, bundle = _best(
        lambda: build_anonymised_export(
            report=data,
            threshold=5,
            rounding=False,
            created_by=None,
            created_role="bench",
            parameters={"period": period.code},
        ),
        1,
    )
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
        "period": period.code,
        "placements": Placement.objects.count(),
        "attendance_rows": Attendance.objects.count(),
        "report_ms": round(report_seconds * 1000, 1),
        "report_queries": len(statements),
        "sql_ms": round(sql_seconds * 1000, 1),
        "report_vs_sql": round(report_seconds / sql_seconds, 3) if sql_seconds else None,
        "pdf_ms": round(pdf_seconds * 1000, 1),
        "pdf_bytes": len(pdf),
        "export_ms": round(export_seconds * 1000, 1),
        "export_suppressed_cells": len(bundle.suppressed),
        "in_period": data["counts"]["all"]["in_period"],
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as handle:
            handle.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
