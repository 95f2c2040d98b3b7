"""Differencing: two releases to the same recipient whose scopes overlap, attacked together.

The attacker holds both releases' tables.json and knows how their scopes
relate: the larger scope is the smaller one plus a *difference* (the smallest
enterprise; one more month), whose tables are unknown, never negative and add
up like any count table. Written apart from ``reports.differencing``: the
difference's true counts come from the statistics of its own scope, and every
count of 1..threshold−1 in either release or in the difference must keep its
protection levels over everything both releases publish.
"""

import json
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from accounts.models import Organisation
from demo.builder import seed_demo
from reports.anonymised import DETAILED, count_tables
from reports.differencing import MAX_JOINT_RELEASES, ReleaseRefused, Scope, joint_context
from reports.models import Release
from reports.scope import Period
from reports.service import release_make
from reports.statistics import outcome_report
from tests.reports.solver import _grid, release_equations, true_values

pytestmark = pytest.mark.slow

TODAY = date(2026, 11, 27)
THRESHOLD = 5


@pytest.fixture
def demo(db, english):
    seed_demo(participants=150, seed=7, today=TODAY)
    return Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)


@pytest.fixture
def funder(db):
    return Organisation.objects.create(kind=Organisation.Kind.FUNDER, name="Fonden")


def release(period: Period, ids, funder) -> dict:
    report = outcome_report(period=period, organisation_ids=ids, as_of=TODAY)
    bundle = release_make(
        report=report,
        organisation_ids=ids,
        period=period,
        threshold=THRESHOLD,
        rounding=False,
        grouping=DETAILED,
        recipient_id=funder.pk,
        acting_user=None,
        role="test",
        parameters={"period": period.code},
    )
    return json.loads(bundle.files["tables.json"])


def identities(tag: str, tables) -> dict:
    return {t.key: (f"{t.population}@{tag}", t.row_dimension, t.column_dimension) for t in tables}


def renamed(tables_json: dict, tag: str) -> list[dict]:
    """The release's tables with keys of their own (the attacker holds two releases)."""
    result = []
    for table in tables_json["tables"]:
        if table["kind"] == "measures":
            continue
        copy = dict(table, key=f"{table['key']}@{tag}")
        if table["kind"] == "view":
            copy["sources"] = [[f"{source}@{tag}", code] for source, code in table["sources"]]
        result.append(copy)
    return result


def unknown(table: dict) -> dict:
    """The difference's table: the same shape, nothing known."""
    rows, columns = len(table["row_codes"]), len(table["column_codes"])
    return dict(
        table,
        cells=[[None] * columns for _ in range(rows)],
        row_totals=[None] * rows,
        column_totals=[None] * columns,
        grand_total=None,
    )


def joint_ranges(small: dict, large: dict, difference_of: set, links: dict) -> dict:
    """Every unknown's (min, max) over both releases and the difference tables.

    ``difference_of``: table keys that add up (large = small + difference);
    ``links``: key → (population, row dimension, column dimension).
    """
    tables = renamed(small, "small") + renamed(large, "large")
    differences = [
        unknown(dict(t, key=f"{t['key']}@difference"))
        for t in small["tables"]
        if t["kind"] == "counts" and t["key"] in difference_of
    ]
    identity = {}
    for tag in ("small", "large", "difference"):
        for key, (population, rows, columns) in links.items():
            identity[f"{key}@{tag}"] = (f"{population}@{tag}", rows, columns)
    system, known = release_equations(tables + differences, identity)
    by_key = {t["key"]: t for t in tables + differences}
    for key in difference_of:
        grids = [
            _grid(by_key[f"{key}@{tag}"], identity[f"{key}@{tag}"])
            for tag in ("large", "small", "difference")
        ]
        for i, row in enumerate(grids[0]):
            for j, (name, _value) in enumerate(row):
                names = [name, grids[1][i][j][0], grids[2][i][j][0]]
                coefficients: dict = {}
                rhs = 0
                for entry, sign in zip(names, (1, -1, -1), strict=True):
                    if entry in known:
                        rhs -= sign * known[entry]
                    else:
                        coefficients[entry] = coefficients.get(entry, 0) + sign
                if coefficients:
                    system.append((coefficients, rhs))
                else:
                    assert rhs == 0
    names = sorted({name for coefficients, _rhs in system for name in coefficients}, key=repr)
    column = {name: k for k, name in enumerate(names)}
    matrix = np.zeros((len(system), len(names)))
    rhs_vector = np.zeros(len(system))
    for row, (coefficients, value) in enumerate(system):
        for name, coefficient in coefficients.items():
            matrix[row, column[name]] = coefficient
        rhs_vector[row] = value
    ranges = {}
    for name, k in column.items():
        cost = np.zeros(len(names))
        cost[k] = 1
        low = linprog(cost, A_eq=matrix, b_eq=rhs_vector, bounds=(0, None), method="highs")
        assert low.status == 0, low.message
        high = linprog(-cost, A_eq=matrix, b_eq=rhs_vector, bounds=(0, None), method="highs")
        top = int(np.floor(high.x[k] + 1e-6)) if high.status == 0 else None
        ranges[name] = (int(np.ceil(low.x[k] - 1e-6)), top)
    return ranges


