"""The main menu, the header's participant search, breadcrumbs and the attendance
entry point ("Närvaro": the user's units, or straight to the one unit's week)."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from config.access import may_open
from desk.navigation import MAIN_MENU
from tests.factories import UnitFactory, make_active_placements

pytestmark = pytest.mark.django_db


class HeaderParser(HTMLParser):
    """The main menu's links, the header's forms and the breadcrumb trail of a page."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.menu: list[dict] = []
        self.crumbs: list[dict] = []
        self.forms: list[dict] = []
        self.breadcrumb_labels: list[str] = []
        self._link: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "nav":
            self.stack.append(
                "menu" if "main-nav" in classes else "crumbs" if "breadcrumbs" in classes else "nav"
            )
            if "breadcrumbs" in classes:
                self.breadcrumb_labels.append(attrs.get("aria-label", ""))
        if tag == "form" and "site-search" in classes:
            self.forms.append(attrs)
        if tag == "a" and self.stack and self.stack[-1] in ("menu", "crumbs"):
            self._link = {
                "href": attrs.get("href"),
                "current": attrs.get("aria-current"),
                "text": "",
            }
            (self.menu if self.stack[-1] == "menu" else self.crumbs).append(self._link)

    def handle_endtag(self, tag):
        if tag == "nav" and self.stack:
            self.stack.pop()
        if tag == "a":
            self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data.strip()


def header_of(response) -> HeaderParser:
    assert response.status_code == 200, response.status_code
    parser = HeaderParser()
    parser.feed(response.content.decode())
    parser.close()
    return parser


@pytest.fixture
def swedish(client, signed_in):
    """``swedish(user)``: the client signed in past the second factor, Swedish pages."""

    def _sign_in(user):
        signed_in(client, user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "sv"
        return client

    return _sign_in


#: What each role's menu shows (Swedish labels) and where "Rapporter" leads.
MENUS = {
    "supervisor": ["Hem", "Deltagare", "Placeringar", "Närvaro"],
    "manager": [
        "Hem",
        "Deltagare",
        "Placeringar",
        "Remisser",
        "Närvaro",
        "Rapporter",
        "Projekt",
        "Behörigheter",
        "Dataskydd",
    ],
    "case_officer": ["Hem", "Deltagare", "Placeringar", "Remisser"],
    "analyst": ["Hem", "Rapporter"],
    "auditor": ["Hem", "Granskning", "Dataskydd"],
    "admin_user": ["Hem", "Administration"],
}
SEARCHES = {"supervisor", "manager", "case_officer"}


@pytest.mark.parametrize("role", sorted(MENUS))
def test_each_role_sees_its_menu_and_only_the_person_roles_get_the_search(
    role, request, swedish, placement
):
    user = request.getfixturevalue(role)
    header = header_of(swedish(user).get(reverse("home")))
    assert [link["text"] for link in header.menu] == MENUS[role]
    assert [link["text"] for link in header.menu if link["current"] == "page"] == ["Hem"]
    if role in SEARCHES:
        # Posted, never GET: a personal identity number must not land in a URL or a log.
        assert header.forms == [
            {
                "method": "post",
                "action": reverse("participants:list"),
                "class": "site-search",
                "role": "search",
                "aria-label": "Deltagare",
            }
        ]
    else:
        assert header.forms == []


@pytest.mark.parametrize("role", sorted(MENUS))
def test_the_menu_is_the_access_table(role, request, login, placement):
    """An entry is shown exactly when the table admits the user to one of its targets,
    and links to the first of them the user may open."""
    response = login(request.getfixturevalue(role)).get(reverse("home"))
    user = response.wsgi_request.user  # verified by the second factor
    expected = []
    for entry in MAIN_MENU:
        target = next((name for name in entry.targets if may_open(user, name)), None)
        if target is not None:
            expected.append(reverse(target))
    assert [link["href"] for link in header_of(response).menu] == expected


def test_reports_lead_a_manager_and_an_analyst_to_the_report(manager, analyst, login, client):
    def reports_link(user):
        client.logout()
        return next(
            link
            for link in header_of(login(user).get("/")).menu
            if "report" in link["href"] or "rapport" in link["href"]
        )["href"]

    assert reports_link(manager) == reverse("reports:outcome")
    # The analyst's report is anonymised (reports.anonymised); the exports are linked from it.
    assert reports_link(analyst) == reverse("reports:outcome")


@pytest.mark.parametrize(
    ("url_name", "current"),
    [
        ("participants:list", "Participants"),
        ("participants:follow_ups_due", "Participants"),
        ("placements:list", "Placements"),
        ("units:attendance", "Attendance"),
        ("reports:outcome", "Reports"),
        ("reports:export_list", "Reports"),
    ],
)
def test_the_current_place_is_marked(url_name, current, manager, login, unit, other_unit):
    UnitFactory(organisation=unit.organisation, name="Second hand")  # a list, not a redirect
    header = header_of(login(manager).get(reverse(url_name)))
    assert [link["text"] for link in header.menu if link["current"] == "page"] == [current]


def test_a_unit_week_marks_attendance(placement, supervisor, login):
    week = placement.start_date - timedelta(days=placement.start_date.weekday())
    url = reverse("units:attendance_week", args=[placement.unit.pk, week])
    header = header_of(login(supervisor).get(url))
    assert [link["text"] for link in header.menu if link["current"] == "page"] == ["Attendance"]


def test_no_menu_before_the_second_factor(client, manager):
    client.force_login(manager)  # password only: the second factor is still to come
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("signin_enrol"))
    header = header_of(response)
    assert header.menu == [] and header.forms == []
    assert b"menu-toggle" not in response.content


