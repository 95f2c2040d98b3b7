"""The anonymised funder export: aggregates only, disclosure-controlled.

No identifiers, no free text, no dates finer than a month (the period is given
in months; the report date is given as a month). Count tables are protected by
``disclosure.protect_release`` together, as linked tables: every table of a
population shares its gender totals and grand total with the others, and the
audit bounds every suppressed count over all of them at once. The ESF+
indicator table is a view of rows of those tables (so it never publishes a
number the protected tables suppress, nor a relation they do not), and lists
the three kinds of employment separately rather than summing them, which would
publish a new total. CSV, XLSX and tables.json publish the same values; the
manifest gives each suppressed cell the range an attacker can derive, and the
audit's solver, version and how much was withheld.

Magnitude measures (attendance rate, time in programme, score change) are
published only for groups of at least the threshold (time in programme: twice
the threshold, and in whole weeks, as a quartile of a small group is one
person's value).
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import FollowUp, Outcome
from participants.models import EducationLevel, Gender, LabourMarketStatus
from placements.models import Programme

from . import disclosure
from .exports import SheetTable, manifest, to_csv, to_json, to_xlsx
from .statistics import AgeBand

GENDERS = tuple(Gender.choices)
YES_NO = (("yes", _("Yes")), ("no", _("No")))
NOT_RECORDED = "not_recorded"


def _crosstab(rows, row_of, measure: str, row_categories) -> list[list[int]]:
    index = {code: i for i, (code, _label) in enumerate(row_categories)}
    columns = {code: j for j, (code, _label) in enumerate(GENDERS)}
    cells = [[0] * len(GENDERS) for _ in row_categories]
    for row in rows:
        code = row_of(row)
        if code in index:
            cells[index[code]][columns[row["g_gender"]]] += row.get(measure) or 0
    return cells


def _table(key, title, population, dimension, dimension_title, categories, cells):
    return disclosure.CountTable(
        key=key,
        title=str(title),
        population=population,
        row_dimension=dimension,
        column_dimension="gender",
        rows=[(code, str(label)) for code, label in categories],
        columns=[(code, str(label)) for code, label in GENDERS],
        cells=cells,
        row_title=str(dimension_title),
        column_title=str(_("Gender")),
    )


#: Groupings of an export: the detailed categories, or coarser ones (fewer small cells).
DETAILED = "detailed"
MERGED = "merged"
AUTOMATIC = "automatic"
GROUPINGS = (DETAILED, MERGED)
#: With the automatic grouping, the merged categories are used when the detailed ones
#: would leave more than this share of the population in suppressed cells.
MERGE_ABOVE_SHARE = 0.2

OTHER_GENDER = "other_or_not_stated"
UNDER_30 = "under_30"


def _merged_categories(categories, members: dict, labels: dict):
    """Categories with ``members`` replaced by their merged code (at the first member)."""
    merged_of = {code: merged for merged, codes in members.items() for code in codes}
    result = []
    for code, label in categories:
        merged = merged_of.get(code)
        if merged is None:
            result.append((code, label))
        elif code == members[merged][0]:
            result.append((merged, labels[merged]))
    return result


def merge_categories(table: disclosure.CountTable) -> disclosure.CountTable:
    """The table with non-binary and not stated as one column, and under 30 as one age band."""
    column_members = {OTHER_GENDER: [Gender.NON_BINARY.value, Gender.NOT_STATED.value]}
    row_members = {}
    if table.row_dimension == "age_band":
        row_members = {UNDER_30: [AgeBand.UNDER_18, AgeBand.AGE_18_29]}
    labels = {OTHER_GENDER: str(_("Other or not stated")), UNDER_30: str(_("Under 30"))}
    rows = _merged_categories(table.rows, row_members, labels)
    columns = _merged_categories(table.columns, column_members, labels)

    def position(codes, members):
        index = {code: k for k, (code, _label) in enumerate(codes)}
        merged_of = {code: merged for merged, group in members.items() for code in group}
        return lambda code: index[merged_of.get(code, code)]

    row_of = position(rows, row_members)
    column_of = position(columns, column_members)
    cells = [[0] * len(columns) for _ in rows]
    for i, (row_code, _label) in enumerate(table.rows):
        for j, (column_code, _label) in enumerate(table.columns):
            cells[row_of(row_code)][column_of(column_code)] += table.cells[i][j]
    return disclosure.CountTable(
        key=table.key,
        title=table.title,
        population=table.population,
        row_dimension=table.row_dimension,
        column_dimension=table.column_dimension,
        rows=rows,
        columns=columns,
        cells=cells,
        row_title=table.row_title,
        column_title=table.column_title,
        members={**row_members, **column_members},
    )


def count_tables(report: dict, grouping: str = DETAILED) -> list[disclosure.CountTable]:
    tables = _detailed_tables(report)
    if grouping == MERGED:
        return [merge_categories(table) for table in tables]
    if grouping != DETAILED:
        raise ValueError(f"unknown grouping {grouping!r}")
    return tables


def _detailed_tables(report: dict) -> list[disclosure.CountTable]:
    placements = report["groups"]["placements"]
    follow_ups = report["groups"]["follow_ups"]
    flag = lambda name: lambda row: "yes" if row[name] else "no"  # noqa: E731
    started = [
        (
            "started_lms",
            _("Started by labour-market status at entry"),
            "labour_market_status",
            _("Labour-market status at entry"),
            LabourMarketStatus.choices,
            lambda r: r["g_labour_market_status"],
        ),
        (
            "started_age",
            _("Started by age band"),
            "age_band",
            _("Age band"),
            AgeBand.choices,
            lambda r: r["g_age_band"],
        ),
        (
            "started_education",
            _("Started by education level"),
            "education",
            _("Education level"),
            EducationLevel.choices,
            lambda r: r["g_education"],
        ),
        (
            "started_disability",
            _("Started with disability"),
            "disability",
            _("Disability"),
            YES_NO,
            flag("g_disability"),
        ),
        (
            "started_foreign_background",
            _("Started with a foreign background"),
            "foreign_background",
            _("Foreign background"),
            YES_NO,
            flag("g_foreign_background"),
        ),
        (
            "started_newly_arrived",
            _("Started, newly arrived"),
            "newly_arrived",
            _("Newly arrived"),
            YES_NO,
            flag("g_newly_arrived"),
        ),
        (
            "started_programme",
            _("Started by programme"),
            "programme",
            _("Programme"),
            Programme.choices,
            lambda r: r["g_programme"],
        ),
    ]
    tables = [
        _table(
            key,
            title,
            "started",
            dimension,
            dimension_title,
            categories,
            _crosstab(placements, row_of, "started", categories),
        )
        for key, title, dimension, dimension_title, categories, row_of in started
    ]
    tables.append(
        _table(
            "active_programme",
            _("Active at the end of the period by programme"),
            "active",
            "programme",
            _("Programme"),
            Programme.choices,
            _crosstab(placements, lambda r: r["g_programme"], "active", Programme.choices),
        )
    )
    outcome_cells = [[0] * len(GENDERS) for _ in Outcome.choices]
    for i, code in enumerate(Outcome.values):
        column_cells = _crosstab(placements, lambda r: "all", f"outcome_{code}", [("all", "")])
        outcome_cells[i] = column_cells[0]
    tables.append(
        _table(
            "exit_outcome",
            _("Ended by exit outcome"),
            "ended",
            "outcome",
            _("Exit outcome"),
            Outcome.choices,
            outcome_cells,
        )
    )
    for kind, kind_label in FollowUp.Kind.choices:
        rows = [row for row in follow_ups if row["kind"] == kind]
        categories = [*FollowUp.Status.choices, (NOT_RECORDED, _("Due, not recorded"))]
        cells = []
        for code, _label in categories:
            if code == NOT_RECORDED:
                due = _crosstab(rows, lambda r: "all", "due", [("all", "")])[0]
                done = _crosstab(rows, lambda r: "all", "done", [("all", "")])[0]
                cells.append([max(a - b, 0) for a, b in zip(due, done, strict=True)])
            else:
                cells.append(_crosstab(rows, lambda r: "all", f"status_{code}", [("all", "")])[0])
        tables.append(
            _table(
                f"follow_up_{kind}",
                _("Status at the follow-up: %(kind)s") % {"kind": kind_label},
                f"follow_up_{kind}",
                "status",
                _("Status found"),
                categories,
                cells,
            )
        )
    return tables


#: ESF+ indicator rows: (indicator key, label, source table key, source row code).
def esf_rows(age_bands=AgeBand.choices) -> list[tuple]:
    employed = (Outcome.EMPLOYED, Outcome.EMPLOYED_SUBSIDISED, Outcome.SELF_EMPLOYED)
    rows = [("participants", _("Participants (started)"), "started_lms", disclosure.TOTAL)]
    rows += [(f"lms_{c}", label, "started_lms", c) for c, label in LabourMarketStatus.choices]
    rows += [(f"age_{c}", label, "started_age", c) for c, label in age_bands]
    rows += [
        (f"education_{c}", EducationLevel(c).label, "started_education", c)
        for c in (EducationLevel.ISCED_0_2, EducationLevel.ISCED_3_4, EducationLevel.ISCED_5_8)
    ]
    rows += [
        ("disability", _("With disability"), "started_disability", "yes"),
        ("foreign_background", _("With a foreign background"), "started_foreign_background", "yes"),
        (
            "leaving_education",
            _("In education or training upon leaving"),
            "exit_outcome",
            Outcome.STUDIES,
        ),
        ("leaving_job_seeking", _("Job seeking upon leaving"), "exit_outcome", Outcome.JOB_SEEKING),
    ]
    rows += [
        (
            f"leaving_{c}",
            _("Upon leaving: %(outcome)s") % {"outcome": Outcome(c).label},
            "exit_outcome",
            c,
        )
        for c in employed
    ]
    rows += [
        (
            f"six_months_{c}",
            _("Six months after leaving: %(status)s") % {"status": FollowUp.Status(c).label},
            "follow_up_month_6",
            c,
        )
        for c in employed
    ]
    return rows


@dataclass
class AnonymisedExport:
    files: dict[str, bytes]
    tables: list[dict]
    suppressed: list[dict]
    flags: list[dict]
    release: disclosure.Release | None = None
    grouping: str = DETAILED
    count_tables: list = field(default_factory=list)
    #: Each published measure's group size (for later releases' checks; never published).
    measure_groups: dict = field(default_factory=dict)


def _table_json(result: disclosure.ProtectedTable, *, rounding: bool, threshold: int) -> dict:
    rows, columns = result.shape

    def value(i, j):
        return disclosure.published(result, i, j, rounding=rounding, threshold=threshold)

    table = result.table
    return {
        "key": table.key,
        "title": table.title,
        "kind": "counts",
        "row_dimension": table.row_dimension,
        "row_title": table.row_title,
        "column_dimension": table.column_dimension,
        "column_title": table.column_title,
        "row_codes": [code for code, _label in table.rows],
        "row_labels": [label for _code, label in table.rows],
        "column_codes": [code for code, _label in table.columns],
        "column_labels": [label for _code, label in table.columns],
        "cells": [[value(i, j) for j in range(columns - 1)] for i in range(rows - 1)],
        "row_totals": [value(i, columns - 1) for i in range(rows - 1)],
        "column_totals": [value(rows - 1, j) for j in range(columns - 1)],
        "grand_total": value(rows - 1, columns - 1),
        "flags": result.flags,
    }


def _esf_json(protected: dict, *, rounding: bool, threshold: int) -> dict:
    rows = []
    for key, label, source, code in esf_rows(protected["started_age"].table.rows):
        result = protected[source]
        table_rows = result.shape[0]
        i = (
            table_rows - 1
            if code == disclosure.TOTAL
            else [c for c, _l in result.table.rows].index(code)
        )
        values = [
            disclosure.published(result, i, j, rounding=rounding, threshold=threshold)
            for j in range(result.shape[1])
        ]
        rows.append({"key": key, "label": str(label), "source": [source, code], "values": values})
    return {
        "key": "esf",
        "title": str(_("ESF+ indicators (rows copied from the tables above)")),
        "kind": "view",
        "row_codes": [row["key"] for row in rows],
        "row_labels": [row["label"] for row in rows],
        "column_codes": [code for code, _label in protected["started_lms"].table.columns],
        "column_labels": [label for _code, label in protected["started_lms"].table.columns],
        "cells": [row["values"][:-1] for row in rows],
        "row_totals": [row["values"][-1] for row in rows],
        "column_totals": None,
        "grand_total": None,
        "sources": [row["source"] for row in rows],
    }


def _measure_tables(
    report: dict, threshold: int, earlier_groups=(), groups: dict | None = None
) -> list[dict]:
    """Attendance rate, time in programme and score change per programme; small groups withheld.

    A measure is published only for a group of at least the threshold (quartiles:
    twice the threshold), and not when an earlier release to the same recipient
    published it for a group that differs by 1..threshold−1 members (its value
    and this one would tell about those few). ``groups`` receives each published
    measure's group size (kept with the release, never published).
    """
    groups = {} if groups is None else groups

    def allowed(key: str, size: int, minimum: int) -> bool:
        if size < minimum:
            return False
        for earlier in earlier_groups:
            if key in earlier and 0 < abs(size - earlier[key]) < threshold:
                return False
        groups[key] = size
        return True

    programmes = Programme.choices
    counts = report["counts"]["by"]["programme"]
    attendance = report["attendance"]["by"]["programme"]
    durations = report["time_in_programme"]["by"]["programme"]
    rows = []
    for code, _label in programmes:
        in_period = counts.get(code, {}).get("in_period", 0)
        rate = attendance.get(code, {}).get("rate")
        if rate is not None and not allowed(f"attendance/{code}", in_period, threshold):
            rate = None
        duration = durations.get(code)
        weeks = None
        if duration and allowed(f"weeks/{code}", duration["n"], 2 * threshold):
            weeks = [round(duration[name] / 7) for name in ("q1", "median", "q3")]
        rows.append([None if rate is None else round(rate * 100), *(weeks or [None, None, None])])
    by_area = []
    for area in report["progress"]["areas"]:
        values = report["progress"]["all"].get(area["code"])
        if values and allowed(f"progress/{area['code']}", values["n"], threshold):
            by_area.append([round(values["mean_change"], 1)])
        else:
            by_area.append([None])
    return [
        {
            "key": "programme_measures",
            "title": str(_("Attendance and time in programme by programme")),
            "kind": "measures",
            "row_codes": [code for code, _label in programmes],
            "row_labels": [str(label) for _code, label in programmes],
            "column_codes": ["attendance_rate_percent", "weeks_q1", "weeks_median", "weeks_q3"],
            "column_labels": [
                str(_("Attendance rate (%)")),
                str(_("Time in programme, lower quartile (weeks)")),
                str(_("Time in programme, median (weeks)")),
                str(_("Time in programme, upper quartile (weeks)")),
            ],
            "cells": rows,
        },
        {
            "key": "progress_measures",
            "title": str(_("Mean change in assessment score per area")),
            "kind": "measures",
            "row_codes": [area["slug"] for area in report["progress"]["areas"]],
            "row_labels": [area["label"] for area in report["progress"]["areas"]],
            "column_codes": ["mean_change"],
            "column_labels": [str(_("Mean change (first to latest)"))],
            "cells": by_area,
        },
    ]


def _sheet(table: dict) -> SheetTable:
    header = [table.get("row_title") or ""] + table["column_labels"]
    has_totals = table.get("row_totals") is not None
    if has_totals:
        header.append(str(_("Total")))
    rows = []
    for index, label in enumerate(table["row_labels"]):
        row = [label, *table["cells"][index]]
        if has_totals:
            row.append(table["row_totals"][index])
        rows.append(row)
    if table.get("column_totals") is not None:
        rows.append([str(_("Total")), *table["column_totals"], table["grand_total"]])
    return SheetTable(table["key"], table["title"], header, rows)


def build_anonymised_export(
    *,
    report: dict,
    threshold: int,
    rounding: bool,
    created_by,
    created_role: str,
    parameters: dict,
    grouping: str = DETAILED,
    joint=None,
    earlier_measure_groups=(),
) -> AnonymisedExport:
    """Protect, audit and write the files.

    ``grouping``: DETAILED, MERGED or AUTOMATIC (merged when the detailed
    categories would hide more than ``MERGE_ABOVE_SHARE`` of the population and
    the merged hide less). ``joint``: a function from the count tables to the
    ``disclosure.Context`` of the earlier releases to audit together with
    (``reports.differencing``); it may raise ``ProtectionImpossible``.
    """

    def protect(chosen: str):
        tables = count_tables(report, chosen)
        context = joint(tables) if joint else None
        return disclosure.protect_release(tables, threshold=threshold, context=context)

    considered: dict[str, float] = {}
    if grouping == AUTOMATIC:
        release = protect(DETAILED)
        chosen = DETAILED
        considered[DETAILED] = disclosure.release_summary(release)["population_share"]
        if considered[DETAILED] > MERGE_ABOVE_SHARE:
            merged = protect(MERGED)
            considered[MERGED] = disclosure.release_summary(merged)["population_share"]
            if considered[MERGED] < considered[DETAILED]:
                release, chosen = merged, MERGED
    else:
        release, chosen = protect(grouping), grouping
    protected_list = release.tables
    protected = {result.table.key: result for result in protected_list}
    tables = [
        _table_json(result, rounding=rounding, threshold=threshold) for result in protected_list
    ]
    tables.append(_esf_json(protected, rounding=rounding, threshold=threshold))
    measure_groups: dict = {}
    tables += _measure_tables(report, threshold, earlier_measure_groups, measure_groups)
    suppressed = [cell for result in protected_list for cell in disclosure.suppressed_cells(result)]
    flags = [
        {"table": result.table.key, **flag} for result in protected_list for flag in result.flags
    ]
    preamble = [
        [str(_("Anonymised outcome statistics")), str(_("Period")), report["period"]],
        [
            str(_("Suppression threshold")),
            threshold,
            str(_("Rounded to base 5")) if rounding else "",
        ],
        [str(_("Suppressed cells are empty.")), ""],
    ]
    sheets = [_sheet(table) for table in tables]
    header = {
        "format": "stegvis-anonymised-outcomes/1",
        "period": report["period"],
        "report_month": report["as_of"][:7],
        "organisations": [org["name"] for org in report["organisations"]],
        "threshold": threshold,
        "rounding": "base 5" if rounding else None,
        "grouping": chosen,
    }
    files = {
        "outcomes.csv": to_csv(sheets, preamble=preamble),
        "outcomes.xlsx": to_xlsx(sheets, preamble=preamble),
        "tables.json": to_json({**header, "tables": tables}),
    }
    files["manifest.json"] = manifest(
        files=files,
        parameters=parameters,
        threshold=threshold,
        rounding="base 5" if rounding else None,
        suppressed=suppressed,
        attribute_flags=flags,
        created_by={"user_id": str(created_by.pk) if created_by else None, "role": created_role},
        created_at=timezone.now().isoformat(timespec="seconds"),
        method=(
            "primary suppression of counts 1..threshold-1 (totals included); attribute "
            "disclosure (a group all in one category) flagged and suppressed; complementary "
            "suppression of the least informative cells until, over all tables of the "
            "release together (totals shared between tables are one quantity), every "
            "primary count's range as found by linear programming reaches the threshold "
            "and is at least threshold-1 wide, and no attribute-suppressed count is pinned"
        ),
        disclosure_audit=disclosure.release_summary(release),
        grouping={
            "chosen": chosen,
            "requested": grouping,
            "merged_categories": _merged_description() if chosen == MERGED else {},
            "population_share_by_grouping": considered,
            "merge_above_share": MERGE_ABOVE_SHARE if grouping == AUTOMATIC else None,
        },
    )
    return AnonymisedExport(
        files=files,
        tables=tables,
        suppressed=suppressed,
        flags=flags,
        release=release,
        grouping=chosen,
        count_tables=[result.table for result in protected_list],
        measure_groups=measure_groups,
    )


def _merged_description() -> dict:
    return {
        OTHER_GENDER: [Gender.NON_BINARY.value, Gender.NOT_STATED.value],
        UNDER_30: [AgeBand.UNDER_18, AgeBand.AGE_18_29],
    }
