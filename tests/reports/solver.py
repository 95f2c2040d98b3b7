"""The attacker of the disclosure tests: what can someone who knows every published
value of a release (cells, row, column and grand totals of every table, the
ESF+ view) infer about a suppressed count?

Two attacks, written apart from ``reports.disclosure`` so the tests do not
check the protection with its own arithmetic:

- ``release_ranges``: linear programming (scipy's HiGHS) over the *published*
  tables as a funder receives them (``tables.json``), each suppressed value's
  smallest and largest possible value, rounded inwards to whole numbers;
- ``pinned_cells``: integer bounds propagation plus exhaustive search, exact
  for the small tables of the property tests: which suppressed values only one
  whole number fits.
"""

import math

import numpy as np
from scipy.optimize import linprog

from reports.disclosure import CountTable, ProtectedTable, published


def published_table(result: ProtectedTable) -> dict:
    """One protected table as the export publishes it (the shape of tables.json)."""
    rows, columns = result.shape

    def value(i, j):
        return published(result, i, j)

    table = result.table
    return {
        "key": table.key,
        "kind": "counts",
        "row_codes": [code for code, _label in table.rows],
        "column_codes": [code for code, _label in table.columns],
        "cells": [[value(i, j) for j in range(columns - 1)] for i in range(rows - 1)],
        "row_totals": [value(i, columns - 1) for i in range(rows - 1)],
        "column_totals": [value(rows - 1, j) for j in range(columns - 1)],
        "grand_total": value(rows - 1, columns - 1),
    }


def _grid(table: dict, identity: tuple | None) -> list[list[tuple]]:
    """The augmented table as (name, published value or None) per place.

    ``identity`` is (population, row dimension, column dimension): totals of the
    same population and breakdown are one quantity wherever they are printed.
    """
    key = table["key"]
    rows, columns = len(table["row_codes"]), len(table["column_codes"])
    grid = []
    for i in range(rows):
        line = [((key, i, j), table["cells"][i][j]) for j in range(columns)]
        name = (identity[0], identity[1], table["row_codes"][i]) if identity else (key, i, "T")
        line.append((name, table["row_totals"][i]))
        grid.append(line)
    line = []
    for j in range(columns):
        name = (identity[0], identity[2], table["column_codes"][j]) if identity else (key, "T", j)
        line.append((name, table["column_totals"][j]))
    line.append(((identity[0],) if identity else (key, "T", "T"), table["grand_total"]))
    grid.append(line)
    return grid


def entry_name(table: dict, row: str, column: str, identity: tuple | None) -> tuple:
    """The name ``release_equations`` gives the entry at (row code, column code); "total"."""
    i = len(table["row_codes"]) if row == "total" else table["row_codes"].index(row)
    j = len(table["column_codes"]) if column == "total" else table["column_codes"].index(column)
    return _grid(table, identity)[i][j][0]


def release_equations(tables: list[dict], identities: dict) -> tuple[list, dict]:
    """Every published relation as ({name: coefficient}, right-hand side); known values."""
    known: dict = {}
    lines = []
    grids = {}
    for table in tables:
        if table["kind"] != "counts":
            continue
        grid = _grid(table, identities.get(table["key"]))
        grids[table["key"]] = grid
        for row in grid:
            lines.append([(name, 1) for name, _v in row[:-1]] + [(row[-1][0], -1)])
        for j in range(len(grid[0])):
            column = [grid[i][j] for i in range(len(grid))]
            lines.append([(name, 1) for name, _v in column[:-1]] + [(column[-1][0], -1)])
        for row in grid:
            for name, value in row:
                if value is not None:
                    known[name] = value
    for table in tables:
        if table["kind"] != "view":
            continue
        # A view copies rows of the tables above: each printed value equals its source.
        for index, (source, code) in enumerate(table["sources"]):
            grid = grids[source]
            codes = next(t["row_codes"] for t in tables if t["key"] == source)
            i = len(grid) - 1 if code == "total" else codes.index(code)
            values = [*table["cells"][index], table["row_totals"][index]]
            for j, value in enumerate(values):
                name = ("view", table["key"], index, j)
                lines.append([(name, 1), (grid[i][j][0], -1)])
                if value is not None:
                    known[name] = value
    system = []
    for line in lines:
        coefficients: dict = {}
        rhs = 0
        for name, sign in line:
            if name in known:
                rhs -= sign * known[name]
            else:
                coefficients[name] = coefficients.get(name, 0) + sign
        coefficients = {name: c for name, c in coefficients.items() if c}
        if coefficients:
            system.append((coefficients, rhs))
        else:
            assert rhs == 0, "the published values contradict each other"
    return system, known


def true_values(tables: list[CountTable], identities: dict) -> dict:
    """Name → true value of every entry of the tables, named as ``release_equations`` does."""
    truth = {}
    for table in tables:
        augmented = table.augmented()
        everything = {
            "key": table.key,
            "row_codes": [code for code, _label in table.rows],
            "column_codes": [code for code, _label in table.columns],
            "cells": [row[:-1] for row in augmented[:-1]],
            "row_totals": [row[-1] for row in augmented[:-1]],
            "column_totals": augmented[-1][:-1],
            "grand_total": augmented[-1][-1],
        }
        for row in _grid(everything, identities.get(table.key)):
            for name, value in row:
                truth[name] = value
    return truth