def test_the_header_search_finds_a_participant_by_a_posted_term(participant, manager, login):
    response = login(manager).post(reverse("participants:list"), {"q": participant.family_name})
    assert response.status_code == 200
    assert f"{participant.family_name}, {participant.given_name}" in response.content.decode()


# --- Breadcrumbs -----------------------------------------------------------------------


def crumbs(response) -> list[tuple[str, str]]:
    header = header_of(response)
    assert header.breadcrumb_labels == ["Brödsmulor"]
    return [(link["text"], link["href"]) for link in header.crumbs]


def test_record_tabs_lead_back_to_the_record_and_the_list(participant, placement, swedish, manager):
    client = swedish(manager)
    home, listing = ("Hem", "/"), ("Deltagare", reverse("participants:list"))
    record = (participant.full_name, reverse("participants:detail", args=[participant.pk]))
    assert crumbs(client.get(record[1])) == [home, listing]
    for tab in ("notes", "goals", "assessments", "history", "edit"):
        url = reverse(f"participants:{tab}", args=[participant.pk])
        assert crumbs(client.get(url)) == [home, listing, record], tab
    assessments = ("Skattningar", reverse("participants:assessments", args=[participant.pk]))
    new_assessment = reverse("participants:assessment_add", args=[participant.pk])
    assert crumbs(client.get(new_assessment)) == [home, listing, record, assessments]


def test_placement_pages_lead_back_to_the_placement_and_the_list(placement, swedish, manager):
    client = swedish(manager)
    home, listing = ("Hem", "/"), ("Placeringar", reverse("placements:list"))
    detail = (placement.participant.full_name, placement.get_absolute_url())
    assert crumbs(client.get(detail[1])) == [home, listing]
    for action in ("supervisors", "change_unit", "end", "plan_edit"):
        url = reverse(f"placements:{action}", args=[placement.pk])
        assert crumbs(client.get(url)) == [home, listing, detail], action
    assert crumbs(client.get(reverse("placements:referral_create"))) == [home, listing]


