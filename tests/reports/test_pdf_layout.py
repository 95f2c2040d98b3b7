"""The report PDFs look professional: words are never broken inside a table cell,
charts have Swedish value labels and axes, hours are written "4" (not "4,00"),
and the attendance report has signature lines."""

from decimal import Decimal

import pytest
from django.utils import translation
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from reports import pdf
from reports.attendance import _hours
from reports.charts import Bar
from tests.test_swedish_pages import pdf_text


def test_column_widths_fit_every_word():
    columns = [
        ["Utfall", "Anställning utan stöd"],
        ["Egenföretagare", "3"],
        ["Arbetslivsinriktad", "12"],
        ["Kvinna", "1"],
    ]
    widths, size = pdf.column_widths(columns, 200 * mm)
    for column, width in zip(columns, widths, strict=True):
        longest = max(stringWidth(word, "Helvetica", size) for t in column for word in t.split())
        assert longest + pdf.CELL_PADDING <= width
    assert sum(widths) == pytest.approx(200 * mm)


def test_column_widths_shrink_the_font_when_words_do_not_fit():
    columns = [["Rad"]] + [["Egenföretagare"]] * 14
    widths, size = pdf.column_widths(columns, pdf.PAGE[0] - 30 * mm)
    assert size < pdf.TABLE_FONT_SIZE
    assert sum(widths) <= pdf.PAGE[0] - 30 * mm + 0.01


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("4.00"), "4"), (Decimal("4.50"), "4,5"), (Decimal("7.25"), "7,25"), (None, "–")],
)
def test_hours_are_written_as_people_write_them(value, text):
    with translation.override("sv"):
        assert _hours(value) == text


def test_chart_labels_and_axis_are_swedish(settings):
    import io

    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import SimpleDocTemplate

    bars = [Bar("Anställning", 0.875, "87,5 %"), Bar("Studier", 0.5, "50,0 %")]
    buffer = io.BytesIO()
    with translation.override("sv"):
        chart = pdf._chart(
            "Närvaro", bars, getSampleStyleSheet(), as_percent=True, axis_title="Andel"
        )
        SimpleDocTemplate(buffer).build([chart])
    texts = pdf_text(buffer.getvalue())
    assert "87,5 %" in texts and "50,0 %" in texts  # value labels
    assert {"0 %", "25 %", "50 %", "75 %", "100 %"} <= set(texts)  # the axis
    assert not any("0.5" in text or "0.25" in text for text in texts)
