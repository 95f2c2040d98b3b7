"""Disclosure control: random single and linked tables (hypothesis, derandomised),
attacked by linear programming over everything a release publishes."""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reports.disclosure import (
    ATTRIBUTE,
    PRIMARY,
    SECONDARY,
    CountTable,
    DisclosureError,
    protect,
    protect_release,
    published,
    release_summary,
    round_to_base,
)
from tests.reports.solver import (
    narrow_primary_cells,
    pinned_cells,
    published_table,
    release_ranges,
    true_values,
)

GENDERS = [
    ("woman", "Woman"),
    ("man", "Man"),
    ("non_binary", "Non-binary"),
    ("not_stated", "Not stated"),
]


def table(key, cells, *, population="started", row_dimension=None, columns=None):
    columns = columns or GENDERS[: len(cells[0])]
    return CountTable(
        key=key,
        title=key,
        population=population,
        row_dimension=row_dimension or key,
        column_dimension="gender",
        rows=[(f"r{i}", f"Row {i}") for i in range(len(cells))],
        columns=columns,
        cells=cells,
    )


def identities(tables):
    """What the attacker knows about the links: tables of one population share totals."""
    return {t.key: (t.population, t.row_dimension, t.column_dimension) for t in tables}


def attack(tables, threshold):
    """Protect, publish, and attack the publication; the narrow primary counts."""
    release = protect_release(tables, threshold=threshold)
    links = identities(tables)
    publication = [published_table(result) for result in release.tables]
    ranges = release_ranges(publication, links)
    truth = true_values(tables, links)
    return release, ranges, narrow_primary_cells(ranges, truth, threshold)


def published_values(protected, *, rounding=False, threshold=0):
    for result in protected:
        rows, columns = result.shape
        for i in range(rows):
            for j in range(columns):
                yield published(result, i, j, rounding=rounding, threshold=threshold)


def assert_protected(tables, threshold):
    release, ranges, narrow = attack(tables, threshold)
    assert narrow == []
    values = list(published_values(release.tables))
    assert not any(value is not None and 0 < value < threshold for value in values)
    # Attribute-suppressed zeros must be able to rise (else the group's category is told).
    for result in release.tables:
        rows, columns = result.shape
        for i in range(rows):
            for j in range(columns):
                if result.reasons[i][j] == ATTRIBUTE and result.values[i][j] == 0:
                    low, high = result.ranges[(i, j)]
                    assert high is None or high >= 1
    # The audit's own ranges are the attacker's (one entry per distinct quantity).
    audit = release.audit
    assert audit.passed and audit.solver.startswith("HiGHS") and "scipy" in audit.solver_version
    assert len(audit.entries) == len(ranges)
    return release


cells_strategy = st.integers(min_value=2, max_value=4).flatmap(
    lambda rows: st.integers(min_value=2, max_value=4).flatmap(
        lambda columns: st.lists(
            st.lists(st.integers(min_value=0, max_value=14), min_size=columns, max_size=columns),
            min_size=rows,
            max_size=rows,
        )
    )
)


@st.composite
def linked_cells(draw):
    """Two or three breakdowns of one population by gender (shared gender and grand totals)."""
    first = draw(cells_strategy)
    columns = len(first[0])
    column_totals = [sum(row[j] for row in first) for j in range(columns)]
    tables = [first]
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        rows = draw(st.integers(min_value=2, max_value=3))
        other = [[0] * columns for _ in range(rows)]
        for j, total in enumerate(column_totals):
            cuts = sorted(
                draw(
                    st.lists(
                        st.integers(min_value=0, max_value=total),
                        min_size=rows - 1,
                        max_size=rows - 1,
                    )
                )
            )
            bounds = [0, *cuts, total]
            for i in range(rows):
                other[i][j] = bounds[i + 1] - bounds[i]
        tables.append(other)
    return tables


FLAKY_FIRST = [[0, 0, 1], [3, 0, 1], [13, 1, 13]]
FLAKY_SECOND = [[1, 0, 0], [12, 0, 12], [3, 1, 3]]


def linked(cells_list):
    return [table(f"t{k}", cells, row_dimension=f"d{k}") for k, cells in enumerate(cells_list)]


@settings(max_examples=100, deadline=None, derandomize=True)
@given(cells=cells_strategy, threshold=st.integers(min_value=3, max_value=10))
@example(cells=[[2, 3, 9], [4, 8, 7], [9, 9, 9]], threshold=3)
@example(cells=[[23, 18, 2, 1], [53, 72, 4, 5], [20, 42, 1, 2], [5, 11, 0, 1]], threshold=5)
def test_one_table_no_primary_count_can_be_narrowed(cells, threshold):
    release = assert_protected([table("t", cells)], threshold)
    assert pinned_cells(release.tables, upper=2 * sum(map(sum, cells)) + 4 * threshold) == []


@settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(cells_list=linked_cells(), threshold=st.integers(min_value=3, max_value=10))
# The flaky case: protected table by table, the linked totals pinned 8 suppressed values.
@example(cells_list=[FLAKY_FIRST, FLAKY_SECOND], threshold=3)
def test_linked_tables_sharing_column_and_grand_totals(cells_list, threshold):
    """Breakdowns of the same population by gender: the gender totals and the grand
    total are published in each, so the protection must hold across all of them."""
    release = assert_protected(linked(cells_list), threshold)
    upper = 2 * sum(map(sum, cells_list[0])) + 4 * threshold
    assert pinned_cells(release.tables, upper=upper) == []


