"""The anonymised export of a demo-like data set, attacked end to end.

The demo data set (seed_demo, 150 participants, eighteen months of activity)
gives the small groups of real exports: few non-binary participants, rare exit
outcomes, follow-ups just begun. The attacker reads the funder's files and
solves linear programs over every published number of the release.
"""

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from accounts.models import Organisation
from demo.builder import seed_demo
from reports.anonymised import build_anonymised_export, count_tables
from reports.scope import Period
from reports.statistics import outcome_report
from tests.reports.solver import entry_name, narrow_primary_cells, release_ranges, true_values

pytestmark = pytest.mark.slow

TODAY = date(2026, 11, 27)
PERIOD = Period.parse("2025-05:2026-11")  # eighteen months back to this month
THRESHOLD = 5


@pytest.fixture
def demo_export(db, english):
    seed_demo(participants=150, seed=7, today=TODAY)
    enterprises = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
    report = outcome_report(
        period=PERIOD, organisation_ids=list(enterprises.values_list("pk", flat=True)), as_of=TODAY
    )
    bundle = build_anonymised_export(
        report=report,
        threshold=THRESHOLD,
        rounding=False,
        created_by=None,
        created_role="test",
        parameters={"period": PERIOD.code},
    )
    tables = count_tables(report)
    identities = {t.key: (t.population, t.row_dimension, t.column_dimension) for t in tables}
    return bundle, tables, identities


def published_grids(tables_json: list[dict]) -> dict[str, list[list]]:
    """Each count table and view of tables.json as the rows a spreadsheet shows."""
    grids = {}
    for table in tables_json:
        if table["kind"] == "measures":
            continue
        rows = [
            [*cells, total]
            for cells, total in zip(table["cells"], table["row_totals"], strict=True)
        ]
        if table["column_totals"] is not None:
            rows.append([*table["column_totals"], table["grand_total"]])
        grids[table["title"]] = rows
    return grids


def test_the_demo_export_withstands_the_attack_and_the_manifest_shows_the_ranges(demo_export):
    """One data set for the three checks (seeding it is the slow part)."""
    bundle, tables, identities = demo_export
    data = json.loads(bundle.files["tables.json"])
    ranges = release_ranges(data["tables"], identities)

    # No primary count can be narrowed from everything the release publishes.
    truth = true_values(tables, identities)
    primary = [name for name, value in truth.items() if 0 < value < THRESHOLD]
    assert len(primary) > 20  # the data set has the small groups this is about
    assert narrow_primary_cells(ranges, truth, THRESHOLD) == []

    # The manifest gives every suppressed cell the range the attacker finds.
    manifest = json.loads(bundle.files["manifest.json"])
    by_key = {table["key"]: table for table in data["tables"]}
    for cell in manifest["suppressed"]:
        table = by_key[cell["table"]]
        name = entry_name(table, cell["row"], cell["column"], identities[cell["table"]])
        assert tuple(cell["protected_range"]) == ranges[name], cell
    audit = manifest["disclosure_audit"]
    assert audit["passed"] is True
    assert audit["solver"].startswith("HiGHS") and audit["solver_version"].startswith("scipy ")
    counts = [table for table in data["tables"] if table["kind"] == "counts"]
    blanks = sum(row.count(None) for grid in published_grids(counts).values() for row in grid)
    assert audit["suppressed_cells"] == len(manifest["suppressed"]) == blanks
    assert 0 < audit["suppressed_cell_share"] < 1 and 0 < audit["population_share"] < 1

    # The attack read tables.json; the spreadsheet files tell no more.
    assert_spreadsheets_show(bundle, published_grids(data["tables"]))


