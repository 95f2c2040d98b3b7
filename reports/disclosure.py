"""Statistical disclosure control for count tables (the anonymised funder export).

Each table is handled as its *augmented* table: the interior cells plus a
totals column (row totals), a totals row (column totals) and the grand total.
Every line of the augmented table (each row and each column, the totals
included) is a published linear equation. The tables of one release are
*linked*: a total with the same identity (the same population, breakdown and
category, or the same population's grand total) is one quantity wherever it
is printed, so the whole release is one system of equations over its distinct
entries, and it is protected as one.

1. **Primary suppression**: every entry, totals included, with
   ``0 < n < threshold``. A zero is not sensitive: a published zero is just a
   published value.
2. **Attribute disclosure**: a group (a row or a column with a positive total)
   whose members all fall in one category is flagged; the whole line and its
   total are suppressed, because the published zeros alone would tell every
   member's category.
3. **Protection levels** (interval protection). An attacker who knows every
   published value of the release, that counts are whole and never negative,
   and every total relation, can bound each suppressed entry by linear
   programming. For every primary entry with count ``n`` the range must reach
   the threshold (*upper* level: max ≥ threshold) and be at least
   ``threshold − 1`` wide (*sliding* level: max − min ≥ threshold − 1); an
   attribute-suppressed entry must not be pinned (a suppressed zero must be
   able to rise).
4. **Complementary suppression**, one requirement at a time: when an entry's
   range (computed by the attacker's linear programs) falls short, a *witness*
   linear program looks for another table that agrees with everything
   published except on entries it may also suppress, and has the entry at the
   required bound; it minimises the information given up (moving a published
   entry by one costs the number of places it is printed times one plus its
   count: few cells, and small ones). The entries the witness moves are
   suppressed. As the
   witness agrees with everything left published, the attacker's range now
   reaches the bound, and suppressing more only widens ranges, so earlier
   requirements stay met.
5. **Audit**: every suppressed entry's range is computed over all linked
   tables (equality constraints for every line, nonnegativity, published
   entries fixed), any shortfall is fixed as in 4, and the ranges are kept for
   the manifest with the solver's name and version.
6. **Rounding** to base 5 (optional) of what is published; a count that would
   round into 1..threshold−1 is rounded up to the first multiple of five at or
   above the threshold. The audit is made on the exact values, which is the
   attacker's best case: rounding only widens what can be inferred.
"""

import math
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version

import numpy as np
from scipy.optimize import linprog  # type: ignore[import-untyped]

PRIMARY = "primary"
SECONDARY = "secondary"
ATTRIBUTE = "attribute"
LINKED = "linked"
TOTAL = "total"
#: An entry of an earlier release (or of a part of the scopes) the attacker does not know.
UNKNOWN = "unknown"
#: Kind of an unknown entry of an earlier release or a scope part (its true value is not
#: kept): protected unless it is known to be zero or at least the threshold.
RANGE = "range"

REASONS = {
    PRIMARY: "fewer than the threshold",
    SECONDARY: "could otherwise be narrowed down from published values and totals",
    ATTRIBUTE: "every member of the group falls in one category",
    LINKED: "the same total is suppressed in another table",
}

#: Slack when reading whole numbers off a floating-point solution.
_TOLERANCE = 1e-6


class DisclosureError(RuntimeError):
    """The tables are inconsistent or the protection could not be established."""


class ProtectionImpossible(DisclosureError):
    """Earlier releases fix what this release would need to withhold (or contradict it)."""

    def __init__(self, message: str, *, cause: str):
        super().__init__(message)
        #: "narrowed": earlier releases alone narrow a count; "changed": they contradict it.
        self.cause = cause


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
    #: A merged category's code → the detailed codes it sums (coarser groupings).
    members: dict = field(default_factory=dict)

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
    #: (i, j) of a suppressed entry → what an attacker can infer: (min, max), max None if unbounded.
    ranges: dict = field(default_factory=dict)
    #: "release": protected now; "earlier": published before (its published entries are
    #: fixed); "part": a part of the joint scopes, every entry unknown (see ``Context``).
    role: str = "release"

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


