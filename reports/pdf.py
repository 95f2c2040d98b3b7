"""The outcome report as PDF (reportlab): tables and bar charts, with the period
and scope in the header and "page X of Y" in the footer of every page."""

import io

from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from audit.pdf import text_paragraph

from .charts import report_charts
from .exports import SheetTable
from .tables import report_tables

PAGE = landscape(A4)
BAR_COLOUR = colors.HexColor("#2f6f8f")


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


#: Table text size, and the smallest it shrinks to before a column is allowed to wrap.
TABLE_FONT_SIZE = 7.0
MIN_FONT_SIZE = 5.5
CELL_PADDING = 6.0  # reportlab's default left + right cell padding, in points
FIRST_COLUMN = 60 * mm


def _longest_word(texts, font_size: float, font: str = "Helvetica") -> float:
    return max(
        (stringWidth(word, font, font_size) for text in texts for word in str(text).split()),
        default=0.0,
    )


def column_widths(texts_by_column: list[list[str]], available: float) -> tuple[list[float], float]:
    """Widths that fit each column's longest word (no word is broken), and the font size.

    The first column (the row labels) gets ``FIRST_COLUMN`` (less if the others
    need it) or at least what its longest word needs; the others share the rest,
    each at least its longest word. If
    the words do not fit at ``TABLE_FONT_SIZE``, the font shrinks (to
    ``MIN_FONT_SIZE`` at most); space left over is spread evenly.
    """
    size = TABLE_FONT_SIZE
    while True:
        needs = [_longest_word(texts, size) + CELL_PADDING + 1 for texts in texts_by_column]
        # The row labels wrap between words: they give up width before the numbers do.
        needs[0] = max(needs[0], min(FIRST_COLUMN, available - sum(needs[1:])))
        if sum(needs) <= available or size <= MIN_FONT_SIZE:
            break
        size = max(MIN_FONT_SIZE, size - 0.5)
    spare = max(available - sum(needs), 0.0)
    rest = len(needs) - 1
    if rest:
        needs = [needs[0]] + [need + spare / rest for need in needs[1:]]
    else:
        needs[0] += spare
    return needs, size


def _table(sheet: SheetTable, styles) -> list:
    header = [str(value) for value in sheet.header]
    rows = [[_cell(value) for value in row] for row in sheet.rows]
    columns = [[row[j] for row in [header, *rows] if j < len(row)] for j in range(len(header))]
    widths, size = column_widths(columns, PAGE[0] - 30 * mm)
    small = styles["BodyText"].clone("small", fontSize=size, leading=size + 1.5)
    bold = small.clone("small-bold", fontName="Helvetica-Bold")
    number = small.clone("small-number", alignment=TA_RIGHT)
    bold_number = bold.clone("small-bold-number", alignment=TA_RIGHT)
    data = [
        [text_paragraph(value, bold if j == 0 else bold_number) for j, value in enumerate(header)]
    ]
    data += [
        [text_paragraph(value, small if j == 0 else number) for j, value in enumerate(row)]
        for row in rows
    ]
    table = Table(data, colWidths=widths, repeatRows=1)
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


def _nice_step(maximum: float) -> float:
    """A round tick step giving four to eight ticks up to ``maximum``."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if maximum / step <= 8:
            return step
    return 10 ** len(str(int(maximum)))


def _axis_number(value: float, *, as_percent: bool) -> str:
    if as_percent:
        return f"{round(value * 100)} %"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _chart(title: str, bars, styles, *, as_percent: bool, axis_title: str) -> KeepTogether:
    """A horizontal bar chart: labels, bars, each bar's value, a Swedish value axis.

    Drawn with plain shapes: coordinates are numbers (never localised), the
    texts are formatted here.
    """
    row, label_width, value_width = 16, 70 * mm, 22 * mm
    width = PAGE[0] - 30 * mm
    plot = width - label_width - value_width
    largest = max((float(bar.value or 0) for bar in bars), default=0.0)
    if as_percent:
        maximum, step = 1.0, 0.25
    else:
        step = _nice_step(max(largest, 1))
        maximum = step * max(1, -(-largest // step))
    axis_y = 28
    height = axis_y + len(bars) * row + 6
    drawing = Drawing(width, height)
    for index, bar in enumerate(bars):
        y = height - 6 - (index + 1) * row + 4
        value = float(bar.value or 0)
        bar_width = plot * min(value, maximum) / maximum if maximum else 0
        drawing.add(String(label_width - 6, y + 3, bar.label[:60], fontSize=7, textAnchor="end"))
        rect = Rect(label_width, y, bar_width, row - 5)
        rect.fillColor, rect.strokeColor = BAR_COLOUR, None
        drawing.add(rect)
        drawing.add(String(label_width + bar_width + 4, y + 3, bar.display, fontSize=7))
    drawing.add(Line(label_width, axis_y, label_width + plot, axis_y, strokeWidth=0.5))
    tick = 0.0
    while tick <= maximum + 1e-9:
        x = label_width + plot * tick / maximum
        drawing.add(Line(x, axis_y, x, axis_y - 3, strokeWidth=0.5))
        drawing.add(
            String(
                x,
                axis_y - 11,
                _axis_number(tick, as_percent=as_percent),
                fontSize=7,
                textAnchor="middle",
            )
        )
        tick += step
    drawing.add(
        String(label_width + plot / 2, axis_y - 22, axis_title, fontSize=7, textAnchor="middle")
    )
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
    axis_titles = {
        "exit_outcomes": _("Number of placements ended"),
        "attendance": _("Attended hours as a share of planned hours"),
        "gender": _("Number of placements"),
    }
    for chart in report_charts(report):
        story.append(
            _chart(
                titles[chart["title"]],
                chart["bars"],
                styles,
                as_percent=chart["title"] == "attendance",
                axis_title=axis_titles[chart["title"]],
            )
        )
    for sheet in report_tables(report):
        story.extend(_table(sheet, styles))
    document.build(story, canvasmaker=_numbered_canvas(header))
    return buffer.getvalue()
