"""Statistical disclosure control for count tables (the anonymised funder export).

Each table is handled as its *augmented* table: the interior cells plus a
totals column (row totals), a totals row (column totals) and the grand total.
Every line of the augmented table (each row and each column, the totals
included) is a published linear equation, so:

1. **Primary suppression**: every entry, totals included, with
   ``0 < n < threshold``.
2. **Attribute disclosure**: a group (a row or a column with a positive total)
   whose members all fall in one category is flagged; the whole line and its
   total are suppressed, because the published zeros alone would tell every
   member's category.
3. **Secondary suppression**, iterated until nothing changes:
   * every line with a suppressed entry has at least two (classic rule: the
     smallest non-zero unsuppressed entry of the line, interior cells before
     totals, zeros only when nothing else is left);
   * no suppressed entry is a *bridge* of the graph whose vertices are the
     lines and whose edges are the suppressed entries: a bridge is fixed by the
     line equations even when every line has two suppressed entries (two
     suppressed cycles joined by one cell), so an entry that closes a cycle
     through it is suppressed;
   * every suppressed entry can be moved by one along a cycle without making
     a count negative (a suppressed zero must be able to rise), else more
     positive entries around it are suppressed;
   * linked tables: a total published in several tables (the same marginal —
     same population, same breakdown and category — or the same grand total)
     is suppressed everywhere if it is suppressed anywhere.

   With every suppressed entry on a cycle of suppressed entries and the cycle's
   entries positive, adding and subtracting one around the cycle gives another
   table with the same published values: no suppressed entry can be pinned to
   one value (tests/reports/test_disclosure.py checks this with an
   exact solver on random tables).
4. **Rounding** to base 5 (optional) of what is published; a count that would
   round into 1..threshold−1 is rounded up to the first multiple of five at or
   above the threshold.
"""

import math
from dataclasses import dataclass, field

PRIMARY = "primary"
SECONDARY = "secondary"
ATTRIBUTE = "attribute"
LINKED = "linked"
TOTAL = "total"

REASONS = {
    PRIMARY: "fewer than the threshold",
    SECONDARY: "could otherwise be recomputed from published totals",
    ATTRIBUTE: "every member of the group falls in one category",
    LINKED: "the same total is suppressed in another table",
}


@dataclass
class CountTable:
    """A two-way table of counts with its row, column and grand totals.

    Totals are the sums of the cells. ``population`` names what is counted;
    tables with the same population share their grand total, and their row
    (column) totals when they share the row (column) breakdown.
    """

    key: str
    title: str
    population: str
    row_dimension: str
    column_dimension: str
    rows: list[tuple[str, str]]
    columns: list[tuple[str, str]]
    cells: list[list[int]]
    row_title: str = ""
    column_title: str = ""

    def augmented(self) -> list[list[int]]:
        rows = [list(row) + [sum(row)] for row in self.cells]
        column_totals = [sum(row[j] for row in self.cells) for j in range(len(self.columns))]
        rows.append(column_totals + [sum(column_totals)])
        return rows

    def marginal(self, i: int, j: int) -> tuple | None:
        """The shared identity of a total entry of the augmented table (None: interior)."""
        last_row, last_column = len(self.rows), len(self.columns)
        if i == last_row and j == last_column:
            return (self.population,)
        if j == last_column:
            return (self.population, self.row_dimension, self.rows[i][0])
        if i == last_row:
            return (self.population, self.column_dimension, self.columns[j][0])
        return None


@dataclass
class ProtectedTable:
    table: CountTable
    values: list[list[int]]
    reasons: list[list[str | None]]
    flags: list[dict] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.values), len(self.values[0])

    def is_total(self, i: int, j: int) -> bool:
        rows, columns = self.shape
        return i == rows - 1 or j == columns - 1

    def line(self, axis: str, index: int) -> list[tuple[int, int]]:
        rows, columns = self.shape
        if axis == "row":
            return [(index, j) for j in range(columns)]
        return [(i, index) for i in range(rows)]

    def lines(self):
        rows, columns = self.shape
        for i in range(rows):
            yield self.line("row", i)
        for j in range(columns):
            yield self.line("column", j)

    def suppressed(self, i: int, j: int) -> bool:
        return self.reasons[i][j] is not None

    def code(self, i: int, j: int) -> tuple[str, str]:
        rows, columns = self.shape
        row = TOTAL if i == rows - 1 else self.table.rows[i][0]
        column = TOTAL if j == columns - 1 else self.table.columns[j][0]
        return row, column


def _suppress(table: ProtectedTable, i: int, j: int, reason: str) -> bool:
    if table.reasons[i][j] is None:
        table.reasons[i][j] = reason
        return True
    return False


