"""Files of the outcome report: CSV for Swedish Excel, XLSX, tables.json, manifest.json.

CSV: UTF-8 with a byte-order mark (so Excel detects the encoding), ``;`` as the
separator and a decimal comma. In CSV and XLSX a text cell that starts with
``= + - @`` (or a tab or carriage return) gets a leading ``'`` so a spreadsheet
never reads it as a formula (formula injection, OWASP "CSV injection").
"""

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class SheetTable:
    """A titled grid: a header row and data rows (text, int, float, Decimal or None)."""

    key: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""


def neutralise(text: str) -> str:
    text = str(text)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return f"{value}".replace(".", ",")
    return neutralise(value)


def to_csv(
    tables: list[SheetTable], *, preamble: list[list[str]] = (), titled: bool = True
) -> bytes:
    """All tables one after another, each with its title row, for Swedish Excel.

    ``titled=False``: no title or note rows, the header is the first line (a
    file read by a machine, such as a funder file).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for line in preamble:
        writer.writerow([csv_value(value) for value in line])
    for table in tables:
        if preamble or table is not tables[0]:
            writer.writerow([])
        if titled:
            writer.writerow([csv_value(table.title)])
            if table.note:
                writer.writerow([csv_value(table.note)])
        writer.writerow([csv_value(value) for value in table.header])
        for row in table.rows:
            writer.writerow([csv_value(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_value(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return neutralise(value)


def _sheet_name(title: str, used: set) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "Sheet"
    name, number = base, 2
    while name in used:
        name = f"{base[:25]} {number}"
        number += 1
    used.add(name)
    return name


def to_xlsx(
    tables: list[SheetTable], *, preamble: list[list[str]] = (), titled: bool = True
) -> bytes:
    """One sheet per table; numbers stay numbers, text is neutralised.

    ``titled=False``: no title or note rows, the header is the sheet's first row.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.title, used))
        for line in preamble:
            sheet.append([_xlsx_value(value) for value in line])
        if titled:
            sheet.append([_xlsx_value(table.title)])
            if table.note:
                sheet.append([_xlsx_value(table.note)])
        sheet.append([_xlsx_value(value) for value in table.header])
        for row in table.rows:
            sheet.append([_xlsx_value(value) for value in row])
        for index in range(1, len(table.header) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 18 if index > 1 else 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def software_version() -> str:
    try:
        return version("stegvis")
    except PackageNotFoundError:
        return "unknown"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def manifest(*, files: dict[str, bytes], **fields) -> bytes:
    """The manifest: parameters, suppressions, who, when, version, checksum of every file."""
    data = dict(fields)
    data["software_version"] = software_version()
    data["files"] = [
        {"name": name, "bytes": len(content), "sha256": sha256(content)}
        for name, content in sorted(files.items())
    ]
    return to_json(data)
