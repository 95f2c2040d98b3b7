"""The outcome report as titled grids (for CSV, XLSX and PDF)."""

from django.utils.translation import gettext as _

from casework.models import FollowUp, Outcome

from .exports import SheetTable
from .statistics import DIMENSIONS, esf_indicators  # noqa: F401


def _label(categories, code) -> str:
    return str(dict(categories).get(code, code))


def _ratio(value):
    return None if value is None else round(value * 100, 1)


def report_tables(report: dict) -> list[SheetTable]:
    tables = []
    counts = report["counts"]
    header = [_("Group"), _("In the period"), _("Started"), _("Active at the end"), _("Ended")]

    def count_row(label, values):
        return [label, values["in_period"], values["started"], values["active"], values["ended"]]

    rows = [count_row(_("All"), counts["all"])]
    for dimension, (title, categories) in DIMENSIONS.items():
        for code, label in categories:
            values = counts["by"][dimension].get(code)
            if values:
                rows.append(count_row(f"{title}: {label}", values))
    tables.append(SheetTable("participants", _("Participants (placements)"), header, rows))

    header = [
        _("Group"),
        _("Ended"),
        _("Lower quartile (days)"),
        _("Median (days)"),
        _("Upper quartile (days)"),
    ]
    durations = report["time_in_programme"]
    rows = []
    if durations["all"]:
        d = durations["all"]
        rows.append([_("All"), d["n"], d["q1"], d["median"], d["q3"]])
    for dimension, (title, categories) in DIMENSIONS.items():
        for code, label in categories:
            d = durations["by"][dimension].get(code)
            if d:
                rows.append([f"{title}: {label}", d["n"], d["q1"], d["median"], d["q3"]])
    tables.append(SheetTable("time_in_programme", _("Time in programme"), header, rows))

    attendance = report["attendance"]
    header = [_("Group"), _("Planned hours"), _("Attended hours"), _("Attendance rate (%)")]
    rows = [
        [
            _("All"),
            attendance["all"]["planned"],
            attendance["all"]["attended"],
            _ratio(attendance["all"]["rate"]),
        ]
    ]
    for row in attendance["by_programme_unit"]:
        rows.append(
            [
                f"{row['programme_label']} – {row['unit_label']}",
                row["planned"],
                row["attended"],
                _ratio(row["rate"]),
            ]
        )
    for dimension, (title, categories) in DIMENSIONS.items():
        for code, label in categories:
            values = attendance["by"][dimension].get(code)
            if values:
                rows.append(
                    [
                        f"{title}: {label}",
                        values["planned"],
                        values["attended"],
                        _ratio(values["rate"]),
                    ]
                )
    tables.append(SheetTable("attendance", _("Attendance"), header, rows))

    outcomes = report["outcomes"]
    header = (
        [_("Group"), _("Ended")]
        + [str(label) for _code, label in Outcome.choices]
        + [_("In work or studies (%)")]
    )

    def outcome_row(label, values):
        return (
            [label, values["ended"]]
            + [values["counts"][code] for code in Outcome.values]
            + [_ratio(values["work_or_studies_share"])]
        )

    rows = [outcome_row(_("All"), outcomes["all"])]
    for dimension, (title, categories) in DIMENSIONS.items():
        for code, label in categories:
            values = outcomes["by"][dimension].get(code)
            if values and values["ended"]:
                rows.append(outcome_row(f"{title}: {label}", values))
    tables.append(SheetTable("outcomes", _("Exit outcomes"), header, rows))

    for kind, label in FollowUp.Kind.choices:
        follow_ups = report["follow_ups"][kind]
        header = [_("Group"), _("Due"), _("Made"), _("Coverage (%)")] + [
            str(status_label) for _code, status_label in FollowUp.Status.choices
        ]

        def follow_up_row(group, values):
            return [group, values["due"], values["done"], _ratio(values["coverage"])] + [
                values["statuses"][code] for code in FollowUp.Status.values
            ]

        rows = [follow_up_row(_("All"), follow_ups["all"])]
        for dimension, (title, categories) in DIMENSIONS.items():
            for code, category in categories:
                values = follow_ups["by"][dimension].get(code)
                if values and values["due"]:
                    rows.append(follow_up_row(f"{title}: {category}", values))
        tables.append(
            SheetTable(
                f"follow_up_{kind}", _("Follow-up: %(kind)s") % {"kind": label}, header, rows
            )
        )

    progress = report["progress"]
    header = [
        _("Group"),
        _("Area"),
        _("Assessed twice or more"),
        _("Mean change"),
        _("Improved (%)"),
    ]
    rows = []
    for area in progress["areas"]:
        values = progress["all"].get(area["code"])
        if values:
            rows.append(
                [
                    _("All"),
                    area["label"],
                    values["n"],
                    values["mean_change"],
                    _ratio(values["improved_share"]),
                ]
            )
    for dimension, (title, categories) in DIMENSIONS.items():
        for code, label in categories:
            by_area = progress["by"][dimension].get(code, {})
            for area in progress["areas"]:
                values = by_area.get(area["code"])
                if values:
                    rows.append(
                        [
                            f"{title}: {label}",
                            area["label"],
                            values["n"],
                            values["mean_change"],
                            _ratio(values["improved_share"]),
                        ]
                    )
    tables.append(SheetTable("progress", _("Progress in assessments"), header, rows))

    esf = report["esf"]
    header = [_("Indicator")] + [column["label"] for column in esf["columns"]] + [_("Total")]
    rows = [
        [row["label"]]
        + [row["values"][column["code"]] for column in esf["columns"]]
        + [row["values"]["total"]]
        for row in esf["rows"]
    ]
    tables.append(SheetTable("esf", _("ESF+ indicators"), header, rows))
    return tables


def report_preamble(report: dict) -> list[list[str]]:
    return [
        [_("Outcome report"), _("Period"), report["period_label"]],
        [_("Enterprises"), ", ".join(org["name"] for org in report["organisations"])],
        [_("Report date"), report["as_of"]],
    ]
