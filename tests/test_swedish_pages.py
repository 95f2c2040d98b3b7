"""With Swedish selected, no page and no PDF shows English.

Every role's user of the access matrix's scenario crawls from the home page (the
crawler of ``tests/desk/test_crawl.py``); the visible text of every HTML page
(with the texts of ``placeholder``, ``title``, ``aria-label``, ``alt`` and button
values) and the text of every PDF reached are searched for English UI words. The
outcome report's PDF, which asks for a re-authentication first, and the error
pages are rendered directly. Numbers in SVG attributes are never localised.
"""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.reauth import REAUTH_AT
from tests.accounts import matrix
from tests.desk.test_crawl import CRAWLERS, crawl
from tests.desk.test_journey_chart import NUMERIC_ATTRIBUTES

pytestmark = pytest.mark.django_db

#: English UI words (whole words, case-sensitive where the Swedish word is the same
#: in lower case). Each one was seen in the Swedish UI at some point, or is a word
#: a Django default (widgets, admin, forms) brings in when a string is not translated.
ENGLISH = [
    "Select an option",
    "Select",
    "Save",
    "Cancel",
    "Delete",
    "Edit",
    "Search",
    "Submit",
    "Show",
    "Hide",
    "Download",
    "Print",
    "Back",
    "Next",
    "Previous",
    "Today",
    "Yes",
    "No",
    "None",
    "True",
    "False",
    "Unknown",
    "Created",
    "Changed",
    "Deleted",
    "Change",
    "Add",
    "View",
    "History",
    "Home",
    "Welcome",
    "Participant",
    "participant",
    "Placement",
    "placement",
    "Attendance",
    "attendance",
    "Report",
    "report",
    "Review",
    "Goal",
    "Note",
    "supervisor",
    "manager",
    "case_officer",
    "analyst",
    "auditor",
    "the",
    "and",
    "with",
    "of",
    "or",
    "from",
    "are",
    "this",
    "Currently",
    "Clear",
    "Choose",
    "Note:",
    "hours",
    "hour",
    "ahead",
    "behind",
    "server time",
    "Page",
    "Date",
    "Action",
    "Role",
    "What",
    "When",
    "Access",
    "access",
    "outcome_report",
    "access_log",
    "access_extract",
    "list",
    "detail",
    "notes",
    "goals",
    "assessments",
    "history",
    "view",
    "search",
    "Log out",
    "Sign in",
    "Password",
    "Error",
    "required",
    "Enter",
    "Forbidden",
    "Not Found",
    "Server Error",
    "Bad Request",
]
ENGLISH_RE = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ENGLISH)) + r")(?![\w-])")

#: Attributes whose text a person reads or hears.
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class VisibleText(HTMLParser):
    """Visible text, and read attributes; script and style skipped."""

    def __init__(self):
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []
        self.svg_commas: list[tuple[str, str, str]] = []
        self.in_svg = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "svg":
            self.in_svg += 1
        values = dict(attrs)
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])
        if self.in_svg:
            for name, value in attrs:
                pattern = NUMERIC_ATTRIBUTES.get(name)
                if pattern and value is not None and not pattern.fullmatch(value):
                    self.svg_commas.append((tag, name, value))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag == "svg" and self.in_svg:
            self.in_svg -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(data.strip())


def html_text(html: str) -> tuple[list[str], list]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.parts, parser.svg_commas


_PDF_STRING = re.compile(rb"\((?:[^()\\]|\\.)*\)")


def pdf_text(content: bytes) -> list[str]:
    """The strings a ReportLab PDF draws (its content streams, uncompressed)."""
    texts = []
    for text in matrix.readable_texts(content)[1:]:
        for match in _PDF_STRING.finditer(text):
            raw = match.group(0)[1:-1]
            raw = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), raw)
            raw = re.sub(rb"\\(.)", rb"\1", raw)
            texts.append(raw.decode("cp1252", errors="replace"))
    return texts


def english_in(texts) -> set[str]:
    return {match for text in texts for match in ENGLISH_RE.findall(text)}


