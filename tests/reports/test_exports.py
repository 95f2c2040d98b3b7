"""CSV for Swedish Excel, XLSX, the anonymised export's files and its command."""

import csv
import hashlib
import io
import json
import re

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from reports.anonymised import build_anonymised_export
from reports.exports import SheetTable, neutralise, to_csv, to_xlsx
from reports.scope import Period
from reports.statistics import outcome_report
from reports.tables import report_preamble, report_tables
from tests.reports.data import AS_OF

# Messages are checked in English; Swedish is covered by tests/test_translations.py.
pytestmark = pytest.mark.usefixtures("english")

PERIOD = Period.parse("2026-01:2026-06")


def parse_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_neutralise_formula_prefixes():
    for text in ("=1+1", "+46", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Caféet") == "Caféet"


def test_csv_bom_separator_decimal_comma_and_neutralising():
    table = SheetTable(
        "t", "Närvaro", ["Grupp", "Timmar", "Andel"], [['=HYPERLINK("http://x","y")', 12, 0.81]]
    )
    rows = parse_csv(to_csv([table]))
    assert rows[0] == ["Närvaro"]
    assert rows[1] == ["Grupp", "Timmar", "Andel"]
    assert rows[2] == ['\'=HYPERLINK("http://x","y")', "12", "0,81"]


def test_xlsx_numbers_stay_numbers_and_text_is_neutralised():
    table = SheetTable("t", "Närvaro", ["Grupp", "Timmar"], [["@evil", 12], ["ok", 0.5]])
    sheet = load_workbook(io.BytesIO(to_xlsx([table]))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[2] == ("'@evil", 12)
    assert values[3] == ("ok", 0.5)


def test_report_csv_opens_with_the_right_columns_and_a_neutralised_name(dataset):
    dataset.enterprise.name = '=HYPERLINK("http://evil.example","klicka")'
    dataset.enterprise.save()
    with translation.override("en"):
        report = outcome_report(
            period=PERIOD, organisation_ids=[dataset.enterprise.pk], as_of=AS_OF
        )
        rows = parse_csv(to_csv(report_tables(report), preamble=report_preamble(report)))
    assert rows[0][:3] == ["Outcome report", "Period", "2026-01 – 2026-06"]
    assert rows[1] == ["Enterprises", '\'=HYPERLINK("http://evil.example","klicka")']
    header = rows.index(["Group", "Planned hours", "Attended hours", "Attendance rate (%)"])
    attendance = rows[header + 1 : header + 4]
    assert attendance[0] == ["All", "100,0", "81,0", "81,0"]
    assert ["Work training – Caféet", "60,0", "53,0", "88,3"] in attendance
    numeric = re.compile(r"^-?\d+(,\d+)?$")
    assert not any(
        cell.startswith(("=", "+", "-", "@")) and not numeric.match(cell)
        for row in rows
        for cell in row
    )


@pytest.fixture
def bundle(dataset, manager):
    report = outcome_report(period=PERIOD, organisation_ids=[dataset.enterprise.pk], as_of=AS_OF)
    return build_anonymised_export(
        report=report,
        threshold=5,
        rounding=False,
        created_by=manager,
        created_role="manager",
        parameters={"period": PERIOD.code},
    )


def test_anonymised_export_files_and_manifest(bundle, manager):
    assert set(bundle.files) == {"outcomes.csv", "outcomes.xlsx", "tables.json", "manifest.json"}
    manifest = json.loads(bundle.files["manifest.json"])
    for entry in manifest["files"]:
        assert entry["sha256"] == hashlib.sha256(bundle.files[entry["name"]]).hexdigest()
    assert {entry["name"] for entry in manifest["files"]} == {
        "outcomes.csv",
        "outcomes.xlsx",
        "tables.json",
    }
    assert manifest["created_by"] == {"user_id": str(manager.pk), "role": "manager"}
    assert manifest["threshold"] == 5 and manifest["software_version"]
    assert manifest["suppressed"] and all(cell["reason"] for cell in manifest["suppressed"])
    assert manager.get_full_name() not in bundle.files["manifest.json"].decode()


def test_tables_json_publishes_no_small_count_and_no_identifier(bundle, dataset):
    data = json.loads(bundle.files["tables.json"])
    assert data["period"] == "2026-01:2026-06" and data["report_month"] == "2026-11"
    text = bundle.files["tables.json"].decode()
    for placement in dataset.placements.values():
        assert str(placement.pk) not in text and str(placement.participant_id) not in text
    for table in data["tables"]:
        if table["kind"] == "measures":
            continue
        values = [v for row in table["cells"] for v in row] + list(table["row_totals"])
        values += list(table["column_totals"] or []) + [table["grand_total"]]
        assert not any(v is not None and 0 < v < 5 for v in values), table["key"]
    started = next(t for t in data["tables"] if t["key"] == "started_lms")
    assert set(started) >= {
        "title",
        "row_labels",
        "column_labels",
        "cells",
        "row_totals",
        "column_totals",
        "grand_total",
    }
    assert started["grand_total"] is None  # 4 participants started: under the threshold


def test_anonymised_csv_and_xlsx_show_suppressed_cells_empty(bundle):
    rows = parse_csv(bundle.files["outcomes.csv"])
    assert rows[0][0] == "Anonymised outcome statistics"
    sheet = load_workbook(io.BytesIO(bundle.files["outcomes.xlsx"])).worksheets[0]
    assert sheet.max_row > 3


def test_command_writes_the_same_files(dataset, tmp_path):
    out = tmp_path / "export"
    call_command(
        "export_outcomes",
        "--anonymised",
        "--period",
        "2026-01:2026-06",
        "--organisation",
        str(dataset.enterprise.pk),
        "--threshold",
        "3",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    assert {path.name for path in out.iterdir()} == {
        "outcomes.csv",
        "outcomes.xlsx",
        "tables.json",
        "manifest.json",
    }
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["threshold"] == 3
    assert manifest["parameters"]["organisation_ids"] == [str(dataset.enterprise.pk)]