def _pick(table: ProtectedTable, candidates) -> tuple[int, int] | None:
    """The classic choice: the smallest positive interior entry, then totals, then zeros."""
    open_entries = [(i, j) for i, j in candidates if not table.suppressed(i, j)]

    def rank(entry):
        i, j = entry
        value = table.values[i][j]
        return (value == 0, table.is_total(i, j), value, i, j)

    return min(open_entries, key=rank) if open_entries else None


def _bridges(table: ProtectedTable) -> list[tuple[int, int]]:
    """Suppressed entries that are bridges of the line graph (Tarjan, iterative)."""
    rows, columns = table.shape
    adjacency: dict = {}
    for i in range(rows):
        for j in range(columns):
            if table.suppressed(i, j):
                adjacency.setdefault(("r", i), []).append((("c", j), (i, j)))
                adjacency.setdefault(("c", j), []).append((("r", i), (i, j)))
    order: dict = {}
    low: dict = {}
    found = []
    counter = 0
    for root in adjacency:
        if root in order:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, None, iter(adjacency[root]))]
        while stack:
            vertex, via, neighbours = stack[-1]
            advanced = False
            for neighbour, edge in neighbours:
                if edge == via:
                    continue
                if neighbour not in order:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge, iter(adjacency[neighbour])))
                    advanced = True
                    break
                low[vertex] = min(low[vertex], order[neighbour])
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[vertex])
                if low[vertex] > order[parent]:
                    found.append(via)
    return found


def _side(table: ProtectedTable, start, removed: tuple[int, int]) -> set:
    """Line vertices reachable from ``start`` over suppressed entries other than ``removed``."""
    rows, columns = table.shape
    seen = {start}
    todo = [start]
    while todo:
        kind, index = todo.pop()
        if kind == "r":
            neighbours = [(("c", j), (index, j)) for j in range(columns)]
        else:
            neighbours = [(("r", i), (i, index)) for i in range(rows)]
        for vertex, (i, j) in neighbours:
            if (i, j) != removed and table.suppressed(i, j) and vertex not in seen:
                seen.add(vertex)
                todo.append(vertex)
    return seen


def _break_bridge(table: ProtectedTable, bridge: tuple[int, int]) -> bool:
    i, j = bridge
    rows, columns = table.shape
    column_side = _side(table, ("c", j), bridge)
    row_side = _side(table, ("r", i), bridge)
    # Best: an entry in the bridge's row whose column is already on the other side
    # (or in its column whose row is), which closes a cycle through the bridge.
    closing = [(i, other) for other in range(columns) if ("c", other) in column_side]
    closing += [(other, j) for other in range(rows) if ("r", other) in row_side]
    choice = _pick(table, [entry for entry in closing if entry != bridge])
    if choice is None:
        choice = _pick(table, [(i, other) for other in range(columns) if other != j])
    if choice is None:
        return False
    return _suppress(table, *choice, SECONDARY)


def _arcs(table: ProtectedTable) -> dict:
    """Directed moves between lines over suppressed entries.

    Going round a cycle of suppressed entries adds one to every other entry of
    the augmented table (where totals carry a minus sign) and takes one from
    the rest. Traversing an entry from its row to its column raises an interior
    cell or the grand total and lowers a row or column total; a zero entry can
    only be raised, so it is traversed in that direction only.
    """
    rows, columns = table.shape
    arcs: dict = {}
    for i in range(rows):
        for j in range(columns):
            if not table.suppressed(i, j):
                continue
            raises = ("r", i), ("c", j)
            if table.is_total(i, j) and (i, j) != (rows - 1, columns - 1):
                raises = ("c", j), ("r", i)
            arcs.setdefault(raises[0], []).append((raises[1], (i, j)))
            if table.values[i][j] > 0:
                arcs.setdefault(raises[1], []).append((raises[0], (i, j)))
    return arcs


def _reaches(arcs: dict, start, goal, avoiding: tuple[int, int]) -> bool:
    seen = {start}
    todo = [start]
    while todo:
        vertex = todo.pop()
        if vertex == goal:
            return True
        for neighbour, entry in arcs.get(vertex, ()):
            if entry != avoiding and neighbour not in seen:
                seen.add(neighbour)
                todo.append(neighbour)
    return False


def _movable(table: ProtectedTable, arcs: dict, i: int, j: int) -> bool:
    """Whether the entry lies on a cycle that can raise or lower it by one."""
    rows, columns = table.shape
    row, column = ("r", i), ("c", j)
    if table.is_total(i, j) and (i, j) != (rows - 1, columns - 1):
        row, column = column, row
    # Raised: entered from its row side, back from the column side to the row side.
    if _reaches(arcs, column, row, (i, j)):
        return True
    return table.values[i][j] > 0 and _reaches(arcs, row, column, (i, j))


