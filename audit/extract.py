"""The participant's access extract as PDF (reportlab): who looked at and
changed their record, by date, organisation, role and action. It names the
participant it is about (it is handed to them); the people who read are
named by organisation and role."""

import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from .pdf import text_paragraph
from .review import ExtractLine


def extract_pdf(
    *, participant_id, enterprise_name: str, lines: list[ExtractLine], participant_name: str = ""
) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Access extract"),
        author="Stegvis",
    )
    styles = getSampleStyleSheet()
    cell = styles["BodyText"]
    cell.fontSize = 8
    cell.leading = 10
    story = [
        text_paragraph(_("Access extract: who has read or changed the record"), styles["Title"]),
        text_paragraph(
            _("%(name)s, record %(id)s at %(enterprise)s. Produced %(when)s.")
            % {
                "name": participant_name,
                "id": participant_id,
                "enterprise": enterprise_name,
                "when": date_format(timezone.localtime(), "DATETIME_FORMAT"),
            },
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    rows = [[_("Date"), _("Organisation"), _("Role"), _("Action"), _("What")]]
    for line in lines:
        rows.append(
            [
                date_format(timezone.localtime(line.when), "SHORT_DATETIME_FORMAT"),
                text_paragraph(line.organisation or "–", cell),
                text_paragraph(line.role or "–", cell),
                line.action,
                text_paragraph(line.what or "–", cell),
            ]
        )
    if len(rows) == 1:
        story.append(text_paragraph(_("No access or change is recorded."), styles["Normal"]))
    else:
        table = Table(rows, repeatRows=1, colWidths=[32 * mm, 45 * mm, 32 * mm, 22 * mm, 43 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    document.build(story)
    return buffer.getvalue()
