"""Messages on a placement: its parties read and write, nobody else; encrypted at
rest, plain text, size-limited, each read an access event; the signal tells the
other parties."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from audit.models import AccessEvent
from referrals import signals
from referrals.models import MESSAGE_MAX_LENGTH, CaseMessage
from referrals.services import case_message_post


def test_a_party_posts_and_the_others_are_told(
    placement, supervisor, manager, case_officer, django_capture_on_commit_callbacks
):
    told = []

    def receiver(sender, **kwargs):
        told.append(kwargs)

    signals.case_message_posted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            message = case_message_post(
                placement=placement, body="Kan vi ses på torsdag?", acting_user=supervisor
            )
    finally:
        signals.case_message_posted.disconnect(receiver)
    [sent] = told
    assert sent["message"] == message
    assert {user.pk for user in sent["recipients"]} == {manager.pk, case_officer.pk}
    assert sent["url"] == reverse("placements:messages", args=[placement.pk])


def test_the_message_is_encrypted_at_rest(placement, case_officer):
    message = case_message_post(
        placement=placement, body="Hemligt meddelande 4711", acting_user=case_officer
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM referrals_casemessage")
        [(raw,)] = cursor.fetchall()
        cursor.execute("SELECT body FROM referrals_historicalcasemessage")
        [(raw_history,)] = cursor.fetchall()
    assert b"4711" not in bytes(raw) and b"4711" not in bytes(raw_history)
    assert message.data_key_id == placement.participant.data_key_id


@pytest.mark.parametrize("who", ["other_supervisor", "other_case_officer", "analyst", "auditor"])
def test_outsiders_cannot_post(placement, who, request):
    with pytest.raises(PermissionDenied):
        case_message_post(placement=placement, body="Hej", acting_user=request.getfixturevalue(who))
    assert not CaseMessage.objects.exists()


def test_size_limit_and_plain_text(placement, manager, english):
    with pytest.raises(ValidationError, match="at most 4000"):
        case_message_post(
            placement=placement, body="x" * (MESSAGE_MAX_LENGTH + 1), acting_user=manager
        )
    with pytest.raises(ValidationError, match="Write a message"):
        case_message_post(placement=placement, body="   ", acting_user=manager)
    with pytest.raises(ValidationError, match="plain text"):
        case_message_post(placement=placement, body="bell\x07", acting_user=manager)
    case_message_post(placement=placement, body="x" * MESSAGE_MAX_LENGTH, acting_user=manager)


def test_the_page_escapes_html_and_records_the_read(placement, manager, case_officer, login):
    case_message_post(placement=placement, body="<b>fet</b>\nrad två", acting_user=manager)
    client = login(case_officer)
    response = client.get(reverse("placements:messages", args=[placement.pk]))
    page = response.content.decode()
    assert "&lt;b&gt;fet&lt;/b&gt;<br>rad två" in page
    event = AccessEvent.objects.get(section="messages")
    assert (event.user_id, event.participant_id) == (case_officer.pk, placement.participant_id)


def test_the_page_posts(placement, supervisor, login):
    client = login(supervisor)
    response = client.post(
        reverse("placements:messages", args=[placement.pk]), {"body": "Allt gick bra idag"}
    )
    assert response.status_code == 302
    assert CaseMessage.objects.get().body == "Allt gick bra idag"
    too_long = client.post(
        reverse("placements:messages", args=[placement.pk]), {"body": "y" * 4001}
    )
    assert too_long.status_code == 200 and CaseMessage.objects.count() == 1


def test_the_placement_page_links_to_the_messages(placement, case_officer, login):
    page = login(case_officer).get(placement.get_absolute_url()).content.decode()
    assert reverse("placements:messages", args=[placement.pk]) in page


@pytest.mark.parametrize(
    "who,status",
    [("other_supervisor", 404), ("other_case_officer", 404), ("analyst", 403), ("auditor", 403)],
)
def test_outsiders_do_not_read(placement, manager, who, status, request, login):
    case_message_post(placement=placement, body="Bara för oss", acting_user=manager)
    response = login(request.getfixturevalue(who)).get(
        reverse("placements:messages", args=[placement.pk])
    )
    assert response.status_code == status


# Session, user, memberships, OTP device (4); the placement with its relation flags (1);
# the messages with authors and data key (1); access event (1); session saved (3);
# the header's unread notifications (1).
MESSAGES_QUERIES = 4 + 1 + 1 + 1 + 3 + 1


@pytest.mark.parametrize("count", [2, 20])
def test_the_thread_has_a_constant_number_of_queries(
    count, placement, manager, login, django_assert_num_queries
):
    for number in range(count):
        case_message_post(placement=placement, body=f"Meddelande {number}", acting_user=manager)
    client = login(manager)
    with django_assert_num_queries(MESSAGES_QUERIES):
        response = client.get(reverse("placements:messages", args=[placement.pk]))
    assert response.content.decode().count('class="thread-entry') == count
