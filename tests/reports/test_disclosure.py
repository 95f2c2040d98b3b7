"""Disclosure control: random tables (hypothesis), checked by an exact solver."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.disclosure import (
    ATTRIBUTE,
    PRIMARY,
    CountTable,
    protect,
    published,
    round_to_base,
)
from tests.reports.solver import pinned_cells

GENDERS = [("woman", "Woman"), ("man", "Man"), ("non_binary", "Non-binary")]


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


def published_values(protected, *, rounding=False, threshold=0):
    for result in protected:
        rows, columns = result.shape
        for i in range(rows):
            for j in range(columns):
                yield published(result, i, j, rounding=rounding, threshold=threshold)


cells_strategy = st.integers(min_value=2, max_value=4).flatmap(
    lambda rows: st.integers(min_value=2, max_value=3).flatmap(
        lambda columns: st.lists(
            st.lists(st.integers(min_value=0, max_value=14), min_size=columns, max_size=columns),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=cells_strategy, threshold=st.integers(min_value=3, max_value=10))
def test_one_table_no_small_cell_and_nothing_pinned(cells, threshold):
    protected = protect([table("t", cells)], threshold=threshold)
    assert not any(
        value is not None and 0 < value < threshold for value in published_values(protected)
    )
    upper = sum(map(sum, cells)) + 2
    assert pinned_cells(protected, upper=upper) == []


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=cells_strategy,
    second_rows=st.integers(min_value=2, max_value=3),
    threshold=st.integers(min_value=3, max_value=10),
    data=st.data(),
)
def test_linked_tables_sharing_column_and_grand_totals(first, second_rows, threshold, data):
    """Two breakdowns of the same population by gender: the gender totals and the
    grand total are published in both, so a suppression must hold across both."""
    columns = len(first[0])
    column_totals = [sum(row[j] for row in first) for j in range(columns)]
    # A second partition of the same people: split every column total over the rows.
    second = [[0] * columns for _ in range(second_rows)]
    for j, total in enumerate(column_totals):
        cuts = sorted(
            data.draw(
                st.lists(
                    st.integers(min_value=0, max_value=total),
                    min_size=second_rows - 1,
                    max_size=second_rows - 1,
                )
            )
        )
        bounds = [0, *cuts, total]
        for i in range(second_rows):
            second[i][j] = bounds[i + 1] - bounds[i]
    protected = protect(
        [table("a", first, row_dimension="a"), table("b", second, row_dimension="b")],
        threshold=threshold,
    )
    assert not any(
        value is not None and 0 < value < threshold for value in published_values(protected)
    )
    upper = sum(column_totals) + 2
    assert pinned_cells(protected, upper=upper) == []


@settings(max_examples=60, deadline=None)
@given(cells=cells_strategy, threshold=st.integers(min_value=3, max_value=10))
def test_rounding_never_publishes_a_small_count(cells, threshold):
    protected = protect([table("t", cells)], threshold=threshold)
    values = list(published_values(protected, rounding=True, threshold=threshold))
    assert not any(value is not None and 0 < value < threshold for value in values)
    assert all(value is None or value % 5 == 0 for value in values)


def test_primary_and_secondary_in_a_worked_example():
    # Row r0 has a 2 (primary); the smallest other cell in its row (3) and in
    # its column (4) are suppressed too, and the cycle is closed by (r1, man).
    protected = protect([table("t", [[2, 3, 9], [4, 8, 7], [9, 9, 9]])], threshold=3)
    (result,) = protected
    assert result.reasons[0][0] == PRIMARY
    suppressed = {(i, j) for i in range(4) for j in range(4) if result.suppressed(i, j)}
    assert {(0, 0), (0, 1), (1, 0), (1, 1)} <= suppressed
    assert pinned_cells(protected, upper=80) == []


def test_a_group_all_in_one_category_is_flagged_and_suppressed():
    protected = protect([table("t", [[7, 0, 0], [5, 6, 8], [6, 9, 5]])], threshold=5)
    (result,) = protected
    assert {"row": "r0", "reason": ATTRIBUTE} in result.flags
    assert all(result.suppressed(0, j) for j in range(4))
    assert pinned_cells(protected, upper=80) == []


def test_round_to_base():
    assert [round_to_base(v) for v in (0, 5, 7, 8, 12, 13)] == [0, 5, 5, 10, 10, 15]
    assert round_to_base(7, threshold=8) == 10