def narrowed(ranges: dict, truth: dict) -> list:
    found = []
    for name, value in truth.items():
        if not 0 < value < THRESHOLD:
            continue
        assert name in ranges, f"{name} = {value} can be read off the releases"
        low, high = ranges[name]
        if high is not None and (high < THRESHOLD or high - low < THRESHOLD - 1):
            found.append((name, value, (low, high)))
    return found


def truth_of(period: Period, ids, tag: str) -> dict:
    report = outcome_report(period=period, organisation_ids=ids, as_of=TODAY)
    tables = count_tables(report)
    return true_values(tables, identities(tag, tables)), tables


def tagged(truth: dict, tag: str) -> dict:
    result = {}
    for name, value in truth.items():
        if len(name) == 3 and isinstance(name[1], int):
            name = (f"{name[0]}@{tag}", name[1], name[2])
        result[name] = value
    return result


def assert_no_narrowed_cell(small_scope, large_scope, difference_scope, difference_of, funder):
    small = release(*small_scope, funder)
    large = release(*large_scope, funder)
    truth = {}
    links = None
    for tag, (period, ids) in (
        ("small", small_scope),
        ("large", large_scope),
        ("difference", difference_scope),
    ):
        values, tables = truth_of(period, ids, tag)
        if tag == "difference":  # only the tables that add up have a difference
            linked = {t.population for t in tables if t.key in difference_of}
            values = {
                name: value
                for name, value in values.items()
                if (name[0].split("@")[0] if "@" in name[0] else None) in linked
                or (name[0] in difference_of)
            }
        truth.update(tagged(values, tag))
        links = {t.key: (t.population, t.row_dimension, t.column_dimension) for t in tables}
    difference_truth = {k: v for k, v in truth.items() if "difference" in repr(k)}
    assert any(0 < v < THRESHOLD for v in difference_truth.values())  # there is something to hide
    ranges = joint_ranges(small, large, difference_of, links)
    assert narrowed(ranges, truth) == []
    assert Release.objects.count() == 2
    later = Release.objects.order_by("created_at").last()
    assert later.summary["audited_with_earlier_releases"] == [
        str(Release.objects.order_by("created_at").first().pk)
    ]
    return small, large


ADDITIVE_OVER_MONTHS = {
    "started_lms",
    "started_age",
    "started_education",
    "started_disability",
    "started_foreign_background",
    "started_newly_arrived",
    "started_programme",
    "exit_outcome",
    "follow_up_day_28",
    "follow_up_month_6",
}


def test_all_enterprises_and_all_but_the_smallest(demo, funder):
    period = Period.parse("2025-05:2026-11")
    enterprises = list(demo)
    sizes = {
        org.pk: outcome_report(period=period, organisation_ids=[org.pk], as_of=TODAY)["counts"][
            "all"
        ]["in_period"]
        for org in enterprises
    }
    smallest = min(sizes, key=sizes.get)
    rest = [pk for pk in sizes if pk != smallest]
    every = list(sizes)
    small, large = assert_no_narrowed_cell(
        (period, rest),
        (period, every),
        (period, [smallest]),
        ADDITIVE_OVER_MONTHS | {"active_programme"},
        funder,
    )
    # The second release withheld more than the first alone would have.
    assert (
        sum(row.count(None) for t in large["tables"] if t["kind"] == "counts" for row in t["cells"])
        > 0
    )


