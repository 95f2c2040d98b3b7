"""Names and labels reach PDFs as text, never as ReportLab markup.

ReportLab's ``Paragraph`` reads ``<img src="…"/>`` (embeds a server file or
fetches a URL), ``<font>``, ``<b>`` and entities. Every field a person or an
administrator can write and that a PDF prints carries such markup here: the
outcome report, the monthly attendance report and the access extract must
build, show the text exactly as written and embed no image.
"""

import ast
import io
import re
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

from casework.models import Item
from tests.accounts.matrix import readable_texts
from tests.factories import make_active_placement, make_participant
from tests.reports.helpers import signed_in

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
#: A picture in the working directory, which ``<img src="pixel.png"/>`` would embed.
PICTURE = "pixel.png"


def markup(word: str) -> str:
    """``word`` followed by markup ReportLab would act on if it read it."""
    return f'{word} &amp; & <b>b</b> <font size="30" color="red">f</font> <img src="{PICTURE}"/>'


#: The instrument's item label also names a URL, which ReportLab would fetch.
ITEM_LABEL = markup("Motivation") + ' <img src="http://127.0.0.1:9/remote.png"/>'


def shown_text(pdf: bytes) -> str:
    """What the PDF's pages show: the string operands of its content streams, without
    spaces (a Paragraph breaks lines and long words where it likes)."""
    shown = []
    for text in readable_texts(pdf)[1:]:
        for literal in re.finditer(rb"\(((?:\\.|[^\\()])*)\)\s*Tj", text, re.DOTALL):
            raw = re.sub(
                rb"\\([0-7]{1,3}|.)",
                lambda escape: bytes([int(escape[1], 8)]) if escape[1][:1].isdigit() else escape[1],
                literal[1],
            )
            shown.append(raw.decode("cp1252"))
    return re.sub(r"\s+", "", "".join(shown))


def assert_shown_literally(pdf: bytes, *texts: str) -> None:
    assert pdf.startswith(b"%PDF")
    assert b"/Subtype /Image" not in pdf
    shown = shown_text(pdf)
    for text in texts:
        assert re.sub(r"\s+", "", text) in shown, text


@pytest.fixture
def picture(tmp_path, monkeypatch):
    """A real picture where a relative ``src`` finds it: the test fails if it is embedded."""
    Image.new("RGB", (8, 8), "red").save(tmp_path / PICTURE)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def marked_up(dataset, agency, manager, supervisor):
    """The report data set with markup in every printed name and label."""
    enterprise = dataset.enterprise
    enterprise.name = markup("Kaffekvarnen")
    enterprise.save()
    unit = dataset.placements["p1"].unit
    unit.name = markup("Cafeet")
    unit.save()
    item = Item.objects.get(code="motivation")
    item.label = ITEM_LABEL
    item.save()
    agency.name = markup("Agency")
    agency.save()
    manager.first_name = markup("Maria")
    manager.save()
    participant = make_participant(
        organisation=enterprise,
        acting_user=manager,
        given_name=markup("Given"),
        family_name="Family & <b>Co</b>",
    )
    placement = make_active_placement(
        participant=participant,
        unit=unit,
        supervisors=[supervisor],
        acting_user=manager,
        start_date=date(2026, 1, 5),
        agency=agency,
    )
    return placement


@pytest.mark.usefixtures("picture")
def test_the_outcome_report_pdf_shows_names_and_labels_as_text(client, marked_up, manager):
    signed_in(client, manager, reauthenticated=True)

    response = client.get(
        reverse("reports:outcome_pdf"), {"period_from": "2026-01", "period_to": "2026-06"}
    )

    assert response.status_code == 200
    assert_shown_literally(response.content, markup("Kaffekvarnen"), markup("Cafeet"), ITEM_LABEL)


@pytest.mark.usefixtures("picture")
def test_the_attendance_pdf_shows_names_as_text(client, marked_up, manager):
    signed_in(client, manager)

    response = client.get(reverse("placements:attendance_month_pdf", args=[marked_up.pk, 2026, 1]))

    assert response.status_code == 200
    assert_shown_literally(
        response.content,
        markup("Kaffekvarnen"),
        markup("Cafeet"),
        markup("Agency"),
        markup("Given") + " Family & <b>Co</b>",
        markup("Maria"),
    )


@pytest.mark.usefixtures("picture")
def test_the_access_extract_shows_organisation_names_as_text(client, marked_up, manager, auditor):
    # A print by the manager: the extract names the manager's organisation.
    signed_in(client, manager)
    client.get(reverse("placements:attendance_month_pdf", args=[marked_up.pk, 2026, 1]))
    signed_in(client, auditor)

    response = client.get(reverse("audit:participant_extract", args=[marked_up.participant_id]))

    assert response.status_code == 200
    assert_shown_literally(response.content, markup("Kaffekvarnen"))


def test_the_check_would_see_an_embedded_picture(picture):
    """The assertions above can fail: unescaped markup embeds the picture."""
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build([Paragraph(markup("Cafeet"), getSampleStyleSheet()["Normal"])])
    assert b"/Subtype /Image" in buffer.getvalue()


def _paragraph_makers(path: Path) -> list[int]:
    """Lines of ``path`` that name ReportLab's Paragraph (import or call)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and any(a.name == "Paragraph" for a in node.names):
            lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr == "Paragraph":
            lines.append(node.lineno)
    return lines


def test_every_paragraph_is_made_by_the_one_escaping_helper():
    """Only audit/pdf.py makes a Paragraph; everything else calls text_paragraph."""
    apps = [path.parent for path in ROOT.glob("*/apps.py")] + [ROOT / "config"]
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for app in apps
        if app.name not in {"tests", "bench"}
        for path in sorted(app.rglob("*.py"))
        if path != ROOT / "audit" / "pdf.py"
        for line in _paragraph_makers(path)
    ]
    assert offenders == []