def release_ranges(tables: list[dict], identities: dict) -> dict:
    """Every unknown's (min, max) by linear programming (max None: unbounded)."""
    system, _known = release_equations(tables, identities)
    names = sorted({name for coefficients, _rhs in system for name in coefficients}, key=repr)
    column = {name: k for k, name in enumerate(names)}
    matrix = np.zeros((len(system), len(names)))
    rhs = np.zeros(len(system))
    for row, (coefficients, value) in enumerate(system):
        for name, coefficient in coefficients.items():
            matrix[row, column[name]] = coefficient
        rhs[row] = value
    ranges = {}
    for name, k in column.items():
        cost = np.zeros(len(names))
        cost[k] = 1
        low = linprog(cost, A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs")
        assert low.status == 0, low.message
        high = linprog(-cost, A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs")
        top = math.floor(high.x[k] + 1e-6) if high.status == 0 else None
        ranges[name] = (math.ceil(low.x[k] - 1e-6), top)
    return ranges


def narrow_primary_cells(ranges: dict, truth: dict, threshold: int) -> list:
    """Primary counts (1..threshold−1) whose range misses the upper or sliding level."""
    narrow = []
    for name, value in truth.items():
        if not 0 < value < threshold:
            continue
        assert name in ranges, f"{name} = {value} is published"
        low, high = ranges[name]
        if high is not None and (high < threshold or high - low < threshold - 1):
            narrow.append((name, value, (low, high)))
    return narrow


def _variable(table: ProtectedTable, i: int, j: int):
    marginal = table.table.marginal(i, j)
    return ("marginal", marginal) if marginal is not None else (table.table.key, i, j)


def equations(tables: list[ProtectedTable]):
    """Each line as ({variable: coefficient}, right-hand side); the truth per variable."""
    result = []
    truth = {}
    for table in tables:
        rows, columns = table.shape
        lines = [
            [((i, j), 1) for j in range(columns - 1)] + [((i, columns - 1), -1)]
            for i in range(rows)
        ]
        lines += [
            [((i, j), 1) for i in range(rows - 1)] + [((rows - 1, j), -1)] for j in range(columns)
        ]
        for line in lines:
            coefficients: dict = {}
            rhs = 0
            for (i, j), sign in line:
                if table.suppressed(i, j):
                    variable = _variable(table, i, j)
                    coefficients[variable] = coefficients.get(variable, 0) + sign
                    truth[variable] = table.values[i][j]
                else:
                    rhs -= sign * table.values[i][j]
            coefficients = {name: c for name, c in coefficients.items() if c}
            if coefficients:
                result.append((coefficients, rhs))
    return result, truth


def _propagate(system, bounds) -> bool:
    changed = True
    while changed:
        changed = False
        for coefficients, rhs in system:
            for variable, coefficient in coefficients.items():
                low_rest = high_rest = 0
                for other, c in coefficients.items():
                    if other == variable:
                        continue
                    low, high = bounds[other]
                    low_rest += min(c * low, c * high)
                    high_rest += max(c * low, c * high)
                # coefficient * x = rhs - rest
                a, b = rhs - high_rest, rhs - low_rest
                if coefficient > 0:
                    low, high = -(-a // coefficient), b // coefficient
                else:
                    low, high = -(-b // coefficient), a // coefficient
                old_low, old_high = bounds[variable]
                new = (max(old_low, low), min(old_high, high))
                if new[0] > new[1]:
                    return False
                if new != (old_low, old_high):
                    bounds[variable] = new
                    changed = True
    return True


def _feasible(system, bounds) -> bool:
    bounds = dict(bounds)
    if not _propagate(system, bounds):
        return False
    open_variables = [v for v, (low, high) in bounds.items() if low < high]
    if not open_variables:
        return all(
            sum(c * bounds[v][0] for v, c in coefficients.items()) == rhs
            for coefficients, rhs in system
        )
    variable = min(open_variables, key=lambda v: bounds[v][1] - bounds[v][0])
    low, high = bounds[variable]
    for value in range(low, high + 1):
        trial = dict(bounds)
        trial[variable] = (value, value)
        if _feasible(system, trial):
            return True
    return False


def pinned_cells(tables: list[ProtectedTable], *, upper: int) -> list:
    """Suppressed variables that only one whole number fits (given every published number).

    ``upper`` bounds the search: no count exceeds it (the published grand total
    bounds everything; with the grand total suppressed, take a generous bound).
    """
    system, truth = equations(tables)
    variables = set(truth)
    bounds = {variable: (0, upper) for variable in variables}
    pinned = []
    for variable in sorted(variables, key=repr):
        true_value = truth[variable]
        found = False
        for value in sorted(range(0, upper + 1), key=lambda v: abs(v - true_value)):
            if value == true_value:
                continue
            trial = dict(bounds)
            trial[variable] = (value, value)
            if _feasible(system, trial):
                found = True
                break
        if not found:
            pinned.append(variable)
    return pinned
