"""The journey chart's SVG numbers are never localised: Swedish writes 357,1 for
357.1, and a comma in a coordinate breaks the drawing (or, in ``points``, shifts
every pair)."""

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from casework.services import DEFAULT_AREAS, assessment_record

pytestmark = pytest.mark.django_db

NUMBER = r"-?\d+(?:\.\d+)?"
#: Attribute → the whole value it must be. A decimal comma matches none of them.
NUMERIC_ATTRIBUTES = {
    "viewbox": re.compile(rf"{NUMBER}(?: {NUMBER}){{3}}"),
    "points": re.compile(rf"{NUMBER},{NUMBER}(?: {NUMBER},{NUMBER})*"),
    **{
        name: re.compile(NUMBER)
        for name in ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height")
    },
}


class SvgNumbers(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_svg = 0
        self.values: list[tuple[str, str, str]] = []  # (element, attribute, value)

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.in_svg += 1
        if self.in_svg:
            for name, value in attrs:
                if name in NUMERIC_ATTRIBUTES:
                    self.values.append((tag, name, value or ""))

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_svg -= 1


def bad_svg_numbers(html: str) -> tuple[list, int]:
    """(attributes whose value is not a plain number list, how many were checked)."""
    parser = SvgNumbers()
    parser.feed(html)
    parser.close()
    bad = [value for value in parser.values if not NUMERIC_ATTRIBUTES[value[1]].fullmatch(value[2])]
    return bad, len(parser.values)


@pytest.fixture
def journey(placement, supervisor, instrument):
    """Three assessments at uneven intervals: the middle one lands at x = 357.1."""
    scores = {area.code: 3 for area in DEFAULT_AREAS}
    for on, work_skills in ((date(2026, 1, 12), 3), (date(2026, 4, 6), 5), (date(2026, 9, 7), 7)):
        assessment_record(
            placement=placement,
            instrument=instrument,
            scores={**scores, "work_skills": work_skills},
            kind="periodic",
            on=on,
            acting_user=supervisor,
        )


def test_no_decimal_comma_in_the_svg_of_the_assessments_page_in_swedish(
    journey, placement, supervisor, signed_in
):
    client = Client(headers={"accept-language": "sv"})
    signed_in(client, supervisor)
    url = reverse("participants:assessments", args=[placement.participant_id])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="sv"' in html
    bad, checked = bad_svg_numbers(html)
    assert bad == [], f"numeric SVG attributes with something other than plain numbers: {bad}"
    assert checked > 50  # the chart was drawn: seven areas, each with a band, dots, labels
    assert 'cx="357.1"' in html  # a fraction, written with a point


def test_the_check_sees_a_decimal_comma():
    svg = '<svg viewBox="0 0 720 420"><circle cx="357,1" cy="32.0" r="5"></circle></svg>'
    assert bad_svg_numbers(svg) == ([("circle", "cx", "357,1")], 4)
    line = '<svg><polyline points="230,0,32,0 590,0,28,0"></polyline></svg>'
    assert bad_svg_numbers(line)[0] == [("polyline", "points", "230,0,32,0 590,0,28,0")]
    assert (
        bad_svg_numbers('<svg><polyline points="230.0,32.0 590.0,28.0"></polyline></svg>')[0] == []
    )