def _free_stuck_entry(table: ProtectedTable) -> bool:
    """Suppress more around an entry that no cycle can move (a zero that cannot rise)."""
    arcs = _arcs(table)
    rows, columns = table.shape
    for i in range(rows):
        for j in range(columns):
            if not table.suppressed(i, j) or _movable(table, arcs, i, j):
                continue
            for line in (table.line("column", j), table.line("row", i)):
                choice = _pick(table, [e for e in line if table.values[e[0]][e[1]] > 0])
                if choice is not None:
                    return _suppress(table, *choice, SECONDARY)
            # Nothing positive left around it: its row and column totals and the
            # grand total close a cycle that raises all four.
            changed = False
            for entry in ((i, columns - 1), (rows - 1, j), (rows - 1, columns - 1)):
                changed |= _suppress(table, *entry, SECONDARY)
            if changed:
                return True
    return False


def _propagate_links(tables: list[ProtectedTable]) -> bool:
    occurrences: dict = {}
    for table in tables:
        rows, columns = table.shape
        for i in range(rows):
            for j in range(columns):
                key = table.table.marginal(i, j)
                if key is not None:
                    occurrences.setdefault(key, []).append((table, i, j))
    changed = False
    for places in occurrences.values():
        if any(table.suppressed(i, j) for table, i, j in places):
            for table, i, j in places:
                changed |= _suppress(table, i, j, LINKED)
    return changed


def _attribute(table: ProtectedTable) -> None:
    rows, columns = table.shape
    interior_rows, interior_columns = rows - 1, columns - 1
    for axis, count, width in (
        ("row", interior_rows, interior_columns),
        ("column", interior_columns, interior_rows),
    ):
        if width < 2:
            continue
        for index in range(count):
            entries = table.line(axis, index)
            interior = entries[:-1]
            positive = [entry for entry in interior if table.values[entry[0]][entry[1]] > 0]
            if len(positive) == 1:
                code = table.code(*entries[0])[0 if axis == "row" else 1]
                table.flags.append({axis: code, "reason": ATTRIBUTE})
                for entry in entries:
                    _suppress(table, *entry, ATTRIBUTE)


def protect(tables: list[CountTable], *, threshold: int) -> list[ProtectedTable]:
    """Suppress what must not be published (see the module docstring)."""
    if threshold < 1:
        raise ValueError("the threshold must be at least 1")
    protected = []
    for table in tables:
        values = table.augmented()
        reasons = [[None] * len(row) for row in values]
        result = ProtectedTable(table=table, values=values, reasons=reasons)
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                if 0 < value < threshold:
                    reasons[i][j] = PRIMARY
        _attribute(result)
        protected.append(result)
    changed = True
    while changed:
        changed = _propagate_links(protected)
        for table in protected:
            for line in table.lines():
                if sum(table.suppressed(i, j) for i, j in line) == 1:
                    choice = _pick(table, line)
                    if choice is not None:
                        changed |= _suppress(table, *choice, SECONDARY)
        if changed:
            continue
        for table in protected:
            for bridge in _bridges(table):
                if _break_bridge(table, bridge):
                    changed = True
                    break
        if changed:
            continue
        for table in protected:
            if _free_stuck_entry(table):
                changed = True
                break
    return protected


def round_to_base(value: int, *, base: int = 5, threshold: int = 0) -> int:
    """Round half up to a multiple of ``base``, never into 1..threshold−1."""
    rounded = int(math.floor(value / base + 0.5)) * base
    if value > 0 and 0 < rounded < threshold or (value > 0 and rounded == 0):
        rounded = base * math.ceil(max(threshold, 1) / base)
    return rounded


def published(
    table: ProtectedTable, i: int, j: int, *, rounding: bool = False, threshold: int = 0
) -> int | None:
    if table.suppressed(i, j):
        return None
    value = table.values[i][j]
    return round_to_base(value, threshold=threshold) if rounding else value


def suppressed_cells(table: ProtectedTable) -> list[dict]:
    rows, columns = table.shape
    cells = []
    for i in range(rows):
        for j in range(columns):
            if table.suppressed(i, j):
                row, column = table.code(i, j)
                cells.append(
                    {
                        "table": table.table.key,
                        "row": row,
                        "column": column,
                        "reason": table.reasons[i][j],
                        "explanation": REASONS[table.reasons[i][j]],
                    }
                )
    return cells
