"""Notes, goals and assessments on the participant page: allowed and denied,
what each relationship reads, forms that keep what was typed, the journey chart."""

import uuid
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.models import AccessEvent
from casework.models import Assessment, Goal, ProgressNote
from casework.selectors import participant_assessment_list_for
from casework.services import (
    DEFAULT_AREAS,
    assessment_record,
    goal_add,
    progress_note_add,
)
from desk.charts import journey_charts
from participants.selectors import participant_get_for
from participants.services import participant_update

pytestmark = pytest.mark.django_db

INTERNAL_TEXT = "Intern kanariefågel: konflikt med arbetsledaren"
SHARED_TEXT = "Delad anteckning: kommer i tid varje dag"
HEALTH_TEXT = "Epilepsi, medicinering morgon och kväll"


def in_swedish(msgid: str) -> str:
    """The message as a Swedish user sees it (the msgid until the .po has it)."""
    with translation.override("sv"):
        return gettext(msgid)


@pytest.fixture
def client_for(signed_in):
    def make(user):
        client = Client()
        signed_in(client, user)
        return client

    return make


def url(name: str, participant_id) -> str:
    return reverse(f"participants:{name}", kwargs={"participant_id": participant_id})


@pytest.fixture
def notes(placement, supervisor, manager):
    participant_update(
        participant=placement.participant, acting_user=manager, support_needs=HEALTH_TEXT
    )
    internal = progress_note_add(
        placement=placement, text=INTERNAL_TEXT, kind="incident", acting_user=supervisor
    )
    shared = progress_note_add(
        placement=placement,
        text=SHARED_TEXT,
        kind="observation",
        visibility="shared",
        acting_user=supervisor,
    )
    return internal, shared


ROLES_READING = [
    ("manager", 200),
    ("supervisor", 200),
    ("case_officer", 200),
    ("other_supervisor", 404),
    ("analyst", 403),
    ("auditor", 403),
    ("admin_user", 403),
]


# --- Notes ----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), ROLES_READING)
def test_notes_allowed_and_denied(request, client_for, notes, placement, role, status):
    user = request.getfixturevalue(role)
    assert client_for(user).get(url("notes", placement.participant_id)).status_code == status


def test_notes_404_is_the_same_as_for_no_participant(
    client_for, notes, placement, other_supervisor
):
    client = client_for(other_supervisor)
    for name in ("notes", "goals", "assessments", "assessment_add"):
        hidden = client.get(url(name, placement.participant_id))
        missing = client.get(url(name, uuid.uuid4()))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.content == missing.content
    assert not AccessEvent.objects.exists()


def test_supervisor_reads_all_notes_and_the_form(client_for, notes, placement, supervisor):
    response = client_for(supervisor).get(url("notes", placement.participant_id))
    assert INTERNAL_TEXT in response.text
    assert SHARED_TEXT in response.text
    assert 'name="text"' in response.text
    event = AccessEvent.objects.get()
    assert (event.section, event.participant_id) == ("internal_notes", placement.participant_id)


def test_case_officer_canaries_never_shown(client_for, notes, placement, case_officer):
    """An internal note and a health detail never reach the case officer, on any page."""
    client = client_for(case_officer)
    participant_id = placement.participant_id
    pages = [
        client.get(url("notes", participant_id)),
        client.get(url("notes", participant_id), headers={"HX-Request": "true"}),
        client.get(url("goals", participant_id)),
        client.get(url("assessments", participant_id)),
        client.get(reverse("participants:detail", args=[participant_id])),
        client.get(reverse("participants:list")),
    ]
    for response in pages:
        assert response.status_code == 200
        assert INTERNAL_TEXT not in response.text
        assert HEALTH_TEXT not in response.text
    assert SHARED_TEXT in pages[0].text
    assert 'name="text"' not in pages[0].text  # no entry form: the case officer does not write
    assert AccessEvent.objects.filter(section="shared_notes").count() == 2


