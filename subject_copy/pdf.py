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
        header = [text_paragraph(label, cell) for _key, label in section.columns]
        rows = [header] + [
            [text_paragraph(_plain(row.get(key, "")), cell) for key, _label in section.columns]
            for row in section.rows
        ]
        width = PAGE_WIDTH / len(section.columns)
        table = Table(rows, repeatRows=1, colWidths=[width] * len(section.columns))
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    document.build(story)
    return buffer.getvalue()