def test_the_flaky_linked_case_was_a_disclosure_by_the_old_protection():
    """What the earlier table-by-table protection published for the pinned example:
    from table b, man + non-binary ≥ 15 + 1 leaves the man total at 1 and everything
    around it fixed. The attack proves it; the present protection withstands it."""
    tables = linked([FLAKY_FIRST, FLAKY_SECOND])
    links = identities(tables)
    old = [  # None: suppressed by the earlier protection
        {
            "key": "t0",
            "kind": "counts",
            "row_codes": ["r0", "r1", "r2"],
            "column_codes": ["woman", "man", "non_binary"],
            "cells": [[None, None, None], [3, None, None], [None, None, 13]],
            "row_totals": [None, None, 27],
            "column_totals": [16, None, None],
            "grand_total": 32,
        },
        {
            "key": "t1",
            "kind": "counts",
            "row_codes": ["r0", "r1", "r2"],
            "column_codes": ["woman", "man", "non_binary"],
            "cells": [[None, None, None], [None, None, 12], [None, None, 3]],
            "row_totals": [None, 24, None],
            "column_totals": [16, None, None],
            "grand_total": 32,
        },
    ]
    ranges = release_ranges(old, links)
    assert ranges[("started", "gender", "man")] == (1, 1)
    assert ranges[("t0", 2, 1)] == (1, 1)
    _release, _ranges, narrow = attack(tables, 3)
    assert narrow == []


def test_a_row_of_two_small_counts_beside_published_ones_is_protected():
    # The example: 20 and 42 published, total 65, so 1 + 2 were known to be 0..3.
    cells = [[23, 18, 2, 1], [53, 72, 4, 5], [20, 42, 1, 2], [5, 11, 0, 1]]
    release, ranges, narrow = attack([table("lms", cells)], 5)
    assert narrow == []
    (result,) = release.tables
    for j in (2, 3):
        low, high = result.ranges[(2, j)]
        assert result.reasons[2][j] == PRIMARY
        assert high is None or (high >= 5 and high - low >= 4)


def test_primary_and_secondary_in_a_worked_example():
    # (r0, woman) = 2 is primary; raising it to the threshold means taking one from
    # the smallest counts of its row (3) and column (4), closed by (r1, man).
    (result,) = protect([table("t", [[2, 3, 9], [4, 8, 7], [9, 9, 9]])], threshold=3)
    assert result.reasons[0][0] == PRIMARY
    suppressed = {(i, j) for i in range(4) for j in range(4) if result.suppressed(i, j)}
    assert suppressed == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert {result.reasons[i][j] for i, j in suppressed - {(0, 0)}} == {SECONDARY}
    assert result.ranges[(0, 0)] == (0, 5)  # 2 + min(3, 4) up, 2 − min(2, 8) down


def test_a_group_all_in_one_category_is_flagged_and_suppressed():
    release = assert_protected([table("t", [[7, 0, 0], [5, 6, 8], [6, 9, 5]])], 5)
    (result,) = release.tables
    assert {"row": "r0", "reason": ATTRIBUTE} in result.flags
    assert all(result.suppressed(0, j) for j in range(4))
    assert pinned_cells(release.tables, upper=80) == []


def test_published_zeros_are_values_and_no_zero_is_primary():
    cells = [[0, 0, 0], [9, 12, 7], [8, 5, 6]]
    (result,) = protect([table("t", cells)], threshold=5)
    assert not any(reason == PRIMARY for row in result.reasons for reason in row)
    assert [published(result, 0, j) for j in range(4)] == [0, 0, 0, 0]


def test_linked_totals_that_disagree_are_refused():
    first = table("a", [[5, 6], [7, 8]], row_dimension="a")
    second = table("b", [[5, 6], [7, 9]], row_dimension="b")
    with pytest.raises(DisclosureError, match="share the total"):
        protect([first, second], threshold=3)


def test_the_summary_counts_suppressed_cells_and_people():
    release = protect_release([table("t", [[2, 3, 9], [4, 8, 7], [9, 9, 9]])], threshold=3)
    summary = release_summary(release)
    assert summary["cells"] == 16 and summary["suppressed_cells"] == 4
    assert summary["population"] == 60 and summary["in_suppressed_cells"] == 2 + 3 + 4 + 8
    assert summary["population_share"] == round(17 / 60, 4)
    assert summary["passed"] is True and summary["solver_version"].startswith("scipy")


def test_without_the_audit_the_protection_is_the_same():
    tables = linked([FLAKY_FIRST, FLAKY_SECOND])
    audited = protect_release(tables, threshold=3)
    plain = protect_release(tables, threshold=3, audit=False)
    assert plain.audit is None
    assert [t.reasons for t in plain.tables] == [t.reasons for t in audited.tables]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(cells=cells_strategy, threshold=st.integers(min_value=3, max_value=10))
def test_rounding_never_publishes_a_small_count(cells, threshold):
    protected = protect([table("t", cells)], threshold=threshold)
    values = list(published_values(protected, rounding=True, threshold=threshold))
    assert not any(value is not None and 0 < value < threshold for value in values)
    assert all(value is None or value % 5 == 0 for value in values)


def test_round_to_base():
    assert [round_to_base(v) for v in (0, 5, 7, 8, 12, 13)] == [0, 5, 5, 10, 10, 15]
    assert round_to_base(7, threshold=8) == 10