def english_on_page(response, body: bytes) -> tuple[set[str], list]:
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html"):
        texts, svg_numbers = html_text(body.decode())
        return english_in(texts), svg_numbers
    if content_type.startswith("application/pdf"):
        return english_in(pdf_text(body)), []
    return set(), []


@pytest.fixture
def scenario(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    return matrix.build_scenario()


def swedish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    return client


@pytest.mark.parametrize("role", sorted(CRAWLERS))
def test_every_page_and_pdf_a_role_reaches_is_in_swedish(scenario, role):
    if role == "auditor":
        # A manager has opened a record, so the access log has a participant to follow.
        participant = scenario.objects["P1"]
        scenario.client("manager_a").get(reverse("participants:detail", args=[participant.pk]))
    english, svg_numbers, kinds = {}, {}, set()

    def on_page(url, response, body):
        found, numbers = english_on_page(response, body)
        kinds.add(response.get("Content-Type", "").split(";")[0])
        if found:
            english[url] = sorted(found)
        if numbers:
            svg_numbers[url] = numbers[:5]

    result = crawl(swedish(scenario.client(CRAWLERS[role])), on_page=on_page)
    assert result.pages > 3
    assert english == {}, f"{role}: English on pages (url: words):\n" + "\n".join(
        f"{url}: {words}" for url, words in english.items()
    )
    assert svg_numbers == {}, f"{role}: localised numbers in SVG attributes: {svg_numbers}"
    assert "text/html" in kinds


def test_the_outcome_report_pdf_is_in_swedish(scenario):
    client = swedish(scenario.client("manager_a"))
    session = client.session
    session[REAUTH_AT] = timezone.now().timestamp()
    session.save()
    year = timezone.localdate().year
    response = client.get(
        reverse("reports:outcome_pdf"), {"period_from": f"{year - 1}-01", "period_to": f"{year}-12"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert english_in(pdf_text(response.content)) == set()
    # A positive control: the PDF's text is read (its title is there, in Swedish).
    assert any("Utfallsrapport" in text for text in pdf_text(response.content))


def test_the_error_pages_are_in_swedish_and_a_404_does_not_echo_its_path(scenario):
    client = swedish(scenario.client("supervisor_a"))
    missing = "/deltagare/00000000-0000-0000-0000-00000000abcd/"
    response = client.get(missing)
    assert response.status_code == 404
    texts, _numbers = html_text(response.content.decode())
    assert english_in(texts) == set()
    assert "Sidan finns inte" in texts
    # The language switch returns to the home page, not to the id asked for.
    assert "00000000abcd" not in response.content.decode()
    response = client.get(reverse("reports:export_list"))
    assert response.status_code == 403
    texts, _numbers = html_text(response.content.decode())
    assert english_in(texts) == set()
    assert "Ingen behörighet" in texts


def test_the_server_error_page_is_in_swedish():
    with translation.override("sv"):
        html = render_to_string("500.html")
    texts, _numbers = html_text(html)
    assert "Något gick fel" in texts
    assert english_in(texts) == set()


def test_the_word_list_finds_english():
    # A positive control for the checks above.
    assert english_in(["- Select an option -"]) == {"Select an option"}
    assert english_in(["Spara", "Ja"]) == set()
    texts, numbers = html_text('<button>Save</button><svg><circle cx="230,5" r="2"/></svg>')
    assert english_in(texts) == {"Save"}
    assert numbers == [("circle", "cx", "230,5")]
    assert pdf_text(_pdf_with_text("Date")) and english_in(pdf_text(_pdf_with_text("Date")))


def _pdf_with_text(text: str) -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(10, 10, text)
    page.save()
    return buffer.getvalue()


def test_the_admins_script_texts_are_swedish(scenario):
    # The date widgets' notes ("Note: You are 1 hour ahead of server time.") come
    # from the admin's JavaScript catalogue, which no crawl of HTML sees.
    response = swedish(scenario.client("admin")).get(reverse("admin:jsi18n"))
    assert response.status_code == 200
    catalogue = response.content.decode()
    # JSON: "före" is written "f\u00f6re".
    assert "Notera: Du \\u00e4r %s timme f\\u00f6re serverns tid." in catalogue
