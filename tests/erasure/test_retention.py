"""Retention: a record past its period is listed, is not erased without a recorded
decision, and is erased after the manager's decision and the officer's approval."""

from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from casework.services import placement_end
from erasure import selectors, services
from erasure.models import ErasureRequest, RetentionDecision, RetentionRun
from participants.models import Participant
from tests.factories import make_active_placement, make_participant

pytestmark = pytest.mark.django_db


def ended_years_ago(years, *, enterprise, unit, supervisor, manager):
    """A participant whose only placement ended ``years`` years (and a month) ago."""
    today = timezone.localdate()
    start = date(today.year - years - 1, 1, 5)
    end = date(today.year - years, today.month, 1) - timedelta(days=31)
    with time_machine.travel(start, tick=False):
        participant = make_participant(organisation=enterprise, acting_user=manager)
        placement = make_active_placement(
            participant=participant,
            unit=unit,
            supervisors=[supervisor],
            acting_user=manager,
            start_date=start,
        )
    with time_machine.travel(end, tick=False):
        placement_end(placement=placement, ended_on=end, outcome="employed", acting_user=manager)
    return participant


@pytest.fixture
def records(enterprise, unit, supervisor, manager):
    def make(years):
        return ended_years_ago(
            years, enterprise=enterprise, unit=unit, supervisor=supervisor, manager=manager
        )

    return make


def due_ids(user=None):
    found = selectors.retention_due_for(user=user) if user else selectors.retention_due()
    return {record.participant.pk for record in found}


def test_due_list_follows_the_policy(records, placement, manager, enterprise):
    old, recent = records(4), records(1)
    with time_machine.travel(timezone.now() - timedelta(days=800), tick=False):
        never_placed = make_participant(organisation=enterprise, acting_user=manager)
    assert due_ids(manager) == {old.pk, never_placed.pk}  # not recent, not the active one
    services.retention_policy_update(
        organisation=enterprise, years_after_end=5, years_without_placement=3, acting_user=manager
    )
    assert due_ids(manager) == set()
    services.retention_policy_update(
        organisation=enterprise, years_after_end=1, years_without_placement=3, acting_user=manager
    )
    assert due_ids(manager) == {old.pk, recent.pk}


def test_past_the_period_is_listed_not_erased_without_a_decision_then_erased(
    records, manager, auditor
):
    participant = records(4)
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert str(participant.pk) in out.getvalue() and "nothing deleted" in out.getvalue()
    assert RetentionRun.objects.count() == 0  # a dry run records nothing
    call_command("retention", stdout=StringIO())
    run = RetentionRun.objects.get()
    assert run.due_count == 1 and str(participant.pk) in str(run.due)
    # The daily job and the command delete nothing.
    assert Participant.objects.filter(pk=participant.pk).exists()
    assert not ErasureRequest.objects.exists()

    record = selectors.retention_due_get(user=manager, participant_id=participant.pk)
    decision = services.retention_confirm(
        participant=participant, due_on=record.due_on, acting_user=manager
    )
    assert decision.kind == RetentionDecision.Kind.ERASE
    assert Participant.objects.filter(pk=participant.pk).exists()  # awaits the officer
    assert due_ids(manager) == set()  # no longer listed: the erasure is pending
    services.erasure_approve(erasure=decision.erasure, acting_user=auditor)
    assert not Participant.objects.filter(pk=participant.pk).exists()
    assert RetentionDecision.objects.filter(participant_id=participant.pk).exists()


def test_keeping_longer_needs_a_reason_and_ends(records, manager, english):
    from django.core.exceptions import ValidationError

    participant = records(4)
    record = selectors.retention_due_get(user=manager, participant_id=participant.pk)
    until = timezone.localdate() + timedelta(days=90)
    with pytest.raises(ValidationError, match="Give the reason"):
        services.retention_extend(
            participant=participant,
            due_on=record.due_on,
            until=until,
            reason="",
            acting_user=manager,
        )
    services.retention_extend(
        participant=participant,
        due_on=record.due_on,
        until=until,
        reason="Complaint under review",
        acting_user=manager,
    )
    assert due_ids(manager) == set()
    with time_machine.travel(until + timedelta(days=1), tick=False):
        assert due_ids(manager) == {participant.pk}


