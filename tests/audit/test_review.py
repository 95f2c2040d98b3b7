"""The auditor's screens: scope, filters, flags, query counts, history, extract."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit import registry, review
from audit.models import AccessEvent
from casework.services import progress_note_add
from participants.services import participant_update
from tests.accounts.signin_helpers import sign_in
from tests.factories import make_participant, user_with_role

from .conftest import make_events

pytestmark = pytest.mark.django_db

EVENTS = reverse("audit:events")


def page_ids(response) -> set:
    return {event.id for event in response.context["page"].object_list}


def test_only_the_auditor_role_reaches_the_screens(client, manager, participant):
    sign_in(client, manager)
    assert client.get(EVENTS).status_code == 403
    url = reverse("audit:participant_history", args=[participant.pk])
    assert client.get(url).status_code == 403


def test_event_list_is_scoped_to_the_auditors_organisation(
    auditor_client, enterprise, other_enterprise, participant, manager, other_manager
):
    other = make_participant(organisation=other_enterprise, acting_user=other_manager)
    ours_by_org = make_events(1, organisation_id=enterprise.pk)
    ours_by_participant = make_events(1, participant_id=participant.pk)
    theirs = make_events(1, organisation_id=other_enterprise.pk, participant_id=other.pk)
    response = auditor_client.get(EVENTS)
    assert response.status_code == 200
    ids = page_ids(response)
    assert {ours_by_org[0].id, ours_by_participant[0].id} <= ids
    assert theirs[0].id not in ids


def test_filters(auditor_client, enterprise, participant, manager, supervisor):
    mine = make_events(2, participant_id=participant.pk, user_id=manager.pk)
    printed = make_events(1, participant_id=participant.pk, action="print", user_id=supervisor.pk)
    old = make_events(1, organisation_id=enterprise.pk, age=timedelta(days=40))
    other = make_events(1, organisation_id=enterprise.pk, user_id=supervisor.pk)

    def ids(**query):
        return page_ids(auditor_client.get(EVENTS, query))

    by_participant = ids(participant=str(participant.pk))
    assert {e.id for e in mine + printed} <= by_participant
    assert not by_participant & {old[0].id, other[0].id}
    assert ids(user="manager") >= {e.id for e in mine}
    assert not ids(user="manager") & {printed[0].id, other[0].id}
    assert ids(action="print") == {printed[0].id}
    today = timezone.localdate()
    recent = ids(date_from=str(today - timedelta(days=2)), date_to=str(today))
    assert old[0].id not in recent and other[0].id in recent
    assert ids(date_to=str(today - timedelta(days=39))) == {old[0].id}


def test_filtering_by_participant_is_itself_an_access_event(auditor_client, auditor, participant):
    before = AccessEvent.objects.count()
    auditor_client.get(EVENTS, {"participant": str(participant.pk)})
    event = AccessEvent.objects.get(id__gt=0, section="access_log")
    assert AccessEvent.objects.count() == before + 1
    assert (event.user_id, event.role, event.participant_id) == (
        auditor.pk,
        "auditor",
        participant.pk,
    )


def test_flag_out_of_hours(auditor_client, enterprise, participant, manager):
    # 2026-03-04 is a Wednesday; Stockholm is UTC+1 in March.
    def at(hour, day=4):
        return datetime(2026, 3, day, hour, 30, tzinfo=UTC)

    made = {}
    for label, moment in {
        "morning": at(5),  # 06:30 local
        "day": at(10),  # 11:30 local
        "evening": at(18),  # 19:30 local
        "saturday": at(10, day=7),
    }.items():
        made[label] = AccessEvent.objects.create(
            occurred_at=moment,
            user_id=manager.pk,
            role="manager",
            organisation_id=enterprise.pk,
            participant_id=participant.pk,
            action="view",
        ).id
    flags = {
        event.id: event.flag_out_of_hours
        for event in auditor_client.get(EVENTS).context["page"].object_list
    }
    assert {label: flags[event_id] for label, event_id in made.items()} == {
        "morning": True,
        "day": False,
        "evening": True,
        "saturday": True,
    }


def test_flag_bulk_viewing(auditor_client, enterprise, manager, settings):
    settings.AUDIT_BULK_PARTICIPANTS_PER_HOUR = 3
    # Four participants in the same hour by one user; a fifth view two hours later.
    people = [make_participant(organisation=enterprise, acting_user=manager) for _ in range(4)]
    base = timezone.now() - timedelta(hours=3)
    made = [
        AccessEvent.objects.create(
            occurred_at=base + timedelta(minutes=index),
            user_id=manager.pk,
            role="manager",
            organisation_id=enterprise.pk,
            participant_id=person.pk,
            action="view",
        )
        for index, person in enumerate(people)
    ]
    later = AccessEvent.objects.create(
        occurred_at=base + timedelta(hours=2),
        user_id=manager.pk,
        role="manager",
        organisation_id=enterprise.pk,
        participant_id=people[0].pk,
        action="view",
    )
    events = {e.id: e for e in auditor_client.get(EVENTS).context["page"].object_list}
    assert [events[e.id].flag_bulk for e in made] == [False, False, False, True]
    assert events[made[-1].id].participants_in_hour == 4
    assert events[later.id].flag_bulk is False


def test_flag_no_current_relationship(
    auditor_client, enterprise, placement, participant, supervisor, other_supervisor, manager
):
    working_day = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday, 11:00 local

    def event(user, role):
        return make_events(
            1,
            at=working_day,
            participant_id=participant.pk,
            user_id=user.pk,
            role=role,
            organisation_id=enterprise.pk,
        )[0].id

    supervised = event(supervisor, "supervisor")  # has a grant through the placement
    managed = event(manager, "manager")  # manager of the enterprise
    stranger = event(other_supervisor, "supervisor")  # neither
    by_auditor = event(user_with_role(Role.AUDITOR, enterprise), "auditor")
    flags = {
        e.id: e.flag_no_relationship for e in auditor_client.get(EVENTS).context["page"].object_list
    }
    assert flags[supervised] is False
    assert flags[managed] is False
    assert flags[stranger] is True
    assert flags[by_auditor] is False
    flagged = page_ids(auditor_client.get(EVENTS, {"flagged": "on"}))
    assert stranger in flagged and supervised not in flagged


# Queries for one page of the event list, whatever the number of rows:
# session, user, memberships (cached on the user for the request), OTP device
# = 4; paginator count 1; the page of events 1; the page's three flags 1;
# usernames 1; organisation names 1; the participants' names (with their data
# keys) 1; the session save in a savepoint = 3 (the first request after sign-in
# starts the idle clock); the header's unread notifications (1).
EVENT_LIST_QUERIES = 4 + 1 + 1 + 1 + 1 + 1 + 1 + 3 + 1


@pytest.mark.parametrize("rows", [5, 50])
def test_event_list_query_count_is_constant(
    auditor_client, enterprise, manager, rows, django_assert_num_queries
):
    for _ in range(rows // 5):
        make_events(5, organisation_id=enterprise.pk, user_id=manager.pk)
    with django_assert_num_queries(EVENT_LIST_QUERIES):
        response = auditor_client.get(EVENTS)
    assert len(response.context["page"].object_list) == min(rows, 50)


def test_event_list_paginates(auditor_client, enterprise):
    make_events(120, organisation_id=enterprise.pk)
    response = auditor_client.get(EVENTS, {"page": 3})
    assert response.context["page"].number == 3
    assert len(response.context["page"].object_list) == 20


# --- change history -------------------------------------------------------------


def test_history_lists_changed_field_names_never_encrypted_values(
    auditor_client, placement, participant, manager, supervisor
):
    old_name = participant.given_name
    participant_update(
        participant=participant,
        given_name="Hemligt-Namn",
        municipality="Mora",
        acting_user=manager,
    )
    progress_note_add(
        placement=placement, kind="observation", text="Hemlig anteckning", acting_user=supervisor
    )
    url = reverse("audit:participant_history", args=[participant.pk])
    response = auditor_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # The participant's current name heads the page (the history's access event
    # covers it); what the history rows hold encrypted is never shown.
    assert f"Hemligt-Namn {participant.family_name}" in html
    assert old_name not in html and "Hemlig anteckning" not in html
    entries = response.context["page"].object_list
    update = next(
        e
        for e in entries
        if e.model_label == "participants.Participant" and e.change_type == "changed"
    )
    fields = {change.name: change for change in update.fields}
    assert set(fields) == {"given_name", "municipality"}
    assert fields["given_name"].shown is False and fields["given_name"].new is None
    assert (fields["municipality"].old, fields["municipality"].new) == ("Falun", "Mora")
    assert any(e.model_label == "casework.ProgressNote" for e in entries)
    assert any(e.model_label == "placements.Placement" for e in entries)
    assert update.user_id == manager.pk and update.reason


def test_history_is_404_outside_the_auditors_organisation(
    auditor_client, other_enterprise, manager, other_manager
):
    other = make_participant(organisation=other_enterprise, acting_user=other_manager)
    url = reverse("audit:participant_history", args=[other.pk])
    assert auditor_client.get(url).status_code == 404
    url = reverse("audit:participant_history", args=[uuid.uuid4()])
    assert auditor_client.get(url).status_code == 404


# session, user, memberships, device = 4; the participant 1; the access event
# 1; the name (with its data key) 1; the data key 1; one per history source
# (placement and assessment ids are subqueries); usernames 1; session save in
# a savepoint 3 (the first request after sign-in starts the idle clock);
# the header's unread notifications (1).
HISTORY_QUERIES = 4 + 1 + 1 + 1 + 1 + len(registry.history_sources()) + 1 + 3 + 1


@pytest.mark.parametrize("notes", [1, 10])
def test_history_query_count_is_constant(
    auditor_client, placement, participant, supervisor, notes, django_assert_num_queries
):
    for index in range(notes):
        progress_note_add(
            placement=placement, kind="observation", text=f"note {index}", acting_user=supervisor
        )
    url = reverse("audit:participant_history", args=[participant.pk])
    with django_assert_num_queries(HISTORY_QUERIES):
        auditor_client.get(url)


# --- access extract -------------------------------------------------------------


def test_extract_lists_exactly_this_participants_accesses_and_changes(
    auditor_client, enterprise, placement, participant, manager, supervisor
):
    other = make_participant(organisation=enterprise, acting_user=manager)
    make_events(3, participant_id=participant.pk, organisation_id=enterprise.pk, role="manager")
    make_events(2, participant_id=other.pk, organisation_id=enterprise.pk, role="supervisor")
    lines = review.extract_lines(participant_id=participant.pk)
    accesses = [line for line in lines if line.action == str(AccessEvent.Action.VIEW.label)]
    assert len(accesses) == 3
    assert all(line.organisation == enterprise.name for line in accesses)
    changes = [line for line in lines if line not in accesses]
    expected_changes = len(review.change_history(participant_id=participant.pk))
    assert len(changes) == expected_changes > 0
    other_changes = review.change_history(participant_id=other.pk)
    mine = review.change_history(participant_id=participant.pk)
    assert not {(c.model_label, c.object_id) for c in other_changes} & {
        (c.model_label, c.object_id) for c in mine
    }

    before = AccessEvent.objects.count()
    response = auditor_client.get(reverse("audit:participant_extract", args=[participant.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    printed = AccessEvent.objects.order_by("-id").first()
    assert AccessEvent.objects.count() == before + 1
    assert (printed.action, printed.participant_id, printed.section) == (
        "print",
        participant.pk,
        "access_extract",
    )