@dataclass
class Audit:
    """What the attacker's linear programs found after protection (for the manifest)."""

    threshold: int
    solver: str
    solver_version: str
    passed: bool
    linear_programs: int
    #: One row per distinct suppressed entry: where it is printed, its reason and range.
    entries: list[dict]
    #: The earlier releases audited together with this one (their ids).
    joint_with: list[str] = field(default_factory=list)


@dataclass
class Release:
    """The protected tables of one release and the audit of them together."""

    tables: list[ProtectedTable]
    audit: Audit | None


@cache
def solver_description() -> tuple[str, str]:
    """The linear-programming solver the audit uses: (name, version)."""
    highs = "unknown"
    try:
        from scipy.optimize._highspy import _core  # type: ignore[import-untyped]

        highs = (
            f"{_core.HIGHS_VERSION_MAJOR}.{_core.HIGHS_VERSION_MINOR}.{_core.HIGHS_VERSION_PATCH}"
        )
    except (ImportError, AttributeError):  # a private module: report what can be known
        pass
    return (
        "HiGHS through scipy.optimize.linprog (method='highs')",
        f"scipy {version('scipy')}, HiGHS {highs}",
    )


class _System:
    """The linked tables of a release as equations over their distinct entries.

    An entry is an interior cell of one table or a total identified by
    ``CountTable.marginal`` (one entry however many tables print it). Every
    line of every augmented table gives ``sum(interior) − total = 0``.
    """

    def __init__(self, tables: list[ProtectedTable], threshold: int, links=()):
        self.tables = tables
        self.threshold = threshold
        self.joint = any(table.role != "release" for table in tables)
        self.places: list[list[tuple[ProtectedTable, int, int]]] = []
        self.entry_of: dict = {}
        values: list[int] = []
        index: dict = {}
        for position, table in enumerate(tables):
            rows, columns = table.shape
            for i in range(rows):
                for j in range(columns):
                    marginal = table.table.marginal(i, j)
                    identity = ("total", marginal) if marginal else ("cell", position, i, j)
                    value = table.values[i][j]
                    if identity not in index:
                        index[identity] = len(values)
                        values.append(value)
                        self.places.append([])
                    entry = index[identity]
                    if values[entry] != value:
                        raise DisclosureError(
                            f"Tables share the total {marginal} but give it different "
                            f"values ({values[entry]} and {value}); they cannot be linked."
                        )
                    self.places[entry].append((table, i, j))
                    self.entry_of[(id(table), i, j)] = entry
        # Links between tables beyond the shared totals (an earlier release's entry is
        # the sum of the parts of the scopes it covers: ``Context``). A link between two
        # entries says they are one quantity: they become one entry.
        linked = []
        parent = list(range(len(values)))

        def find(entry):
            while parent[entry] != entry:
                parent[entry] = parent[parent[entry]]
                entry = parent[entry]
            return entry

        for link in links:
            coefficients: dict = {}
            for (table, i, j), coefficient in link:
                entry = self.entry_of[(id(table), i, j)]
                coefficients[entry] = coefficients.get(entry, 0) + coefficient
            coefficients = {e: c for e, c in coefficients.items() if c}
            if len(coefficients) == 2 and sorted(coefficients.values()) == [-1, 1]:
                first, second = coefficients
                parent[find(first)] = find(second)
            elif coefficients:
                linked.append(coefficients)
        roots = sorted({find(entry) for entry in range(len(values))})
        renumber = {root: k for k, root in enumerate(roots)}
        old_places, old_values = self.places, values
        self.places = [[] for _ in roots]
        values = [0] * len(roots)
        known: list[int | None] = [None] * len(roots)
        for old, places in enumerate(old_places):
            entry = renumber[find(old)]
            # The release's places first: they name the entry in the manifest.
            self.places[entry] = (
                places + self.places[entry]
                if places[0][0].role == "release"
                else self.places[entry] + places
            )
            published = [
                t for t, i, j in places if t.role != "part" and not t.suppressed(i, j)
            ] or [t for t, _i, _j in places if t.role == "release"]
            if published:
                value = old_values[old]
                if known[entry] is not None and known[entry] != value:
                    raise ProtectionImpossible(
                        "The counts of this release contradict an earlier release to the "
                        "same recipient over the same scope: the data changed after it.",
                        cause="changed",
                    )
                known[entry] = value
                values[entry] = value
        for key, old in list(self.entry_of.items()):
            self.entry_of[key] = renumber[find(old)]
        self.values = np.array(values, dtype=float)
        equations: dict = {}
        for table in tables:
            for line in table.lines():
                coefficients = {}
                for i, j in line:
                    sign = -1 if (i, j) == line[-1] else 1
                    entry = self.entry_of[(id(table), i, j)]
                    coefficients[entry] = coefficients.get(entry, 0) + sign
                key = tuple(sorted((e, c) for e, c in coefficients.items() if c))
                if key:
                    equations.setdefault(key, None)
        for coefficients in linked:
            merged: dict = {}
            for old, coefficient in coefficients.items():
                entry = renumber[find(old)]
                merged[entry] = merged.get(entry, 0) + coefficient
            key = tuple(sorted((e, c) for e, c in merged.items() if c))
            if key:
                equations.setdefault(key, None)
        self.matrix = np.zeros((len(equations), len(values)))
        self.equations_of: list[list[int]] = [[] for _ in values]
        for row, key in enumerate(equations):
            for entry, coefficient in key:
                self.matrix[row, entry] = coefficient
                self.equations_of[entry].append(row)
        # What withholding an entry costs the reader: one per place it is printed
        # plus the people it counts there (so few cells, and small ones).
        self.weights = np.array(
            [len(places) * (1 + value) for places, value in zip(self.places, values, strict=True)]
        )
        # Published by an earlier release: the attacker knows it, and it cannot be withdrawn.
        self.fixed = np.array(
            [
                any(t.role == "earlier" and not t.suppressed(i, j) for t, i, j in places)
                for places in self.places
            ]
        )
        self.in_release = [places[0][0].role == "release" for places in self.places]
        # A scope part's entry is unknown unless a release prints it; the release's
        # own places decide whether it does.
        self.suppressed = np.array(
            [
                not self.fixed[entry]
                and (
                    any(t.suppressed(i, j) for t, i, j in places if t.role == "release")
                    or not self.in_release[entry]
                )
                for entry, places in enumerate(self.places)
            ]
        )
        for entry in np.flatnonzero(self.suppressed):
            for table, i, j in self.places[entry]:
                if not table.suppressed(i, j) and table.role == "release":
                    table.reasons[i][j] = LINKED
        self.kind: list[str | None] = []
        for entry, places in enumerate(self.places):
            value = values[entry]
            if self.fixed[entry]:
                self.kind.append(None)
            elif not self.in_release[entry]:
                self.kind.append(RANGE if self.suppressed[entry] else None)
            elif 0 < value < threshold:
                self.kind.append(PRIMARY)
            elif any(table.reasons[i][j] == ATTRIBUTE for table, i, j in places):
                self.kind.append(ATTRIBUTE)
            else:
                self.kind.append(None)
        self.groups = self._components(np.ones(len(values), dtype=bool))
        self.linear_programs = 0
        # The attacker's problem per component of suppressed entries, and the bounds
        # found so far; both only change where a new suppression touches them.
        self._attack: dict | None = None
        self._problems: dict = {}
        self._extremes: dict = {}
        # Whole-number bounds read off every attacker solution found (each is a table
        # the attacker cannot rule out): a lower bound on an entry's largest value and
        # an upper bound on its smallest. Suppressing more keeps those tables possible.
        self._seen_high = np.full(len(values), -np.inf)
        self._seen_low = np.full(len(values), np.inf)
        self._explored: set = set()
        self._fixed_values: dict | None = None
        self._random = np.random.default_rng(20)

    def _components(self, members) -> dict[int, tuple[list[int], list[int]]]:
        """Entries (among ``members``) joined by equations: entry → (entries, equation rows)."""
        parent = list(range(len(self.values)))

        def find(entry):
            while parent[entry] != entry:
                parent[entry] = parent[parent[entry]]
                entry = parent[entry]
            return entry

        for row in range(self.matrix.shape[0]):
            joined = [e for e in np.flatnonzero(self.matrix[row]) if members[e]]
            for other in joined[1:]:
                parent[find(other)] = find(joined[0])
        grouped: dict = {}
        for entry in np.flatnonzero(members):
            grouped.setdefault(find(entry), []).append(int(entry))
        result = {}
        for entries in grouped.values():
            rows = sorted({row for entry in entries for row in self.equations_of[entry]})
            for entry in entries:
                result[entry] = (entries, rows)
        return result

    def _solve(self, cost, a_eq, b_eq, bounds):
        self.linear_programs += 1
        return linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")

    def suppress(self, entry: int, reason: str) -> None:
        # Only the bounds of components that share an equation with the entry change.
        components = self._attack_components()
        for row in self.equations_of[entry]:
            for other in np.flatnonzero(self.matrix[row]):
                if self.suppressed[other]:
                    for member in components[other][0]:
                        self._extremes.pop((member, True), None)
                        self._extremes.pop((member, False), None)
        self.suppressed[entry] = True
        self.forget(bounds=False)
        for table, i, j in self.places[entry]:
            if not table.suppressed(i, j):
                table.reasons[i][j] = reason

    def forget(self, *, bounds: bool = True) -> None:
        """Drop the attacker's problems (and the bounds found so far: solved afresh)."""
        self._attack = None
        self._problems.clear()
        self._explored.clear()
        self._fixed_values = None
        if bounds:
            self._extremes.clear()
            self._seen_high[:] = -np.inf
            self._seen_low[:] = np.inf

    def _attack_components(self) -> dict[int, tuple[list[int], list[int]]]:
        if self._attack is None:
            self._attack = self._components(self.suppressed)
        return self._attack

    def _attack_problem(self, entry: int):
        """The attacker's equations over the entry's component: (A, b) and its column."""
        entries, rows = self._attack_components()[entry]
        if entries[0] not in self._problems:
            published = np.flatnonzero(~self.suppressed)
            block = self.matrix[rows]
            self._problems[entries[0]] = (
                block[:, entries],
                -block[:, published] @ self.values[published],
            )
        return self._problems[entries[0]], entries.index(entry)

    def _optimum(self, entry: int, *, highest: bool) -> float | None:
        """The attacker's linear program for the entry (None: unbounded above)."""
        (a_eq, b_eq), position = self._attack_problem(entry)
        cost = np.zeros(a_eq.shape[1])
        cost[position] = -1 if highest else 1
        found = self._solve(cost, a_eq, b_eq, (0, None))
        if found.status == 0:
            self._see(entry, found.x)
            return float(found.x[position])
        if highest and found.status in (3, 4):
            # Unbounded (HiGHS may only say "unbounded or infeasible"; the
            # smallest value exists exactly when the problem is feasible).
            self.lowest(entry)
            return None
        if self.joint:
            raise ProtectionImpossible(
                "The counts of this release contradict an earlier release to the same "
                "recipient over the same scope: the data changed after that release.",
                cause="changed",
            )
        raise DisclosureError("The published values contradict each other.")

    def _determined(self) -> dict:
        """Unknowns that equations with one unknown left fix (the attacker's first step)."""
        if not self.joint:
            return {}  # one release: the linear programs are as quick
        if self._fixed_values is None:
            known = ~self.suppressed
            values = np.where(known, self.values, 0.0)
            found: dict = {}
            matrix = self.matrix
            while True:
                unknown_counts = (matrix[:, ~known] != 0).sum(axis=1)
                rows = np.flatnonzero(unknown_counts == 1)
                if not len(rows):
                    break
                progress = False
                for row in rows:
                    open_entries = [e for e in np.flatnonzero(matrix[row]) if not known[e]]
                    if len(open_entries) != 1:
                        continue
                    (entry,) = open_entries
                    rest = matrix[row] @ values
                    value = -rest / matrix[row, entry]
                    known[entry] = True
                    values[entry] = value
                    found[int(entry)] = value
                    progress = True
                if not progress:
                    break
            self._fixed_values = found
        return self._fixed_values

    def lowest(self, entry: int) -> int:
        """The attacker's smallest value for the entry (whole numbers)."""
        if (entry, False) not in self._extremes and entry in self._determined():
            value = self._determined()[entry]
            self._extremes[(entry, False)] = math.ceil(value - _TOLERANCE)
            self._extremes[(entry, True)] = math.floor(value + _TOLERANCE)
        if (entry, False) not in self._extremes:
            value = self._optimum(entry, highest=False)
            if value is None:  # cannot happen: every entry is bounded below by zero
                raise DisclosureError("The published values contradict each other.")
            self._extremes[(entry, False)] = math.ceil(value - _TOLERANCE)
        return self._extremes[(entry, False)]

    def highest(self, entry: int) -> int | None:
        """The attacker's largest value for the entry (whole numbers); None: no bound."""
        if (entry, True) not in self._extremes and entry in self._determined():
            self.lowest(entry)
        if (entry, True) not in self._extremes:
            value = self._optimum(entry, highest=True)
            bound = None if value is None else math.floor(value + _TOLERANCE)
            self._extremes[(entry, True)] = bound
        return self._extremes[(entry, True)]

    def range_of(self, entry: int) -> tuple[int, int | None]:
        """Smallest and largest value the attacker's linear programs allow (None: no bound)."""
        return self.lowest(entry), self.highest(entry)

    def shortfall(self, entry: int, low: int, high: int | None) -> tuple[str, int] | None:
        """The bound a witness must reach for the entry's range to be wide enough, if any."""
        if high is None:
            return None
        threshold = self.threshold
        if self.kind[entry] == PRIMARY:
            if high < threshold:
                return ("at_least", threshold)
            if high - low < threshold - 1:
                return ("at_most", high - (threshold - 1))
        elif self.kind[entry] == ATTRIBUTE and high == low:
            value = int(self.values[entry])
            return ("at_least", 1) if value == 0 else ("at_most", value - 1)
        elif self.kind[entry] == RANGE and high > 0 and low < threshold:
            # The true value is not kept: unless the entry is known to be zero or
            # at least the threshold, it gets a primary count's protection.
            if high < threshold:
                return ("at_least", threshold)
            if high - low < threshold - 1:
                return ("at_most", high - (threshold - 1))
        return None

    def witness(self, entry: int, bound: tuple[str, int]) -> list[int]:
        """Published entries to suppress so that the entry can reach ``bound``.

        Minimum-cost deviation: suppressed entries move freely, a published
        entry moves up or down (never below zero) at its weight per unit.
        """
        entries, rows = self.groups[entry]
        hidden = [e for e in entries if self.suppressed[e]]
        shown = [e for e in entries if not self.suppressed[e] and not self.fixed[e]]
        fixed = [e for e in entries if self.fixed[e]]
        block = self.matrix[rows]
        moved = block[:, shown]
        a_eq = np.hstack([block[:, hidden], moved, -moved])
        b_eq = -moved @ self.values[shown] - block[:, fixed] @ self.values[fixed]
        cost = np.concatenate([np.zeros(len(hidden)), self.weights[shown], self.weights[shown]])
        bounds: list[tuple[float, float | None]] = [(0.0, None)] * (len(hidden) + len(shown))
        bounds += [(0.0, float(self.values[e])) for e in shown]
        direction, value = bound
        position = hidden.index(entry)
        bounds[position] = (value, None) if direction == "at_least" else (0.0, float(value))
        result = self._solve(cost, a_eq, b_eq, bounds)
        if result.status != 0:
            if fixed:
                raise ProtectionImpossible(
                    "Earlier releases to the same recipient already narrow a count of "
                    "this release's scope; no suppression in this release can widen it.",
                    cause="narrowed",
                )
            raise DisclosureError("No table agrees with the published values.")
        up, down = np.split(result.x[len(hidden) :], 2)
        return [shown[k] for k in np.flatnonzero(up + down > _TOLERANCE)]

    def _see(self, entry: int, point) -> None:
        members = np.array(self._attack_components()[entry][0])
        high, low = np.floor(point + _TOLERANCE), np.ceil(point - _TOLERANCE)
        self._seen_high[members] = np.maximum(self._seen_high[members], high)
        self._seen_low[members] = np.minimum(self._seen_low[members], low)

    def _explore(self, entry: int, tries: int = 6) -> None:
        """Tables the attacker cannot rule out, in random directions (bounded, so each is
        one), to prove many unknowns' ranges wide at once."""
        (a_eq, b_eq), _position = self._attack_problem(entry)
        key = self._attack_components()[entry][0][0]
        if key in self._explored:
            return
        self._explored.add(key)
        ceiling = 10 * (float(np.abs(self.values).max()) + self.threshold)
        for _ in range(tries):
            cost = self._random.uniform(-1, 1, a_eq.shape[1])
            found = self._solve(cost, a_eq, b_eq, (0, ceiling))
            if found.status == 0:
                self._see(entry, found.x)

    def wide_enough(self, entry: int) -> bool:
        """Whether tables already found prove an unknown's range wide enough (``RANGE`` only).

        Its largest value is at least the highest seen and its smallest at most
        the lowest seen, so the levels hold if they hold for those.
        """
        if self.kind[entry] != RANGE:
            return False

        def proven() -> bool:
            high, low = self._seen_high[entry], self._seen_low[entry]
            return high >= self.threshold and high - low >= self.threshold - 1

        if proven():
            return True
        self._explore(entry)
        return proven()

    def satisfy(self, entry: int) -> None:
        """Suppress what the entry's protection levels need."""
        if self.wide_enough(entry):
            return
        while True:
            high = self.highest(entry)
            if self.kind[entry] == PRIMARY and high is not None and high < self.threshold:
                bound: tuple[str, int] | None = ("at_least", self.threshold)
            else:
                bound = self.shortfall(entry, self.lowest(entry), high)
            if bound is None:
                return
            extra = self.witness(entry, bound)
            if not extra:
                raise DisclosureError("The protection could not be established.")
            for other in extra:
                self.suppress(other, SECONDARY)


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
                for i, j in entries:
                    if table.reasons[i][j] is None:
                        table.reasons[i][j] = ATTRIBUTE


