"""The auditor's screens in words: names (each shown one an access event), Swedish
roles and "what", filtering by name or personal identity number (POST, blind
index), errors for invalid filters, a working schedule that knows weekends."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from audit import review
from audit.models import AccessEvent
from desk.selectors.audit import schedule_label, what_label
from tests.audit.conftest import make_events
from tests.factories import make_participant

pytestmark = pytest.mark.django_db

EVENTS = reverse("audit:events")


def test_the_log_names_the_participant_and_each_name_shown_is_an_access_event(
    auditor_client, auditor, enterprise, participant, manager
):
    make_events(1, organisation_id=enterprise.pk, user_id=manager.pk, participant_id=participant.pk)
    response = auditor_client.get(EVENTS)
    html = response.content.decode()
    assert participant.full_name in html
    assert "Verksamhetsledare" in html and ">manager<" not in html
    shown = AccessEvent.objects.filter(
        user_id=auditor.pk, participant_id=participant.pk, section="identity"
    )
    assert shown.count() == 1
    assert shown.get().object_type == "access_log"


def test_what_is_readable_swedish():
    assert what_label("outcome_report", "outcome_report") == "Utfallsrapport"
    assert what_label("list", "", 26) == "Deltagarlista, 26 personer"
    assert what_label("internal_notes", "placement") == "Interna anteckningar, Placering"


def test_filter_by_name_is_posted_and_becomes_the_participant_id(
    auditor_client, auditor, participant
):
    response = auditor_client.post(EVENTS, {"person": participant.family_name})
    assert response.status_code == 302
    assert response.url == f"{EVENTS}?participant={participant.pk}"
    assert participant.family_name not in response.url
    search = AccessEvent.objects.get(user_id=auditor.pk, action="search")
    assert search.result_count == 1


def test_a_participant_filter_names_the_person_and_can_be_removed(auditor_client, participant):
    response = auditor_client.get(EVENTS, {"participant": str(participant.pk)})
    html = response.content.decode()
    assert f"Visar händelserna om {participant.full_name}." in html
    assert f'<a href="{EVENTS}">Visa alla händelser</a>' in html
    # A new search without a term shows every event again (no hidden id keeps it).
    response = auditor_client.post(EVENTS, {"person": ""})
    assert response.status_code == 302 and response.url == f"{EVENTS}?"


def test_filter_by_personal_identity_number_uses_the_blind_index(auditor_client, participant):
    number = participant.personal_identity_number
    response = auditor_client.post(EVENTS, {"person": number, "action": "view"})
    assert response.status_code == 302
    assert f"participant={participant.pk}" in response.url and "action=view" in response.url
    assert number not in response.url


def test_no_match_and_several_matches(auditor_client, enterprise, manager, participant):
    response = auditor_client.post(EVENTS, {"person": "Ingen Sådan Person"})
    assert response.status_code == 200
    assert "Ingen deltagare i din organisation matchar." in response.content.decode()
    assert list(response.context["page"].object_list) == []
    twin = make_participant(
        organisation=enterprise, acting_user=manager, family_name=participant.family_name
    )
    response = auditor_client.post(EVENTS, {"person": participant.family_name})
    urls = [url for _name, url in response.context["matches"]]
    assert sorted(urls) == sorted(f"{EVENTS}?participant={pk}" for pk in (participant.pk, twin.pk))


def test_a_participant_of_another_organisation_is_not_found(
    auditor_client, other_enterprise, other_manager
):
    other = make_participant(organisation=other_enterprise, acting_user=other_manager)
    response = auditor_client.post(EVENTS, {"person": other.personal_identity_number})
    assert response.status_code == 200
    assert "Ingen deltagare i din organisation matchar." in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2026-13-45"},
        {"date_from": "2026-03-10", "date_to": "2026-03-01"},
        {"participant": "not-a-uuid"},
        {"action": "steal"},
    ],
)
def test_an_invalid_filter_shows_an_error_and_no_events(auditor_client, enterprise, query):
    make_events(3, organisation_id=enterprise.pk)
    response = auditor_client.get(EVENTS, query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert list(response.context["page"].object_list) == []


def test_the_working_schedule_is_configurable_and_knows_weekends(
    auditor_client, settings, enterprise, participant, manager
):
    # 2026-03-07 is a Saturday; Stockholm is UTC+1 in March: 10:30 UTC is 11:30 local.
    saturday = AccessEvent.objects.create(
        occurred_at=datetime(2026, 3, 7, 10, 30, tzinfo=UTC),
        user_id=manager.pk,
        role="manager",
        organisation_id=enterprise.pk,
        participant_id=participant.pk,
        action="view",
    )

    def flagged():
        page = auditor_client.get(EVENTS).context["page"].object_list
        return next(event.flag_out_of_hours for event in page if event.pk == saturday.pk)

    assert flagged() is True
    settings.AUDIT_WORKING_SCHEDULE = "mon-fri 07-19, sat 10-16"
    assert flagged() is False
    settings.AUDIT_WORKING_SCHEDULE = "mon-fri 07-19, sat 12-16"
    assert flagged() is True


def test_schedule_parsing_and_its_label():
    assert review.parse_schedule("mon-fri 07-19, sat 10-16") == {
        **{day: (7, 19) for day in range(1, 6)},
        6: (10, 16),
    }
    assert schedule_label(review.parse_schedule("mon-fri 07-19, sat 10-16")) == (
        "mån–fre 07–19, lör 10–16"
    )


def test_a_broken_schedule_fails_loudly(settings):
    settings.AUDIT_WORKING_SCHEDULE = "monday 7-19"
    with pytest.raises(ImproperlyConfigured):
        review.working_schedule()
    settings.AUDIT_WORKING_SCHEDULE = "mon-fri 19-07"
    with pytest.raises(ImproperlyConfigured):
        review.working_schedule()
