"""Pages that show many people record which people they showed.

Each list, search, home card and person picker writes one event for the page
(no participant, the result count) and one per participant it shows, with one
INSERT; the participants it does not show get none.
"""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessEvent
from audit.review import EventFilter, event_list_for_auditor, extract_lines, with_flags
from casework.models import Outcome
from casework.services import placement_end
from desk.selectors.home import HOME_LIMIT
from participants.services import participant_update
from placements.services import placement_plan_submit, placement_plan_update, referral_register
from tests.factories import make_participant

TODAY = datetime(2026, 3, 25, 10, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY):
        yield


def shown_to(user, *, object_type) -> set:
    events = AccessEvent.objects.filter(user_id=user.pk, object_type=object_type)
    assert events.filter(participant_id__isnull=True).count() == 1  # the page itself
    return set(events.filter(participant_id__isnull=False).values_list("participant_id", flat=True))


def audit_inserts(queries) -> list:
    table = AccessEvent._meta.db_table
    return [q for q in queries if q["sql"].startswith("INSERT") and table in q["sql"]]


def test_participant_list_records_the_page_shown(manager, enterprise, login):
    participants = [
        make_participant(organisation=enterprise, acting_user=manager) for _ in range(27)
    ]
    client = login(manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("participants:list"))
    on_page = {row.pk for row in response.context["page"].object_list}
    assert len(on_page) == 25
    assert shown_to(manager, object_type="participant_list") == on_page
    assert len(audit_inserts(queries.captured_queries)) == 1
    missing = {participant.pk for participant in participants} - on_page
    assert len(missing) == 2
    assert not AccessEvent.objects.filter(participant_id__in=missing).exists()


def test_search_records_the_participants_found_only(manager, enterprise, login):
    found = make_participant(organisation=enterprise, acting_user=manager)
    participant_update(participant=found, acting_user=manager, family_name="Åkerlund")
    other = make_participant(organisation=enterprise, acting_user=manager, family_name="Berg")
    login(manager).post(reverse("participants:list"), {"q": "åkerl"})
    events = AccessEvent.objects.filter(action="search")
    assert set(events.values_list("participant_id", flat=True)) == {None, found.pk}
    assert not AccessEvent.objects.filter(participant_id=other.pk).exists()
    assert events.get(participant_id__isnull=True).result_count == 1


def test_placement_list_records_the_participants_of_its_rows(
    active_placements, other_manager, other_enterprise, manager, login
):
    placements = active_placements(3)
    make_participant(organisation=other_enterprise, acting_user=other_manager)
    login(manager).get(reverse("placements:list"))
    assert shown_to(manager, object_type="placement_list") == {
        placement.participant_id for placement in placements
    }


def test_reviews_due_records_the_participants_listed(active_placements, case_officer, login):
    placements = active_placements(3)
    login(case_officer).get(reverse("placements:reviews_due"))
    assert shown_to(case_officer, object_type="reviews_due") == {
        placement.participant_id for placement in placements
    }


def test_follow_ups_due_records_the_participants_listed(active_placements, manager, login):
    ended, running = active_placements(2)
    placement_end(
        placement=ended, ended_on=date(2026, 2, 20), outcome=Outcome.STUDIES, acting_user=manager
    )
    login(manager).get(reverse("participants:follow_ups_due"))
    assert shown_to(manager, object_type="follow_ups_due") == {ended.participant_id}
    assert not AccessEvent.objects.filter(participant_id=running.participant_id).exists()


def test_referral_form_records_the_people_its_picker_lists(
    manager, enterprise, other_manager, other_enterprise, login
):
    found = {
        make_participant(organisation=enterprise, acting_user=manager, family_name="Lundqvist").pk
        for _ in range(2)
    }
    other = make_participant(organisation=enterprise, acting_user=manager, family_name="Berg")
    elsewhere = make_participant(
        organisation=other_enterprise, acting_user=other_manager, family_name="Lundqvist"
    )
    client = login(manager)
    client.get(reverse("placements:referral_create"))  # no search: the picker lists nobody
    assert shown_to(manager, object_type="referral_form") == set()
    client.post(
        reverse("placements:referral_create"),
        {"find": "1", "participant_search": "lundqvist", "programme": "work_training"},
    )
    searched = AccessEvent.objects.filter(object_type="referral_form", action="search")
    assert searched.filter(participant_id__isnull=True).count() == 1  # the page itself
    assert set(searched.exclude(participant_id=None).values_list("participant_id", flat=True)) == (
        found
    )
    assert not AccessEvent.objects.filter(participant_id__in=[other.pk, elsewhere.pk]).exists()