def _sensitive_order(system: _System) -> list[int]:
    """Primary entries first, the smallest counts first, then attribute entries (stable)."""
    sensitive = [e for e, kind in enumerate(system.kind) if kind is not None]
    return sorted(sensitive, key=lambda e: (system.kind[e] != PRIMARY, system.values[e], e))


@dataclass
class Context:
    """Earlier releases to the same recipient, for a joint audit (``reports.differencing``).

    ``tables``: the earlier releases' tables (role "earlier": published values
    fixed, suppressed ones unknown) and the parts of the joint scopes (role
    "part": every entry unknown); ``links``: equations between them, each a
    list of ((table, i, j), coefficient).
    """

    tables: list[ProtectedTable]
    links: list[list[tuple[tuple[ProtectedTable, int, int], int]]]
    releases: list[str] = field(default_factory=list)


def protect_release(
    tables: list[CountTable],
    *,
    threshold: int,
    audit: bool = True,
    context: Context | None = None,
) -> Release:
    """Suppress what must not be published, then audit the release (see the module docstring).

    ``audit=False`` skips the final range computation of every suppressed
    entry (the protection itself is the same; the benchmark compares the two).
    With a ``context`` the release is protected and audited together with
    earlier releases: nothing of theirs can be withdrawn, so this release
    suppresses more, or ``ProtectionImpossible`` is raised.
    """
    if threshold < 1:
        raise ValueError("the threshold must be at least 1")
    protected = []
    for table in tables:
        values = table.augmented()
        reasons: list[list[str | None]] = [[None] * len(row) for row in values]
        result = ProtectedTable(table=table, values=values, reasons=reasons)
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                if 0 < value < threshold:
                    reasons[i][j] = PRIMARY
        _attribute(result)
        protected.append(result)
    if context is None:
        system = _System(protected, threshold)
    else:
        # The context names the new release's tables by key (they are made here).
        by_key = {result.table.key: result for result in protected}
        links = [
            [((by_key[ref] if isinstance(ref, str) else ref, i, j), c) for (ref, i, j), c in link]
            for link in context.links
        ]
        system = _System(protected + context.tables, threshold, links=links)
    for entry in _sensitive_order(system):
        system.satisfy(entry)
    if not audit:
        return Release(tables=protected, audit=None)
    ranges: dict = {}
    while True:
        # From scratch: the audit does not trust the bounds kept while protecting.
        system.forget()
        # The release's own entries first (their ranges go to the manifest); the
        # unknowns of earlier releases and scope parts need their range only when the
        # tables found so far do not already prove it wide enough.
        ranges = {}
        for e in sorted(np.flatnonzero(system.suppressed), key=lambda e: system.kind[e] == RANGE):
            if not system.wide_enough(int(e)):
                ranges[int(e)] = system.range_of(int(e))
        short = [e for e, (low, high) in ranges.items() if system.shortfall(e, low, high)]
        if not short:
            break
        for entry in short:
            system.satisfy(entry)
    rows = []
    for entry, (low, high) in sorted(ranges.items()):
        if not system.in_release[entry]:
            continue  # an earlier release's or a scope part's: checked, not reported
        places = [place for place in system.places[entry] if place[0].role == "release"]
        for table, i, j in places:
            table.ranges[(i, j)] = (low, high)
        table, i, j = places[0]
        row, column = table.code(i, j)
        rows.append(
            {
                "tables": [place[0].table.key for place in places],
                "row": row,
                "column": column,
                "reason": table.reasons[i][j],
                "range": [low, high],
            }
        )
    solver, solver_version = solver_description()
    return Release(
        tables=protected,
        audit=Audit(
            threshold=threshold,
            solver=solver,
            solver_version=solver_version,
            passed=True,
            linear_programs=system.linear_programs,
            entries=rows,
            joint_with=list(context.releases) if context else [],
        ),
    )


