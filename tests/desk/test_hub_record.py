"""The participant record as hub: the summary header on every tab, the placement
timeline, pausing with a reason, and the review form's basis."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from casework.models import ProgressNote, Review
from casework.services import goal_add, placement_end, progress_note_add, review_record
from desk.selectors.record import record_summary_for
from participants.selectors import participant_get_for
from placements.models import Placement
from placements.services import (
    AttendanceEntry,
    attendance_record_week,
    placement_pause,
    placement_plan_decide,
    placement_plan_submit,
    placement_plan_update,
    placement_resume,
)
from tests.factories import make_active_placement

TABS = ("detail", "notes", "goals", "assessments", "history", "edit", "assessment_add")
START = date(2026, 1, 5)


@pytest.fixture
def client_for(signed_in):
    def make(user):
        client = Client()
        signed_in(client, user)
        return client

    return make


def url(name: str, participant_id) -> str:
    return reverse(f"participants:{name}", kwargs={"participant_id": participant_id})


def summary_of(html: str) -> str:
    start = html.index('class="participant-header record-summary"')
    return html[start : html.index("</header>", start)]


# --- The summary header -----------------------------------------------------------


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_shows_the_summary_header(client_for, placement, manager, tab):
    response = client_for(manager).get(url(tab, placement.participant_id))
    assert response.status_code == 200
    html = response.content.decode()
    header = summary_of(html)
    participant = placement.participant
    assert participant.full_name in header
    assert participant.personal_identity_number in header  # the manager sees it whole
    assert placement.unit.name in header
    assert placement.supervisor_assignments.get().supervisor.get_full_name() in header
    assert placement.case_officer.get_full_name() in header
    assert "Aktiv" in header  # the placement's status, in Swedish
    assert "Nästa att göra" in header
    # The tab bar marks the tab (the assessment form belongs to the assessments tab).
    current = {"detail": "Översikt", "edit": "Redigera", "history": "Historik"}.get(tab)
    if current:
        assert f'aria-current="page">{current}</a>' in html


def test_supervisor_sees_the_number_masked_manager_and_case_officer_whole(
    client_for, placement, manager, supervisor, case_officer
):
    number = placement.participant.personal_identity_number
    masked = number[:-4] + "••••"
    for user, expected in ((manager, number), (case_officer, number), (supervisor, masked)):
        html = client_for(user).get(url("detail", placement.participant_id)).content.decode()
        assert expected in summary_of(html), user
    supervisor_page = client_for(supervisor).get(url("goals", placement.participant_id))
    assert number not in supervisor_page.content.decode()


def test_next_due_is_the_earliest_and_overdue_is_marked(placement, manager, case_officer):
    review_record(
        placement=placement,
        summary="Går bra",
        decision=Review.Decision.CONTINUE,
        on=START + timedelta(days=30),
        next_review_on=START + timedelta(days=60),
        acting_user=case_officer,
    )
    participant = participant_get_for(user=manager, participant_id=placement.participant_id)
    summary = record_summary_for(user=manager, participant=participant)
    assert summary.placement.pk == placement.pk
    assert summary.next_due.on == START + timedelta(days=60)
    assert summary.next_due.overdue is (START + timedelta(days=60) < timezone.localdate())
    assert [user.pk for user in summary.supervisors] == [
        placement.supervisor_assignments.get().supervisor_id
    ]


@pytest.mark.parametrize("count", [1, 10])
def test_summary_selector_is_two_queries_however_many_placements(
    django_assert_num_queries, participant, unit, supervisor, manager, agency, case_officer, count
):
    for _ in range(count):
        make_active_placement(
            participant=participant,
            unit=unit,
            supervisors=[supervisor],
            acting_user=manager,
            agency=agency,
            case_officer=case_officer,
        )
    found = participant_get_for(user=manager, participant_id=participant.pk)
    with django_assert_num_queries(2):
        summary = record_summary_for(user=manager, participant=found)
    assert len(summary.placements) == count


def _query_count(client, path, django_assert_max_num_queries) -> int:
    client.get(path)  # warm the session
    with django_assert_max_num_queries(100) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


# The tabs' counts, pinned: the header adds its two queries to each (desk.selectors.record),
# and the page header its unread notifications (1).
TAB_QUERIES = {
    "detail": 16,
    "notes": 13,
    "goals": 13,
    "assessments": 11,
    "history": 12,
    "edit": 10,
    "assessment_add": 15,
}


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_keeps_its_query_count_with_ten_times_the_rows(
    client_for,
    django_assert_max_num_queries,
    participant,
    unit,
    supervisor,
    manager,
    agency,
    case_officer,
    instrument,
    tab,
):
    client = client_for(manager)
    path = url(tab, participant.pk)
    counts = []
    for batch in (1, 9):
        for _ in range(batch):
            placement = make_active_placement(
                participant=participant,
                unit=unit,
                supervisors=[supervisor],
                acting_user=manager,
                agency=agency,
                case_officer=case_officer,
            )
            progress_note_add(
                placement=placement, text="Bra dag", kind="observation", acting_user=manager
            )
            goal_add(placement=placement, text="Ta bussen själv", acting_user=manager)
        counts.append(_query_count(client, path, django_assert_max_num_queries))
    assert counts[0] == counts[1] == TAB_QUERIES[tab], counts


# --- The timeline --------------------------------------------------------------


@pytest.fixture
def lived_placement(placement, manager, supervisor, case_officer):
    """A placement with a plan returned and approved, a pause, a review and an exit."""
    placement_plan_update(
        placement=placement,
        goals="Arbeta fyra timmar om dagen",
        tasks="Disk",
        support="Lugn start",
        acting_user=manager,
    )
    placement_plan_submit(placement=placement, acting_user=manager)
    placement_plan_decide(
        placement=placement,
        approve=False,
        comment="Lägg till ett delmål för mars.",
        acting_user=case_officer,
    )
    placement_plan_update(
        placement=placement,
        goals="Arbeta fyra timmar om dagen, delmål i mars",
        tasks="Disk",
        support="Lugn start",
        acting_user=manager,
    )
    placement_plan_submit(placement=placement, acting_user=manager)
    placement_plan_decide(
        placement=placement, approve=True, comment="Bra plan.", acting_user=case_officer
    )
    placement_pause(
        placement=placement,
        reason="Sjukskriven två veckor",
        on=START + timedelta(days=14),
        acting_user=manager,
    )
    placement_resume(placement=placement, on=START + timedelta(days=28), acting_user=manager)
    review_record(
        placement=placement,
        summary="Närvaron är stabil.",
        decision=Review.Decision.CONTINUE,
        on=START + timedelta(days=40),
        acting_user=case_officer,
    )
    attendance_record_week(
        unit=placement.unit,
        week_start=START,
        entries=[AttendanceEntry(placement_id=placement.pk, date=START, attended_hours=4)],
        acting_user=supervisor,
    )
    placement_end(
        placement=placement,
        ended_on=START + timedelta(days=60),
        outcome="employed",
        comment="Anställd på caféet.",
        acting_user=manager,
    )
    placement.refresh_from_db()
    return placement


def test_timeline_keeps_the_whole_story_after_the_placement_ended(
    client_for, lived_placement, manager
):
    html = client_for(manager).get(url("detail", lived_placement.participant_id)).content.decode()
    timeline = html[html.index('id="timeline"') :]
    end = (START + timedelta(days=60)).isoformat()
    # The period shows its end date, in the table and in the timeline.
    assert f"{START.isoformat()} – {end}" in html
    for expected in (
        "Remitterad",
        "Startade",
        "Planens version 1 skickad för godkännande",
        "Ändringar begärda i planens version 1",
        "Lägg till ett delmål för mars.",
        "Planens version 2 godkänd",
        "Bra plan.",
        "Pausad",
        "Sjukskriven två veckor",
        "Återupptagen",
        "Uppföljning: Fortsätt",
        "Närvaron är stabil.",
        "Avslut: Anställd utan stöd",
        "Anställd på caféet.",
        "Efteruppföljning",
        "Utfall",
    ):
        assert expected in timeline, expected
    # Who decided: the case officer's name beside the decisions.
    officer = lived_placement.case_officer.get_full_name()
    assert timeline.count(officer) >= 3
    # In date order: referral, start … exit.
    assert timeline.index("Remitterad") < timeline.index("Startade") < timeline.index("Avslut:")


# --- Pausing -----------------------------------------------------------------------


def test_pause_needs_a_reason(placement, manager):
    with pytest.raises(ValidationError) as excinfo:
        placement_pause(placement=placement, reason="   ", acting_user=manager)
    assert "reason" in excinfo.value.message_dict
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACTIVE
    assert not placement.pauses.exists()


def test_pause_screen_asks_why_then_confirms(client_for, placement, manager):
    client = client_for(manager)
    pause_url = reverse("placements:pause", args=[placement.pk])
    page = client.get(pause_url).content.decode()
    assert "Skäl till pausen" in page and "Bekräfta pausen" in page
    refused = client.post(pause_url, {"reason": "", "on": START.isoformat()})
    assert refused.context["form"].errors["reason"] == ["Ange varför placeringen pausas."]
    done = client.post(pause_url, {"reason": "Föräldraledig", "on": START.isoformat()})
    assert done.status_code == 302
    pause = placement.pauses.get()
    assert (pause.reason, pause.paused_on, pause.paused_by_id) == (
        "Föräldraledig",
        START,
        manager.pk,
    )
    client.post(reverse("placements:resume", args=[placement.pk]))
    pause.refresh_from_db()
    assert pause.resumed_on is not None and pause.resumed_by_id == manager.pk


def test_pause_reason_is_encrypted_at_rest(placement, manager):
    from django.db import connection

    placement_pause(placement=placement, reason="Sjukskriven", acting_user=manager)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM placements_placementpause")
        [(raw,)] = cursor.fetchall()
    assert b"Sjukskriven" not in bytes(raw)


# --- The review form ------------------------------------------------------------


def test_review_form_shows_attendance_shared_notes_and_goals(
    client_for, placement, supervisor, case_officer
):
    progress_note_add(
        placement=placement,
        text="Delad: klarade kassan själv",
        kind="milestone",
        visibility=ProgressNote.Visibility.SHARED,
        acting_user=supervisor,
    )
    progress_note_add(
        placement=placement,
        text="Intern: bråk i fikarummet",
        kind="incident",
        visibility=ProgressNote.Visibility.INTERNAL,
        acting_user=supervisor,
    )
    goal_add(placement=placement, text="Ta bussen själv till jobbet", acting_user=supervisor)
    attendance_record_week(
        unit=placement.unit,
        week_start=START,
        entries=[AttendanceEntry(placement_id=placement.pk, date=START, attended_hours=3)],
        acting_user=supervisor,
    )
    client = client_for(case_officer)
    response = client.get(reverse("placements:review_create", args=[placement.pk]))
    html = response.content.decode()
    assert "Underlag för uppföljningen" in html
    assert "Delad: klarade kassan själv" in html
    assert "Intern: bråk i fikarummet" not in html
    assert "Ta bussen själv till jobbet" in html
    assert "3 av 4 timmar" in html
    # Overdue: no review for 90 days since the start in January.
    assert "försenad" in html
    # One access event for the page, like every person-data view.
    assert list(
        AccessEvent.objects.filter(
            user_id=case_officer.pk, object_id=str(placement.pk)
        ).values_list("section", flat=True)
    ) == ["reviews"]


def test_reviews_due_marks_overdue_rows(client_for, placement, case_officer):
    html = client_for(case_officer).get(reverse("placements:reviews_due")).content.decode()
    assert 'class="row-overdue"' in html
    assert reverse("participants:detail", args=[placement.participant_id]) in html
