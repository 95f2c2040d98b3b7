"""Text for ReportLab PDFs: the access extract here, the reports in ``reports``.

A ReportLab ``Paragraph`` reads its text as markup: ``<img src="…"/>`` embeds
a file from the server or fetches a URL, ``<font>``, ``<b>`` and ``<a>`` style
and link. Names, labels and notes come from people, so every Paragraph in
Stegvis is made here, with its text escaped (tests/reports/test_pdf_markup.py
also checks that no other module makes one).
"""

from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph


def text_paragraph(text, style) -> Paragraph:
    """A Paragraph that shows ``text`` exactly as written: no markup is read from it."""
    return Paragraph(escape(str(text)), style)
