"""The home page per role: what each sees, and a query count that does not grow."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from placements.services import placement_plan_submit, placement_plan_update, referral_register
from tests.factories import make_participant
from tests.timesheets.conftest import confirm, record_week

TODAY = datetime(2026, 3, 25, 10, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY):
        yield


@pytest.fixture
def build(enterprise, manager, active_placements):
    def _run(count):
        """Running placements with submitted plans and a disputed month each, plus as
        many waiting referrals."""
        for placement in active_placements(count, planned_end=date(2026, 3, 1)):
            record_week(placement, manager)
            confirm(placement, manager, disputed_days=[date(2026, 1, 6)], comment="Fel")
            placement_plan_update(
                placement=placement, goals="Mål", tasks="", support="", acting_user=manager
            )
            placement_plan_submit(placement=placement, acting_user=manager)
            referral_register(
                participant=make_participant(organisation=enterprise, acting_user=manager),
                programme="internship",
                referred_on=date(2026, 3, 1),
                acting_user=manager,
            )

    return _run


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_supervisor_home(placement, supervisor, login):
    html = login(supervisor).get(reverse("home")).content.decode()
    assert "Today's attendance" in html
    assert reverse("units:attendance_week", args=[placement.unit.pk, date(2026, 3, 23)]) in html
    assert placement.participant.full_name in html  # their participant, assessment due
    assert "Plans awaiting your approval" not in html


def test_case_officer_home(placement, manager, case_officer, login):
    placement_plan_update(
        placement=placement, goals="Mål", tasks="", support="", acting_user=manager
    )
    placement_plan_submit(placement=placement, acting_user=manager)
    html = login(case_officer).get(reverse("home")).content.decode()
    assert reverse("placements:plan_decide", args=[placement.pk]) in html
    assert reverse("placements:review_create", args=[placement.pk]) in html  # no review in 90 days
    assert placement.unit.organisation.name in html


def test_manager_home(placement, participant, manager, login):
    html = login(manager).get(reverse("home")).content.decode()
    assert "Referrals waiting" in html
    assert reverse("placements:referral_create") in html
    assert placement.unit.name in html


def test_manager_home_shows_disputed_attendance(placement, supervisor, manager, login):
    html = login(manager).get(reverse("home")).content.decode()
    assert reverse("units:time_disputes") not in html  # nothing disputed: no card
    record_week(placement, supervisor)
    confirm(placement, supervisor, disputed_days=[date(2026, 1, 6)], comment="Fel")
    html = login(manager).get(reverse("home")).content.decode()
    assert "1 month of attendance is disputed by the participant." in html
    assert reverse("units:time_disputes") in html


def test_other_enterprise_supervisor_sees_nothing_of_ours(placement, other_supervisor, login):
    html = login(other_supervisor).get(reverse("home")).content.decode()
    assert placement.participant.full_name not in html
    assert "You supervise no running placement." in html


@pytest.mark.parametrize("user", ["analyst", "auditor", "admin_user"])
def test_roles_without_person_data_see_their_links_only(user, placement, request, login):
    html = login(request.getfixturevalue(user)).get(reverse("home")).content.decode()
    assert placement.participant.full_name not in html


def test_home_shows_at_most_ten_per_section(build, manager, login):
    build(12)
    response = login(manager).get(reverse("home"))
    home = response.context["manager"]
    assert len(home["referrals"].items) == 10 and home["referrals"].has_more
    assert len(home["past_planned_end"].items) == 10


# Session, user, memberships, OTP device (4); then per role: supervisor 6
# (their current placement grants and their participant grants, read as id
# lists; units, assessments due, follow-ups due, participants), case officer 4
# (plans, reviews, per enterprise, their referrals by status), manager 6
# (referrals, units, follow-ups, past planned end, access requests, agencies'
# referrals waiting) and one count of disputed attendance (7); the access event
# INSERT (1); session saved (3: the first request after sign-in starts the idle clock);
# the header's unread notifications (1).
HOME_QUERIES = {"supervisor": 15, "case_officer": 13, "manager": 16}


@pytest.mark.parametrize("role", sorted(HOME_QUERIES))
@pytest.mark.parametrize("rows", [2, 20])
def test_home_query_count_is_constant(role, rows, build, request, login, django_assert_num_queries):
    build(rows)
    client = login(request.getfixturevalue(role))
    with django_assert_num_queries(HOME_QUERIES[role]):
        response = client.get(reverse("home"))
    assert response.status_code == 200
