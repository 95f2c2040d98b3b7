"""An exact interval solver for the disclosure tests: what can an attacker who
knows every published value (cells, row, column and grand totals, of every
table in the export) infer about a suppressed cell?

Integer bounds propagation over the line equations of every augmented table
plus exhaustive search, so it is exact (for the small tables the tests use).
"""

from reports.disclosure import ProtectedTable


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
    """Suppressed variables that only one value fits (given every published number)."""
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
