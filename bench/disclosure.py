"""Benchmark of the disclosure control of a national anonymised export, alone.

    python -m bench.disclosure [--participants 100000] [--seed 7] [--repeat 3] [--json FILE]

Builds no database: the grouped rows the outcome report hands to the export (one
row per combination of codes, as ``reports.statistics`` returns them) are drawn
for N participants at random (seeded) with the demo's skew: few non-binary and
not-stated participants, rare exit outcomes, follow-ups partly recorded. Then, in
the same run, best of ``--repeat``:

- ``protect_release`` of all count tables with the audit (every suppressed cell's
  range by linear programming over all linked tables) and without it;
- the whole anonymised export (protection, ESF+ view, measures, CSV, XLSX,
  tables.json, manifest) with the audit and without it.

The outcome report's queries at that scale are measured by ``bench.reports`` on
the bench database (docs/performance.md); this isolates the disclosure control.
"""

import argparse
import json
import os
import platform
import sys
import time
from functools import partial
from unittest import mock


def _best(function, repeat: int):
    best, result = None, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def national_report(participants: int, seed: int, leave_out: int = 0) -> dict:
    """A report dict of N participants (one placement each) with the demo's skew.

    ``leave_out``: the last participants (a small enterprise) are not counted; the
    same seed draws the same people, so the two reports differ by those only.
    """
    import numpy as np

    from casework.models import FollowUp, Outcome
    from participants.models import EducationLevel, Gender, LabourMarketStatus
    from placements.models import Programme
    from reports.statistics import AgeBand

    random = np.random.default_rng(seed)

    def draw(codes, weights):
        weights = np.array(weights, dtype=float)
        return random.choice(
            np.array(codes, dtype=object), size=participants, p=weights / weights.sum()
        )

    gender = draw(Gender.values, [44, 52, 1.5, 2.5])
    lms = draw(LabourMarketStatus.values, [22, 50, 24, 4])
    age = draw([code for code, _l in AgeBand.choices], [1, 27, 55, 17])
    education = draw(EducationLevel.values, [38, 43, 11, 8][: len(EducationLevel.values)])
    programme = draw(Programme.values, [40, 16, 15, 15, 8, 6])
    disability = random.random(participants) < 0.35
    foreign = random.random(participants) < 0.35
    newly = random.random(participants) < 0.09
    started = random.random(participants) < 0.6
    ended = random.random(participants) < 0.4
    outcome = draw(Outcome.values, [17, 10, 0.5, 12, 21, 11, 13, 6, 9.5])
    placements: dict = {}
    counted = participants - leave_out
    for k in range(counted):
        key = (
            programme[k],
            gender[k],
            age[k],
            education[k],
            lms[k],
            bool(disability[k]),
            bool(foreign[k]),
            bool(newly[k]),
        )
        row = placements.get(key)
        if row is None:
            row = placements[key] = {
                "g_programme": key[0],
                "g_gender": key[1],
                "g_age_band": key[2],
                "g_education": key[3],
                "g_labour_market_status": key[4],
                "g_disability": key[5],
                "g_foreign_background": key[6],
                "g_newly_arrived": key[7],
                "in_period": 0,
                "started": 0,
                "active": 0,
                "ended": 0,
                **{f"outcome_{code}": 0 for code in Outcome.values},
            }
        row["in_period"] += 1
        row["started"] += int(started[k])
        if ended[k]:
            row["ended"] += 1
            row[f"outcome_{outcome[k]}"] += 1
        else:
            row["active"] += 1
    statuses = FollowUp.Status.values
    follow_ups: dict = {}
    ended_at = np.flatnonzero(ended[:counted])
    for kind, done_share in ((FollowUp.Kind.DAY_28, 0.8), (FollowUp.Kind.MONTH_6, 0.45)):
        found = random.choice(np.array(statuses, dtype=object), size=len(ended_at))
        done = random.random(len(ended_at)) < done_share
        for position, k in enumerate(ended_at):
            key = (kind, gender[k])
            row = follow_ups.setdefault(
                key,
                {
                    "kind": kind,
                    "g_gender": gender[k],
                    "exits": 0,
                    "due": 0,
                    "done": 0,
                    **{f"status_{code}": 0 for code in statuses},
                },
            )
            row["exits"] += 1
            row["due"] += 1
            if done[position]:
                row["done"] += 1
                row[f"status_{found[position]}"] += 1
    by_programme = {code: int((programme[:counted] == code).sum()) for code in Programme.values}
    return {
        "period": "national",
        "as_of": "2026-12-01",
        "organisations": [{"name": f"Enterprise {n}"} for n in range(participants // 2000 + 1)],
        "groups": {
            "placements": list(placements.values()),
            "follow_ups": list(follow_ups.values()),
        },
        "counts": {"by": {"programme": {c: {"in_period": n} for c, n in by_programme.items()}}},
        "attendance": {"by": {"programme": {c: {"rate": 0.8} for c in by_programme}}},
        "time_in_programme": {
            "by": {
                "programme": {
                    c: {"n": n, "q1": 60, "median": 120, "q3": 200} for c, n in by_programme.items()
                }
            }
        },
        "progress": {"areas": [], "all": {}},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import scipy

    from reports import disclosure
    from reports.anonymised import DETAILED, MERGED, build_anonymised_export, count_tables

    started = time.perf_counter()
    report = national_report(args.participants, args.seed)
    build_seconds = time.perf_counter() - started
    result: dict = {
        "participants": args.participants,
        "grouped_rows": len(report["groups"]["placements"]),
        "build_s": round(build_seconds, 2),
        "python": platform.python_version(),
        "scipy": scipy.__version__,
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "load_average_before": os.getloadavg()[0],
    }
    for grouping in (DETAILED, MERGED):
        tables = count_tables(report, grouping)
        audited_s, release = _best(
            lambda tables=tables: disclosure.protect_release(tables, threshold=5), args.repeat
        )
        plain_s, _ = _best(
            lambda tables=tables: disclosure.protect_release(tables, threshold=5, audit=False),
            args.repeat,
        )

        def export(grouping=grouping):
            return build_anonymised_export(
                report=report,
                threshold=5,
                rounding=False,
                created_by=None,
                created_role="bench",
                parameters={},
                grouping=grouping,
            )

        export_s, _bundle = _best(export, args.repeat)
        unaudited = partial(disclosure.protect_release, audit=False)
        with mock.patch.object(disclosure, "protect_release", unaudited):
            export_plain_s, _ = _best(export, args.repeat)
        summary = disclosure.release_summary(release)
        result[grouping] = {
            "protection_with_audit_ms": round(audited_s * 1000, 1),
            "protection_without_audit_ms": round(plain_s * 1000, 1),
            "export_with_audit_ms": round(export_s * 1000, 1),
            "export_without_audit_ms": round(export_plain_s * 1000, 1),
            "linear_programs": release.audit.linear_programs,
            "cells": summary["cells"],
            "suppressed_cells": summary["suppressed_cells"],
            "population_share": summary["population_share"],
        }
    # Differencing: the national release audited together with an earlier one of
    # every enterprise but a small one (the last 60 participants), same months.
    from datetime import date

    from reports.differencing import Scope, joint_context, stored_tables
    from reports.models import Release

    small = 60
    months = {"first_month": date(2025, 12, 1), "last_month": date(2026, 11, 1)}
    everyone = [f"e{n}" for n in range(2)]
    earlier_report = national_report(args.participants, args.seed, leave_out=small)
    earlier_release = disclosure.protect_release(
        count_tables(earlier_report, DETAILED), threshold=5
    )
    earlier = Release(
        organisation_ids=everyone[:1],
        as_of=date(2026, 12, 1),
        threshold=5,
        tables=stored_tables(earlier_release),
        **months,
    )
    scope = Scope.of(organisation_ids=everyone, as_of=date(2026, 12, 1), **months)
    tables = count_tables(report, DETAILED)

    def joint():
        context = joint_context(tables, scope=scope, earlier=[earlier])
        return disclosure.protect_release(tables, threshold=5, context=context)

    joint_s, joint_release = _best(joint, 1)
    summary = disclosure.release_summary(joint_release)
    result["joint_with_all_but_a_small_enterprise"] = {
        "small_enterprise_participants": small,
        "protection_with_audit_ms": round(joint_s * 1000, 1),
        "linear_programs": joint_release.audit.linear_programs,
        "suppressed_cells": summary["suppressed_cells"],
        "population_share": summary["population_share"],
    }
    result["load_average_after"] = os.getloadavg()[0]
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as handle:
            handle.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