def test_the_daily_task_lists_and_deletes_nothing(records):
    from erasure.tasks import retention_check_task

    participant = records(4)
    result = retention_check_task.enqueue()  # the immediate backend in tests
    assert result.return_value["due"] == 1
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_the_review_screen_confirms_and_the_officer_approves(
    records, manager, auditor, login, client
):
    participant = records(4)
    login(manager)
    page = client.get(reverse("erasure:retention"))
    assert participant.full_name in page.content.decode()
    decide = reverse("erasure:retention_decide", args=[participant.pk])
    response = client.post(decide, {"action": "confirm", "note": ""})
    erasure = ErasureRequest.objects.get(participant_id=participant.pk)
    assert response.status_code == 302 and response.url == erasure.get_absolute_url()
    assert erasure.ground == ErasureRequest.Ground.RETENTION_ENDED
    # The requester may not decide: the page offers no form, the POST is refused.
    client.post(
        reverse("erasure:decide", args=[erasure.pk]), {"decision": "approve", "confirm": "on"}
    )
    assert Participant.objects.filter(pk=participant.pk).exists()
    client.logout()
    login(auditor)
    listing = client.get(reverse("erasure:list")).content.decode()
    assert erasure.get_absolute_url() in listing
    assert participant.full_name not in client.get(erasure.get_absolute_url()).content.decode()
    response = client.post(reverse("erasure:decide", args=[erasure.pk]), {"decision": "approve"})
    assert b"Confirm that the record may be erased" in response.content
    assert Participant.objects.filter(pk=participant.pk).exists()
    response = client.post(
        reverse("erasure:decide", args=[erasure.pk]), {"decision": "approve", "confirm": "on"}
    )
    assert response.status_code == 302
    assert not Participant.objects.filter(pk=participant.pk).exists()


def test_keep_longer_on_screen(records, manager, login, client):
    participant = records(4)
    login(manager)
    decide = reverse("erasure:retention_decide", args=[participant.pk])
    until = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(decide, {"action": "extend", "until": until, "reason": ""})
    assert response.status_code == 200 and not RetentionDecision.objects.exists()
    response = client.post(decide, {"action": "extend", "until": until, "reason": "Appeal"})
    assert response.status_code == 302
    assert RetentionDecision.objects.get().reason == "Appeal"


def test_policy_on_screen(manager, enterprise, login, client):
    login(manager)
    url = reverse("erasure:retention_policy")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"organisation": enterprise.pk, "years_after_end": 7, "years_without_placement": 2},
    )
    assert response.status_code == 302
    assert services.retention_policy_for(enterprise).years_after_end == 7


def test_request_on_screen_refuses_an_active_placement(placement, manager, login, client):
    login(manager)
    page = client.get(reverse("erasure:request", args=[placement.participant_id]))
    assert b"placement that has not ended" in page.content
    client.post(
        reverse("erasure:request", args=[placement.participant_id]),
        {"ground": "participant_request"},
    )
    assert not ErasureRequest.objects.exists()


# --- query counts ---------------------------------------------------------------


def _make_due(records, count):
    return [records(4) for _index in range(count)]


@pytest.mark.parametrize("count", [1, 10])
def test_retention_screen_queries_do_not_grow(
    records, manager, login, client, django_assert_num_queries, count
):
    _make_due(records, count)
    login(manager)
    client.get(reverse("erasure:retention"))  # warm the session
    # session, user, device (3); memberships (1); policies (1); due list (1);
    # access events (1 INSERT); organisations (1); last run (1); menu (0: roles cached);
    # the header's unread notifications (1)
    with django_assert_num_queries(10):
        response = client.get(reverse("erasure:retention"))
    assert response.content.decode().count("Decide") >= count


@pytest.mark.parametrize("count", [1, 10])
def test_erasure_list_queries_do_not_grow(
    records, manager, auditor, login, client, django_assert_num_queries, count
):
    for participant in _make_due(records, count):
        services.erasure_request(
            participant=participant, ground="participant_request", acting_user=manager
        )
    login(auditor)
    client.get(reverse("erasure:list"))
    # session, user, device (3); memberships (1); pending (1); decided (1);
    # the header's unread notifications (1)
    with django_assert_num_queries(7):
        response = client.get(reverse("erasure:list"))
    assert response.content.decode().count("/dataskydd/radering/") == count
