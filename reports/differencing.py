"""Differencing control: a release is audited together with earlier releases to the
same recipient whose scope overlaps it (docs/disclosure.md).

Two releases whose scopes differ by one small enterprise, or by one month, can be
subtracted cell by cell. The attacker's model of several releases:

* the union of the scopes is cut into *parts*: the places (enterprise × month,
  see ``_coordinates``) that the same releases cover form one part;
* each part is an unknown set of count tables (every table of the release, in
  the detailed categories, with its own totals shared between its tables);
* every entry of every release (the new one and the earlier ones; merged
  categories included) is the sum of the parts its scope covers, over the
  detailed categories the entry merges.

An earlier release's published values are known and fixed; what it suppressed
is unknown, as is every entry of a part. ``disclosure.protect_release`` then
protects the new release so that no primary count of it, no unknown entry of
an earlier release and no entry of a part (whose true value is not kept) can be
narrowed: an unknown that is not known to be zero or at least the threshold
gets a primary count's protection levels.

Populations and what they add up over:

* started and ended (exit outcome): over enterprises and months of the event;
  the month of the report date (and any later month) is incomplete and is a
  different quantity at each report date;
* follow-ups: over enterprises and exit months, at the same report date only
  (statuses change as follow-ups are made);
* active at the end of the period: over enterprises, for the same last month
  and report date.
"""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

from . import disclosure
from .models import Release

#: At most this many earlier releases are audited together with a new one; a
#: request that overlaps more is refused (the joint linear programs grow with it).
MAX_JOINT_RELEASES = 6


class ReleaseRefused(Exception):
    """The release cannot be protected; ``message`` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Scope:
    """What a release covers: enterprises, whole months and the report date."""

    organisation_ids: tuple[str, ...]
    first_month: date
    last_month: date
    as_of: date

    @classmethod
    def of(cls, *, organisation_ids, first_month: date, last_month: date, as_of: date):
        organisations = tuple(sorted(str(pk) for pk in organisation_ids))
        return cls(organisations, first_month, last_month, as_of)

    def months(self) -> list[date]:
        months, month = [], self.first_month
        while month <= self.last_month:
            months.append(month)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return months

    def overlaps(self, other: "Scope") -> bool:
        return bool(set(self.organisation_ids) & set(other.organisation_ids)) and (
            self.first_month <= other.last_month and other.first_month <= self.last_month
        )


def population_kind(population: str) -> str:
    if population.startswith("follow_up"):
        return "follow_up"
    if population == "active":
        return "active"
    return "flow"


def _coordinates(scope: Scope, kind: str) -> set:
    """The places of the scope a population adds up over (see the module docstring)."""
    current = scope.as_of.replace(day=1)
    places: set[tuple] = set()
    for organisation in scope.organisation_ids:
        if kind == "active":
            places.add((organisation, "end", scope.last_month, scope.as_of))
            continue
        for month in scope.months():
            if kind == "follow_up":
                places.add((organisation, month, scope.as_of))
            elif month < current:
                places.add((organisation, month))
            else:
                places.add((organisation, month, scope.as_of))
    return places


def earlier_releases(*, recipient_id, created_by_id, scope: Scope) -> list[Release]:
    """Earlier releases to the same recipient (or made by the same user) that overlap."""
    if recipient_id is None and created_by_id is None:
        same = Q(recipient__isnull=True, created_by__isnull=True)
    else:
        same = Q(pk__in=[])
        if recipient_id is not None:
            same |= Q(recipient_id=recipient_id)
        if created_by_id is not None:
            same |= Q(created_by_id=created_by_id)
    candidates = Release.objects.filter(
        same, first_month__lte=scope.last_month, last_month__gte=scope.first_month
    ).order_by("created_at")
    return [release for release in candidates if release.scope().overlaps(scope)]


def _expand(code: str, members: dict) -> list[str]:
    return list(members.get(code, [code]))


class _Detailed:
    """The detailed categories of each table key (what the parts are counted in)."""

    def __init__(self, tables: list[disclosure.CountTable]):
        self.shape = {}
        for table in tables:
            rows = [c for code, _l in table.rows for c in _expand(code, table.members)]
            columns = [c for code, _l in table.columns for c in _expand(code, table.members)]
            self.shape[table.key] = (table, rows, columns)

    def part_table(self, key: str, population: str) -> disclosure.ProtectedTable:
        source, rows, columns = self.shape[key]
        table = disclosure.CountTable(
            key=key,
            title=source.title,
            population=population,
            row_dimension=source.row_dimension,
            column_dimension=source.column_dimension,
            rows=[(code, code) for code in rows],
            columns=[(code, code) for code in columns],
            cells=[[0] * len(columns) for _ in rows],
        )
        values = table.augmented()
        reasons: list[list[str | None]] = [[disclosure.UNKNOWN] * len(row) for row in values]
        return disclosure.ProtectedTable(table=table, values=values, reasons=reasons, role="part")


def _indices(codes: list[str], members: dict, detailed: list[str], key: str) -> list[list[int]]:
    """For each code of a release's table (and its total), the detailed positions it sums."""
    position = {code: k for k, code in enumerate(detailed)}
    result = []
    for code in codes:
        try:
            result.append([position[c] for c in _expand(code, members)])
        except KeyError:
            raise ReleaseRefused(
                _(
                    "The export cannot be protected: an earlier release to the same "
                    "recipient used categories of the table %(table)s that this version "
                    "does not have. Contact the administrator."
                )
                % {"table": key}
            ) from None
    result.append([len(detailed)])  # the total
    return result


