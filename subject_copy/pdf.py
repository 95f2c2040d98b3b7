"""The copy as a readable PDF (reportlab), in the language active when it is made (Swedish).

Every string from the record reaches the PDF through ``audit.pdf.text_paragraph``,
which escapes it: ReportLab would otherwise read markup such as ``<img>`` in a note.
"""

import io

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from audit.pdf import text_paragraph

from .package import Package, _plain

PAGE_WIDTH = A4[0] - 36 * mm
#: More columns than this do not fit across the page.
WIDE = 6


def _cell(value, cell, fits: int):
    """Short one-line text as a plain string (drawn as it is, never read as markup, and
    far cheaper than a Paragraph: a year of attendance is thousands of cells); longer
    text as an escaped Paragraph, which wraps."""
    text = str(_plain(value))
    if len(text) <= fits and "\n" not in text:
        return text
    return text_paragraph(text, cell)


def _table(rows: list[list], cell, *, header: bool = False, widths=None) -> Table:
    columns = len(rows[0])
    fractions = widths or [1 / columns] * columns
    # Characters of the cell font that fit in each column (an average glyph is about
    # half the font size wide; less the cell padding).
    fits = [int((PAGE_WIDTH * f - 12) / (cell.fontSize * 0.6)) for f in fractions]
    cells = [
        [_cell(value, cell, fit) for value, fit in zip(row, fits, strict=True)] for row in rows
    ]
    table = Table(
        cells, repeatRows=1 if header else 0, colWidths=[PAGE_WIDTH * f for f in fractions]
    )
    style: list = [
        ("FONTSIZE", (0, 0), (-1, -1), cell.fontSize),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")))
    table.setStyle(TableStyle(style))
    return table


def package_pdf(package: Package) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Copy of your personal data"),
        author="Stegvis",
    )
    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("subject_copy_cell", fontSize=8, leading=10)
    story = [
        text_paragraph(_("Copy of your personal data"), styles["Title"]),
        text_paragraph(
            _(
                "Everything %(controller)s holds about you in Stegvis, produced %(when)s "
                "(record %(id)s). The same content is in the file registerutdrag.json, "
                "in a machine-readable form."
            )
            % {
                "controller": package.controller["name"],
                "when": _plain(package.produced_at),
                "id": package.participant_id,
            },
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    for section in package.sections:
        story.append(text_paragraph(section.title, styles["Heading2"]))
        if section.explanation:
            story.append(text_paragraph(section.explanation, styles["Normal"]))
            story.append(Spacer(1, 2 * mm))
        if not section.rows:
            story.append(text_paragraph(_("Nothing recorded."), styles["Normal"]))
            continue
        if len(section.columns) > WIDE:
            # A placement has too many columns for a row: one label-value table each.
            for row in section.rows:
                story.append(
                    _table(
                        [[label, row.get(key, "")] for key, label in section.columns],
                        cell,
                        widths=[0.3, 0.7],
                    )
                )
                story.append(Spacer(1, 3 * mm))
            continue
        rows = [[label for _key, label in section.columns]] + [
            [row.get(key, "") for key, _label in section.columns] for row in section.rows
        ]
        story.append(_table(rows, cell, header=True))
    document.build(story)
    return buffer.getvalue()