def test_a_case_officer_reaches_the_placement_from_the_review_form(
    placement, swedish, case_officer
):
    response = swedish(case_officer).get(reverse("placements:review_create", args=[placement.pk]))
    assert crumbs(response)[-1] == (placement.participant.full_name, placement.get_absolute_url())


# --- "Närvaro": the user's units ---------------------------------------------------------


def this_week() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def test_a_supervisor_with_one_unit_goes_straight_to_its_week(placement, supervisor, login):
    response = login(supervisor).get(reverse("units:attendance"))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "units:attendance_week", args=[placement.unit.pk, this_week()]
    )


def test_a_supervisor_with_several_units_chooses_one(
    placement, supervisor, manager, enterprise, login
):
    workshop = UnitFactory(organisation=enterprise, name="Verkstaden Falun")
    make_active_placements(
        1, organisation=enterprise, unit=workshop, supervisor=supervisor, acting_user=manager
    )
    UnitFactory(organisation=enterprise, name="Lagret")  # not theirs: not listed
    response = login(supervisor).get(reverse("units:attendance"))
    html = response.content.decode()
    assert response.status_code == 200
    assert [unit.name for unit in response.context["units"]] == ["Caféet", "Verkstaden Falun"]
    for unit in (placement.unit, workshop):
        assert reverse("units:attendance_week", args=[unit.pk, this_week()]) in html
    assert "Lagret" not in html


def test_a_manager_sees_every_active_unit_of_the_enterprise(
    placement, manager, enterprise, other_unit, login
):
    UnitFactory(organisation=enterprise, name="Lagret")
    UnitFactory(organisation=enterprise, name="Stängd", active=False)
    response = login(manager).get(reverse("units:attendance"))
    assert [unit.name for unit in response.context["units"]] == ["Caféet", "Lagret"]
    assert [unit.running for unit in response.context["units"]] == [1, 0]
    assert other_unit.name not in response.content.decode()


def test_a_supervisor_without_placements_is_told_so(supervisor, unit, login):
    response = login(supervisor).get(reverse("units:attendance"))
    assert response.status_code == 200
    assert "You have no unit to record attendance for now." in response.content.decode()


@pytest.mark.parametrize("user", ["case_officer", "analyst", "auditor", "admin_user"])
def test_other_roles_may_not_open_it(user, request, login):
    assert login(request.getfixturevalue(user)).get(reverse("units:attendance")).status_code == 403


def test_a_supervisor_sees_an_empty_week_before_their_placements_not_a_404(
    placement, supervisor, login
):
    """The grid's "previous week" link: a unit they record at stays open in any week."""
    start = placement.start_date - timedelta(days=placement.start_date.weekday())
    url = reverse("units:attendance_week", args=[placement.unit.pk, start - timedelta(weeks=4)])
    response = login(supervisor).get(url)
    assert response.status_code == 200
    assert response.context["week"].rows == []


# Session, user, OTP device, memberships (4); then the units: a manager's in one query
# with their running placements counted; a supervisor's current grants (ids) and the
# units of those placements (2); the header's unread notifications (1). The page lists
# units only: no access event.
UNITS_QUERIES = {"manager": 6, "supervisor": 7}


@pytest.mark.parametrize("role", sorted(UNITS_QUERIES))
@pytest.mark.parametrize("units", [2, 20])
def test_the_units_page_query_count_is_constant(
    role, units, request, enterprise, supervisor, manager, login, django_assert_num_queries
):
    for number in range(units):
        unit = UnitFactory(organisation=enterprise, name=f"Enhet {number:02}")
        make_active_placements(
            2, organisation=enterprise, unit=unit, supervisor=supervisor, acting_user=manager
        )
    client = login(request.getfixturevalue(role))
    client.get(reverse("home"))  # the session's first request after sign-in saves it
    with django_assert_num_queries(UNITS_QUERIES[role]):
        response = client.get(reverse("units:attendance"))
    assert response.status_code == 200
    assert len(response.context["units"]) == units
    assert len(re.findall(r'class="button-link big"', response.content.decode())) == units