def joint_context(
    tables: list[disclosure.CountTable], *, scope: Scope, earlier: list[Release]
) -> disclosure.Context | None:
    """The earlier releases and the parts of the joint scopes, linked to the new tables."""
    if not earlier:
        return None
    if len(earlier) > MAX_JOINT_RELEASES:
        raise ReleaseRefused(
            _(
                "The export cannot be protected: %(count)s earlier releases to the same "
                "recipient overlap the chosen enterprises and months, and at most %(max)s "
                "can be checked together. Choose enterprises or months that do not overlap "
                "earlier releases, or contact the administrator."
            )
            % {"count": len(earlier), "max": MAX_JOINT_RELEASES}
        )
    detailed = _Detailed(tables)
    context_tables: list[disclosure.ProtectedTable] = []
    links: list = []
    # Every release as (tables with their places, scope): the new one first.
    releases: list[tuple[list, Scope]] = [([(t, t.key, t.members) for t in tables], scope)]
    for release in earlier:
        published = []
        for stored in release.tables:
            if stored["key"] not in detailed.shape:
                continue  # a table this version no longer publishes: nothing to link it to
            table = disclosure.CountTable(
                key=stored["key"],
                title=stored["key"],
                population=f"{stored['population']}@{release.pk}",
                row_dimension=stored["row_dimension"],
                column_dimension=stored["column_dimension"],
                rows=[(code, code) for code in stored["row_codes"]],
                columns=[(code, code) for code in stored["column_codes"]],
                cells=[[0] * len(stored["column_codes"]) for _ in stored["row_codes"]],
                members=stored.get("members", {}),
            )
            values = [[v or 0 for v in row] for row in stored["values"]]
            reasons: list[list[str | None]] = [
                [disclosure.UNKNOWN if v is None else None for v in row] for row in stored["values"]
            ]
            protected = disclosure.ProtectedTable(
                table=table, values=values, reasons=reasons, role="earlier"
            )
            context_tables.append(protected)
            published.append((protected, stored["key"], table.members))
        releases.append((published, release.scope()))

    populations = {table.population for table in tables}
    part_number = 0
    for population in sorted(populations):
        kind = population_kind(population)
        keys = [t.key for t in tables if t.population == population]
        regions = [_coordinates(release_scope, kind) for _tables, release_scope in releases]
        parts: dict[tuple, list] = {}
        for place in set().union(*regions):
            membership = tuple(place in region for region in regions)
            parts.setdefault(membership, []).append(place)
        part_tables: dict[tuple, dict[str, disclosure.ProtectedTable]] = {}
        for membership in sorted(parts):
            part_number += 1
            part_tables[membership] = {
                key: detailed.part_table(key, f"{population}#part{part_number}") for key in keys
            }
            context_tables.extend(part_tables[membership].values())
        for position, (release_tables, _scope) in enumerate(releases):
            covering = [m for m in part_tables if m[position]]
            for table_ref, key, members in release_tables:
                if key not in keys:
                    continue
                source, rows, columns = detailed.shape[key]
                count_table = table_ref if position == 0 else table_ref.table
                row_sets = _indices([c for c, _l in count_table.rows], members, rows, key)
                column_sets = _indices([c for c, _l in count_table.columns], members, columns, key)
                for i, row_set in enumerate(row_sets):
                    for j, column_set in enumerate(column_sets):
                        equation = [((key if position == 0 else table_ref, i, j), 1)]
                        for membership in covering:
                            part = part_tables[membership][key]
                            equation += [((part, a, b), -1) for a in row_set for b in column_set]
                        links.append(equation)
    return disclosure.Context(
        tables=context_tables, links=links, releases=[str(r.pk) for r in earlier]
    )


def stored_tables(release: disclosure.Release) -> list[dict]:
    """What a ``reports.Release`` keeps to re-audit: structure and exact published values."""
    stored = []
    for result in release.tables:
        rows, columns = result.shape
        table = result.table
        stored.append(
            {
                "key": table.key,
                "population": table.population,
                "row_dimension": table.row_dimension,
                "column_dimension": table.column_dimension,
                "row_codes": [code for code, _label in table.rows],
                "column_codes": [code for code, _label in table.columns],
                "members": table.members,
                "values": [
                    [disclosure.published(result, i, j) for j in range(columns)]
                    for i in range(rows)
                ],
            }
        )
    return stored


def digest(files: dict[str, bytes]) -> str:
    """SHA-256 over the files as delivered (name and checksum of each, in order)."""
    outer = hashlib.sha256()
    for name, content in sorted(files.items()):
        outer.update(f"{name}:{hashlib.sha256(content).hexdigest()}\n".encode())
    return outer.hexdigest()