def protect(tables: list[CountTable], *, threshold: int) -> list[ProtectedTable]:
    """The protected tables of ``protect_release`` (audited)."""
    return protect_release(tables, threshold=threshold).tables


def release_summary(release: Release) -> dict:
    """How much the protection withheld and what the audit found (for the manifest).

    Cells are the printed places of the count tables (interior and totals); the
    population share is the people in suppressed interior cells over the
    tables' grand totals.
    """
    tables: list[dict] = []
    cells = suppressed = population = hidden = 0
    for result in release.tables:
        rows, columns = result.shape
        places = [(i, j) for i in range(rows) for j in range(columns)]
        withheld = [(i, j) for i, j in places if result.suppressed(i, j)]
        people = sum(result.values[i][j] for i, j in withheld if not result.is_total(i, j))
        counted = result.values[-1][-1]
        tables.append(
            {
                "table": result.table.key,
                "cells": len(places),
                "suppressed_cells": len(withheld),
                "population": counted,
                "in_suppressed_cells": people,
                "population_share": _share(people, counted),
            }
        )
        cells += len(places)
        suppressed += len(withheld)
        population += counted
        hidden += people
    summary = {
        "requirement": (
            "every primary count (1..threshold-1, totals included): the range an attacker "
            "can derive by linear programming from everything published in this release "
            "has max >= threshold and max - min >= threshold - 1; no attribute-suppressed "
            "count is pinned to one value"
        ),
        "cells": cells,
        "suppressed_cells": suppressed,
        "suppressed_cell_share": _share(suppressed, cells),
        "population": population,
        "in_suppressed_cells": hidden,
        "population_share": _share(hidden, population),
        "tables": tables,
    }
    audit = release.audit
    if audit is not None:
        summary.update(
            {
                "passed": audit.passed,
                "solver": audit.solver,
                "solver_version": audit.solver_version,
                "linear_programs": audit.linear_programs,
                "ranges_from": "exact counts, before any rounding (the attacker's best case)",
                "audited_with_earlier_releases": audit.joint_with,
            }
        )
    return summary


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


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
            reason = table.reasons[i][j]
            if reason is not None:
                row, column = table.code(i, j)
                cell: dict[str, object] = {
                    "table": table.table.key,
                    "row": row,
                    "column": column,
                    "reason": reason,
                    "explanation": REASONS[reason],
                }
                if (i, j) in table.ranges:
                    cell["protected_range"] = list(table.ranges[(i, j)])
                cells.append(cell)
    return cells
