"""The outcome report as PDF (reportlab): tables and bar charts, with the period
and scope in the header and "page X of Y" in the footer of every page."""

import io

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from audit.pdf import text_paragraph

from .charts import report_charts
from .exports import SheetTable
from .tables import report_tables

PAGE = landscape(A4)


def _numbered_canvas(header: str):
    class NumberedCanvas(pdf_canvas.Canvas):
        """Two passes: pages are kept until the total is known."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 - reportlab's API
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont("Helvetica", 8)
                self.drawString(15 * mm, PAGE[1] - 10 * mm, header)
                self.drawRightString(
                    PAGE[0] - 15 * mm,
                    8 * mm,
                    _("Page %(page)s of %(total)s") % {"page": self._pageNumber, "total": total},
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value).replace(".", ",") if not isinstance(value, str) else value


def _table(sheet: SheetTable, styles) -> list:
    small = styles["BodyText"].clone("small", fontSize=7, leading=8)
    data = [[text_paragraph(value, small) for value in sheet.header]]
    data += [[text_paragraph(_cell(value), small) for value in row] for row in sheet.rows]
    first = 60 * mm
    rest = (PAGE[0] - 30 * mm - first) / max(len(sheet.header) - 1, 1)
    table = Table(data, colWidths=[first] + [rest] * (len(sheet.header) - 1), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6eef2")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [text_paragraph(sheet.title, styles["Heading2"]), table, Spacer(1, 6 * mm)]


def _chart(title: str, bars, styles) -> KeepTogether:
    height = max(len(bars), 1) * 16 + 30
    drawing = Drawing(PAGE[0] - 40 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 190, 10
    chart.width, chart.height = PAGE[0] - 40 * mm - 230, height - 20
    chart.data = [[float(bar.value or 0) for bar in reversed(bars)] or [0]]
    chart.categoryAxis.categoryNames = [bar.label[:45] for bar in reversed(bars)] or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#2f6f8f")
    drawing.add(chart)
    return KeepTogether([text_paragraph(title, styles["Heading2"]), drawing, Spacer(1, 4 * mm)])


def report_pdf(report: dict) -> bytes:
    styles = getSampleStyleSheet()
    scope = ", ".join(org["name"] for org in report["organisations"])
    header = _("Outcome report · %(period)s · %(scope)s") % {
        "period": report["period_label"],
        "scope": scope,
    }
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=16 * mm,
        bottomMargin=14 * mm,
        title=str(_("Outcome report")),
        author="Stegvis",
    )
    story = [
        text_paragraph(_("Outcome report"), styles["Title"]),
        text_paragraph(
            _("Period: %(period)s") % {"period": report["period_label"]}, styles["Normal"]
        ),
        text_paragraph(_("Enterprises: %(scope)s") % {"scope": scope}, styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    titles = {
        "exit_outcomes": _("Exit outcomes"),
        "attendance": _("Attendance rate by programme"),
        "gender": _("Participants in the period by gender"),
    }
    for chart in report_charts(report):
        story.append(_chart(titles[chart["title"]], chart["bars"], styles))
    for sheet in report_tables(report):
        story.extend(_table(sheet, styles))
    document.build(story, canvasmaker=_numbered_canvas(header))
    return buffer.getvalue()