def test_htmx_gets_the_notes_fragment(client_for, notes, placement, supervisor):
    response = client_for(supervisor).get(
        url("notes", placement.participant_id), headers={"HX-Request": "true"}
    )
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="notes-section"')


def test_supervisor_writes_a_note(client_for, placement, supervisor):
    client = client_for(supervisor)
    response = client.post(
        url("note_add", placement.participant_id),
        {
            "placement": str(placement.pk),
            "kind": "conversation",
            "visibility": "shared",
            "text": "Pratade om nästa steg",
            "on": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("notes", placement.participant_id)
    note = ProgressNote.objects.get()
    assert (note.text, note.kind, note.visibility, note.author) == (
        "Pratade om nästa steg",
        "conversation",
        "shared",
        supervisor,
    )
    assert note.date == timezone.localdate()


def test_note_written_with_htmx_comes_back_as_the_fresh_section(client_for, placement, supervisor):
    response = client_for(supervisor).post(
        url("note_add", placement.participant_id),
        {
            "placement": str(placement.pk),
            "kind": "observation",
            "visibility": "internal",
            "text": "Bra",
        },
        headers={"HX-Request": "true"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="notes-section"')
    assert in_swedish("The note has been saved.") in response.text


def test_note_errors_next_to_the_field_and_input_kept(client_for, placement, supervisor):
    client = client_for(supervisor)
    data = {
        "placement": str(placement.pk),
        "kind": "incident",
        "visibility": "shared",
        "text": "",
        "on": "2026-02-03",
    }
    response = client.post(url("note_add", placement.participant_id), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["text"] == ["Detta fält måste fyllas i."]
    assert 'value="incident" required id="id_kind_2" checked' in response.text
    assert 'value="2026-02-03"' in response.text
    # A date in the future: the service's message goes on the date field.
    future = date(timezone.localdate().year + 1, 1, 1).isoformat()
    response = client.post(
        url("note_add", placement.participant_id), {**data, "text": "Hej", "on": future}
    )
    assert response.context["form"].errors["on"] == [
        in_swedish("A note cannot be dated in the future.")
    ]
    assert "Hej</textarea>" in response.text
    assert not ProgressNote.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 302),
        ("supervisor", 302),
        ("case_officer", 403),
        ("other_supervisor", 404),
        ("analyst", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_note_add_allowed_and_denied(request, client_for, placement, role, status):
    user = request.getfixturevalue(role)
    response = client_for(user).post(
        url("note_add", placement.participant_id),
        {
            "placement": str(placement.pk),
            "kind": "observation",
            "visibility": "internal",
            "text": "x",
        },
    )
    assert response.status_code == status
    assert ProgressNote.objects.count() == (1 if status == 302 else 0)


def test_note_on_a_placement_not_offered_is_refused(client_for, placement, supervisor, other_unit):
    response = client_for(supervisor).post(
        url("note_add", placement.participant_id),
        {
            "placement": str(uuid.uuid4()),
            "kind": "observation",
            "visibility": "internal",
            "text": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["placement"]
    assert not ProgressNote.objects.exists()


# Why 13 for the notes page: middleware (session, user, memberships, OTP device) 4;
# participant_get_for 2; the placements the user may log on (form choices) 1; notes
# count and page 2 (authors, units and data keys joined); the record's summary header
# 2 (placements, current supervisors); the access event 1; the header's unread
# notifications 1. (The session save, 3, comes at most once a minute: not on this
# warmed session.)
NOTES_QUERIES = 13


@pytest.mark.parametrize("count", [2, 20])
def test_notes_query_count_is_constant(
    client_for, django_assert_num_queries, placement, supervisor, count
):
    for number in range(count):
        progress_note_add(
            placement=placement,
            text=f"Anteckning {number}",
            kind="observation",
            acting_user=supervisor,
        )
    client = client_for(supervisor)
    client.get(url("notes", placement.participant_id))
    with django_assert_num_queries(NOTES_QUERIES):
        client.get(url("notes", placement.participant_id))


# --- Goals ----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), ROLES_READING)
def test_goals_allowed_and_denied(request, client_for, placement, supervisor, role, status):
    goal_add(placement=placement, text="Ta bussen själv till jobbet", acting_user=supervisor)
    user = request.getfixturevalue(role)
    response = client_for(user).get(url("goals", placement.participant_id))
    assert response.status_code == status
    if status == 200:
        assert "Ta bussen själv till jobbet" in response.text


def test_goal_add_and_set_status(client_for, placement, supervisor):
    client = client_for(supervisor)
    response = client.post(
        url("goal_add", placement.participant_id),
        {
            "placement": str(placement.pk),
            "text": "Klara en hel arbetsdag",
            "target_date": "2026-12-31",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.text, goal.target_date) == ("Klara en hel arbetsdag", date(2026, 12, 31))
    response = client.post(
        reverse("participants:goal_status", args=[goal.placement.participant_id, goal.pk]),
        {"status": "achieved"},
        headers={"HX-Request": "true"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="goals-section"')
    goal.refresh_from_db()
    assert goal.status == "achieved"
    assert goal.achieved_on == timezone.localdate()


def test_goal_errors_next_to_the_field(client_for, placement, supervisor):
    response = client_for(supervisor).post(
        url("goal_add", placement.participant_id),
        {"placement": str(placement.pk), "text": "Ett mål", "target_date": "2025-01-01"},
    )
    assert response.context["form"].errors["target_date"] == [
        in_swedish("The target date cannot be before the start.")
    ]
    assert "Ett mål</textarea>" in response.text
    response = client_for(supervisor).post(
        url("goal_add", placement.participant_id),
        {"placement": str(placement.pk), "text": "", "target_date": "inte ett datum"},
    )
    assert response.context["form"].errors["text"] == ["Detta fält måste fyllas i."]
    assert response.context["form"].errors["target_date"] == ["Fyll i ett giltigt datum."]
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 302),
        ("supervisor", 302),
        ("case_officer", 403),
        ("other_supervisor", 404),
        ("analyst", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_goal_status_allowed_and_denied(request, client_for, placement, supervisor, role, status):
    goal = goal_add(placement=placement, text="Mål", acting_user=supervisor)
    user = request.getfixturevalue(role)
    response = client_for(user).post(
        reverse("participants:goal_status", args=[goal.placement.participant_id, goal.pk]),
        {"status": "in_progress"},
    )
    assert response.status_code == status
    goal.refresh_from_db()
    assert goal.status == ("in_progress" if status == 302 else "open")


def test_goal_status_of_unknown_goal_is_404(client_for, placement, supervisor):
    response = client_for(supervisor).post(
        reverse("participants:goal_status", args=[placement.participant_id, uuid.uuid4()]),
        {"status": "achieved"},
    )
    assert response.status_code == 404


def test_case_officer_reads_goals_but_cannot_add(client_for, placement, case_officer):
    client = client_for(case_officer)
    assert 'name="text"' not in client.get(url("goals", placement.participant_id)).text
    response = client.post(
        url("goal_add", placement.participant_id), {"placement": str(placement.pk), "text": "x"}
    )
    assert response.status_code == 403


# --- Assessments and the journey chart ----------------------------------------------------


def score_data(placement, **overrides) -> dict:
    data = {"placement": str(placement.pk), "on": "2026-03-02", "kind": "periodic", "comment": ""}
    data.update({f"score_{area.code}": "5" for area in DEFAULT_AREAS})
    data.update(overrides)
    return data


@pytest.fixture
def journey(placement, supervisor, instrument):
    first = {area.code: 3 for area in DEFAULT_AREAS}
    latest = {**first, "work_skills": 7, "health": 2}
    assessment_record(
        placement=placement,
        instrument=instrument,
        scores=first,
        kind="intake",
        on=date(2026, 1, 12),
        acting_user=supervisor,
    )
    assessment_record(
        placement=placement,
        instrument=instrument,
        scores={**first, "work_skills": 5},
        kind="periodic",
        on=date(2026, 4, 6),
        acting_user=supervisor,
    )
    assessment_record(
        placement=placement,
        instrument=instrument,
        scores=latest,
        kind="periodic",
        on=date(2026, 9, 7),
        acting_user=supervisor,
    )


@pytest.mark.parametrize(("role", "status"), ROLES_READING)
def test_assessments_allowed_and_denied(request, client_for, journey, placement, role, status):
    user = request.getfixturevalue(role)
    assert client_for(user).get(url("assessments", placement.participant_id)).status_code == status


def test_journey_chart_and_table(client_for, journey, placement, supervisor):
    response = client_for(supervisor).get(url("assessments", placement.participant_id))
    page = response.text
    assert "<svg" in page and "<title" in page and "<desc" in page
    assert 'role="img"' in page
    assert page.count("<polyline") == len(DEFAULT_AREAS)
    # First → latest and the change, in the chart's description and in the table.
    assert "Arbetsförmåga: 3 → 7 (+4)." in page
    assert "Hälsa och välmående: 3 → 2 (-1)." in page
    assert '<td class="journey-change up">+4</td>' in page
    assert '<td class="journey-change down">−1</td>' in page
    assert '<td class="journey-change same">±0</td>' in page
    assert " style=" not in page and "<style" not in page
    event = AccessEvent.objects.get()
    assert event.section == "assessments"


def test_journey_geometry(journey, placement, supervisor):
    participant = participant_get_for(user=supervisor, participant_id=placement.participant_id)
    rows = list(participant_assessment_list_for(user=supervisor, participant=participant))
    (chart,) = journey_charts(rows)
    work = chart.areas[0]
    assert work.item.code == "work_skills"
    assert [point.value for point in work.points] == [3, 5, 7]
    assert work.points[0].x == chart.plot_left and work.points[-1].x == chart.plot_right
    assert work.points[0].y > work.points[-1].y  # higher scores are drawn higher
    assert (work.first.value, work.latest.value, work.change) == (3, 7, 4)


def test_assessment_form_has_big_radio_scales(client_for, placement, supervisor, instrument):
    response = client_for(supervisor).get(url("assessment_add", placement.participant_id))
    assert response.status_code == 200
    page = response.text
    assert page.count('type="radio" name="score_work_skills"') == 10
    assert page.count('class="score-option"') == 10 * len(DEFAULT_AREAS)
    assert "<legend" in page  # each area is a fieldset with its label as the legend


def test_assessment_recorded(client_for, placement, supervisor, instrument):
    response = client_for(supervisor).post(
        url("assessment_add", placement.participant_id),
        score_data(placement, score_motivation="9", comment="Gjord tillsammans"),
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    scores = {score.item.code: score.value for score in assessment.scores.all()}
    assert scores["motivation"] == 9 and scores["work_skills"] == 5
    assert (assessment.comment, assessment.kind, assessment.date) == (
        "Gjord tillsammans",
        "periodic",
        date(2026, 3, 2),
    )


def test_assessment_missing_score_keeps_the_others(client_for, placement, supervisor, instrument):
    data = score_data(placement, score_motivation="8")
    del data["score_health"]
    response = client_for(supervisor).post(url("assessment_add", placement.participant_id), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["score_health"] == ["Detta fält måste fyllas i."]
    assert 'name="score_motivation" value="8" required id="id_score_motivation_7" checked' in (
        response.text
    )
    # A date before the start: the service's message next to the date field.
    response = client_for(supervisor).post(
        url("assessment_add", placement.participant_id), score_data(placement, on="2025-12-01")
    )
    assert response.context["form"].errors["on"] == [
        in_swedish("The date cannot be before the placement started.")
    ]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 302),
        ("supervisor", 302),
        ("case_officer", 403),
        ("other_supervisor", 404),
        ("analyst", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_assessment_add_allowed_and_denied(
    request, client_for, placement, instrument, role, status
):
    user = request.getfixturevalue(role)
    response = client_for(user).post(
        url("assessment_add", placement.participant_id), score_data(placement)
    )
    assert response.status_code == status
    assert Assessment.objects.count() == (1 if status == 302 else 0)