def test_a_period_and_the_same_period_plus_one_month(demo, funder):
    ids = list(demo.values_list("pk", flat=True))
    assert_no_narrowed_cell(
        (Period.parse("2025-05:2026-10"), ids),
        (Period.parse("2025-05:2026-11"), ids),
        (Period.parse("2026-11:2026-11"), ids),
        ADDITIVE_OVER_MONTHS,
        funder,
    )


def test_too_many_overlapping_releases_are_refused_in_swedish(demo, funder):
    ids = list(demo.values_list("pk", flat=True))
    period = Period.parse("2026-01:2026-06")
    report = outcome_report(period=period, organisation_ids=ids, as_of=TODAY)
    tables = count_tables(report)
    scope = Scope.of(
        organisation_ids=ids,
        first_month=period.first_month,
        last_month=period.last_month,
        as_of=TODAY,
    )
    earlier = [
        Release(
            organisation_ids=[str(ids[0])],
            first_month=period.first_month,
            last_month=period.last_month,
            as_of=TODAY,
            threshold=5,
        )
    ] * (MAX_JOINT_RELEASES + 1)
    from django.utils import translation

    with translation.override("sv"), pytest.raises(ReleaseRefused) as refused:
        joint_context(tables, scope=scope, earlier=earlier)
    assert "kan inte skyddas" in refused.value.message


# --- random tables: a release, then a larger one (the first plus a small part) -------

SMALL_CELLS = st.lists(
    st.lists(st.integers(min_value=0, max_value=12), min_size=3, max_size=3),
    min_size=2,
    max_size=3,
)
PART_CELLS = st.lists(
    st.lists(st.integers(min_value=0, max_value=3), min_size=3, max_size=3),
    min_size=2,
    max_size=3,
)


def _count_table(cells, *, population="started"):
    from reports.disclosure import CountTable

    return CountTable(
        key="t",
        title="t",
        population=population,
        row_dimension="d",
        column_dimension="gender",
        rows=[(f"r{i}", f"r{i}") for i in range(len(cells))],
        columns=[("woman", "W"), ("man", "M"), ("non_binary", "N")],
        cells=cells,
    )


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(base=SMALL_CELLS, part=PART_CELLS, threshold=st.integers(min_value=3, max_value=5))
@example(base=[[5, 6, 0], [7, 8, 0]], part=[[1, 0, 0], [0, 2, 0]], threshold=3)
def test_random_release_and_the_same_plus_a_small_enterprise(base, part, threshold):
    from reports import disclosure
    from reports.differencing import stored_tables
    from tests.reports.solver import published_table

    rows = min(len(base), len(part))
    base, part = base[:rows], part[:rows]
    larger = [[a + b for a, b in zip(r, s, strict=True)] for r, s in zip(base, part, strict=True)]
    months = {"first_month": date(2026, 1, 1), "last_month": date(2026, 6, 1)}
    first = disclosure.protect_release([_count_table(base)], threshold=threshold)
    earlier = Release(
        organisation_ids=["a"],
        as_of=TODAY,
        threshold=threshold,
        tables=stored_tables(first),
        **months,
    )
    scope = Scope.of(organisation_ids=["a", "b"], as_of=TODAY, **months)
    tables = [_count_table(larger)]
    second = disclosure.protect_release(
        tables, threshold=threshold, context=joint_context(tables, scope=scope, earlier=[earlier])
    )
    links = {"t": ("started", "d", "gender")}
    ranges = joint_ranges(
        {"tables": [published_table(t) for t in first.tables]},
        {"tables": [published_table(t) for t in second.tables]},
        {"t"},
        links,
    )
    truth = {}
    for tag, cells in (("small", base), ("large", larger), ("difference", part)):
        table = _count_table(cells)
        truth.update(tagged(true_values([table], identities(tag, [table])), tag))
    found = [
        (name, value, ranges.get(name))
        for name, value in truth.items()
        if 0 < value < threshold
        and name in ranges
        and ranges[name][1] is not None
        and (ranges[name][1] < threshold or ranges[name][1] - ranges[name][0] < threshold - 1)
    ]
    published_small = [
        name for name, value in truth.items() if 0 < value < threshold and name not in ranges
    ]
    assert found == [] and published_small == []
