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
  four files), each timed on its own;
- the disclosure control of that national export alone, with the audit (every
  suppressed cell's range by linear programming over all linked tables) and
  without it, and the whole export without the audit, in the same run: the
  audit's cost, its number of linear programs and what was suppressed.

Compare two scales with ``python -m bench --compare A.json B.json`` or by the
``report_ms`` of each JSON (the issue asks 100k ≤ 12 × 10k).
"""

import argparse
import json
import os
import platform
import sys
import time
from functools import partial
from unittest import mock


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
    parser.add_argument("--sqlite-path", help="a SQLite file instead of var/bench")
    args = parser.parse_args(argv)

    from bench.data import configure, ensure_dataset

    configure(args.scale, args.db, args.sqlite_path)
    ensure_dataset(args.scale, args.db, log=lambda message: print(message, file=sys.stderr))

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Organisation
    from placements.models import Attendance, Placement
    from reports import disclosure
    from reports.anonymised import build_anonymised_export, count_tables
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

    def export():
        return build_anonymised_export(
            report=data,
            threshold=5,
            rounding=False,
            created_by=None,
            created_role="bench",
            parameters={"period": period.code},
        )

    export_seconds, bundle = _best(export, args.repeat)
    tables = count_tables(data)
    protect_seconds, release = _best(
        lambda: disclosure.protect_release(tables, threshold=5), args.repeat
    )
    unaudited_seconds, _ = _best(
        lambda: disclosure.protect_release(tables, threshold=5, audit=False), args.repeat
    )
    # The same export with the audit switched off, for the difference it makes.
    unaudited = partial(disclosure.protect_release, audit=False)
    with mock.patch.object(disclosure, "protect_release", unaudited):
        export_unaudited_seconds, _ = _best(export, args.repeat)
    summary = disclosure.release_summary(release)
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
        "export_no_audit_ms": round(export_unaudited_seconds * 1000, 1),
        "export_suppressed_cells": len(bundle.suppressed),
        "protection_ms": round(protect_seconds * 1000, 1),
        "protection_no_audit_ms": round(unaudited_seconds * 1000, 1),
        "audit_ms": round((protect_seconds - unaudited_seconds) * 1000, 1),
        "linear_programs": release.audit.linear_programs,
        "solver": release.audit.solver_version,
        "table_cells": summary["cells"],
        "suppressed_cells": summary["suppressed_cells"],
        "suppressed_cell_share": summary["suppressed_cell_share"],
        "suppressed_population_share": summary["population_share"],
        "primary_cells": sum(
            1
            for result in release.tables
            for row in result.reasons
            for r in row
            if r == disclosure.PRIMARY
        ),
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