def assert_spreadsheets_show(bundle, grids: dict[str, list[list]]) -> None:
    workbook = load_workbook(io.BytesIO(bundle.files["outcomes.xlsx"]))
    sheets = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        titles = [k for k, row in enumerate(rows) if row[0] in grids]
        if titles:  # not the magnitude tables
            sheets[rows[titles[0]][0]] = [list(row[1:]) for row in rows[titles[0] + 2 :]]
    for title, grid in grids.items():
        assert [row[: len(grid[0])] for row in sheets[title]] == grid, title
    text = bundle.files["outcomes.csv"].decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    for title, grid in grids.items():
        start = lines.index([title]) + 2
        shown = [
            [int(value) if value else None for value in line[1 : len(grid[0]) + 1]]
            for line in lines[start : start + len(grid)]
        ]
        assert shown == grid, title


def _attack_release(tables_json: dict, report: dict, threshold: int) -> None:
    """The funder's files of one release, attacked as above (in the release's grouping)."""
    tables = count_tables(report, tables_json["grouping"])
    identities = {t.key: (t.population, t.row_dimension, t.column_dimension) for t in tables}
    ranges = release_ranges(tables_json["tables"], identities)
    truth = true_values(tables, identities)
    assert any(0 < value < threshold for value in truth.values())
    assert narrow_primary_cells(ranges, truth, threshold) == []


def test_the_300_participant_demo_export_passes_from_the_command_line_and_the_screen(
    db, english, client, tmp_path, django_capture_on_commit_callbacks
):
    """seed_demo --participants 300 --seed 7; eighteen months back to this month; threshold 5."""
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import Membership, Role
    from reports.models import Release, ReportExport
    from tests.reports.helpers import signed_in

    today = timezone.localdate()
    seed_demo(participants=300, seed=7, today=today)
    months = today.year * 12 + today.month - 1 - 17
    first = date(months // 12, months % 12 + 1, 1)
    period = Period.from_months(f"{first:%Y-%m}", f"{today:%Y-%m}")
    assert (today.year - first.year) * 12 + today.month - first.month == 17  # 18 months

    # From the command line.
    call_command("export_outcomes", anonymised=True, period=period.code, threshold=5, out=tmp_path)
    enterprises = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
    report = outcome_report(
        period=period, organisation_ids=list(enterprises.values_list("pk", flat=True))
    )
    tables_json = json.loads((tmp_path / "tables.json").read_text())
    _attack_release(tables_json, report, 5)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["disclosure_audit"]["passed"] is True
    # Usable: most people are in published cells, and the totals are published.
    assert manifest["disclosure_audit"]["population_share"] < 0.3
    for table in tables_json["tables"]:
        if table["kind"] == "counts" and table["grand_total"] is not None:
            assert table["grand_total"] > 0
    assert (
        sum(t["grand_total"] is not None for t in tables_json["tables"] if t["kind"] == "counts")
        >= 10
    )

    # From the analyst's screen (the funder's analyst; every demo enterprise shares with it).
    analyst = Membership.objects.filter(role=Role.ANALYST).select_related("user").first().user
    signed_in(client, analyst, reauthenticated=True)
    form = {
        "period_from": f"{first:%Y-%m}",
        "period_to": f"{today:%Y-%m}",
        "threshold": 5,
        "grouping": "automatic",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:export_create"), form)
    assert response.status_code == 302
    export = ReportExport.objects.get(created_by=analyst)
    assert export.status == "done", export.error
    download = client.get(reverse("reports:export_download", args=[export.pk, "tables.json"]))
    screen_json = json.loads(b"".join(download.streaming_content))
    screen_report = outcome_report(
        period=period, organisation_ids=export.parameters["organisation_ids"]
    )
    _attack_release(screen_json, screen_report, 5)
    page = client.get(reverse("reports:export_status", args=[export.pk])).content.decode()
    release = Release.objects.get(export=export)
    assert "What was withheld" in page
    assert f"{release.summary['suppressed_cells']} of {release.summary['cells']}" in page
    assert release.recipient_id == analyst.memberships.get(role=Role.ANALYST).organisation_id