def test_manager_home_records_the_people_on_its_cards(
    active_placements, enterprise, manager, login
):
    past_end = active_placements(2, planned_end=date(2026, 3, 1))
    on_time = active_placements(1, planned_end=date(2026, 12, 1))[0]
    waiting = referral_register(
        participant=make_participant(organisation=enterprise, acting_user=manager),
        programme="internship",
        referred_on=date(2026, 3, 1),
        acting_user=manager,
    )
    login(manager).get(reverse("home"))
    expected = {placement.participant_id for placement in past_end} | {waiting.participant_id}
    assert shown_to(manager, object_type="home") == expected
    assert not AccessEvent.objects.filter(participant_id=on_time.participant_id).exists()


def test_supervisor_home_records_their_participants(active_placements, supervisor, login):
    placements = active_placements(3)
    login(supervisor).get(reverse("home"))
    assert shown_to(supervisor, object_type="home") == {
        placement.participant_id for placement in placements
    }


def test_case_officer_home_records_plans_and_reviews(
    active_placements, manager, case_officer, login
):
    placements = active_placements(2)
    placement_plan_update(
        placement=placements[0], goals="Mål", tasks="", support="", acting_user=manager
    )
    placement_plan_submit(placement=placements[0], acting_user=manager)
    login(case_officer).get(reverse("home"))
    # Both are due a review (started in January, none since); one also has a plan.
    assert shown_to(case_officer, object_type="home") == {
        placement.participant_id for placement in placements
    }


def test_home_without_people_records_only_the_page(supervisor, login):
    login(supervisor).get(reverse("home"))
    assert shown_to(supervisor, object_type="home") == set()


def test_a_list_page_lands_in_the_persons_extract_and_can_flag_bulk(
    manager, enterprise, auditor, login, settings
):
    settings.AUDIT_BULK_PARTICIPANTS_PER_HOUR = 20
    participants = [
        make_participant(organisation=enterprise, acting_user=manager) for _ in range(22)
    ]
    login(manager).get(reverse("participants:list"))
    lines = extract_lines(participant_id=participants[0].pk)
    assert [line.what for line in lines if line.action == "View"] == ["list"]
    events = event_list_for_auditor(
        user=auditor, event_filter=EventFilter(participant_id=participants[0].pk)
    )
    (event,) = with_flags(list(events))
    assert event.participants_in_hour == 22
    assert event.flag_bulk


# One INSERT per page whatever the number of people shown, and a query count
# that does not grow with the rows (rows: people the page shows).
# Session, user, memberships, OTP device (4) and the session saved (3: the first
# request after sign-in) and the header's unread notifications (1) are in each; the
# rest is the page's own, the access events' one INSERT included.
PAGE_QUERIES = {
    ("participants:list", "manager"): 15,  # names new to the process: one more
    ("placements:list", "manager"): 12,
    ("placements:reviews_due", "case_officer"): 11,
    ("participants:follow_ups_due", "manager"): 11,
    # + the agencies' referrals waiting (no participant yet), the disputed months counted
    ("home", "manager"): 16,
    ("home", "supervisor"): 15,
    ("home", "case_officer"): 13,  # + their referrals counted by status
}


@pytest.mark.parametrize("rows", [2, 20])
@pytest.mark.parametrize("url,role", sorted(PAGE_QUERIES))
def test_one_insert_and_constant_queries(
    url, role, rows, active_placements, manager, request, login
):
    placements = active_placements(rows, planned_end=date(2026, 3, 1))
    if url == "participants:follow_ups_due":
        for placement in placements:
            placement_end(
                placement=placement,
                ended_on=date(2026, 2, 20),
                outcome=Outcome.STUDIES,
                acting_user=manager,
            )
    client = login(request.getfixturevalue(role))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(url)).status_code == 200
    assert len(audit_inserts(queries.captured_queries)) == 1
    shown = AccessEvent.objects.filter(participant_id__isnull=False).values("participant_id")
    # The home page's cards show at most HOME_LIMIT each.
    assert shown.distinct().count() == (min(rows, HOME_LIMIT) if url == "home" else rows)
    assert len(queries.captured_queries) == PAGE_QUERIES[url, role]


# The referral form's picker lists the people a search finds (at most PICKER_LIMIT):
# the same queries for 2 and 20 matches, the events of all of them in one INSERT.
# The 7 of every signed-in request (above), the page's own (organisations managed,
# the search over the blind index and names, the form's choices) and the one INSERT.
REFERRAL_SEARCH_QUERIES = 13  # + the header's unread notifications


@pytest.mark.parametrize("rows", [2, 20])
def test_referral_search_one_insert_and_constant_queries(rows, manager, enterprise, login):
    for _ in range(rows):
        make_participant(organisation=enterprise, acting_user=manager, family_name="Lundqvist")
    client = login(manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("placements:referral_create"),
            {"find": "1", "participant_search": "lundqvist", "programme": "work_training"},
        )
    assert response.status_code == 200
    assert len(audit_inserts(queries.captured_queries)) == 1
    shown = AccessEvent.objects.filter(object_type="referral_form").exclude(participant_id=None)
    assert shown.count() == rows
    assert len(queries.captured_queries) == REFERRAL_SEARCH_QUERIES
