"""E-mails say how many items wait and link to the list: nothing about a person.
Sent by the task (never in the request), retried when the mail server fails."""

import smtplib
from datetime import timedelta
from unittest import mock

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.daily import notifications_daily
from notifications.kinds import Delivery, Kind
from notifications.models import Notification
from notifications.services import notify, preferences_set
from notifications.tasks import EMAIL_ATTEMPTS, notification_email_task
from placements.services import placement_plan_submit, placement_plan_update
from referrals.services import case_message_post, referral_accept
from tests.factories import CANARIES


def outbox_text() -> str:
    return "\n".join(f"{message.subject}\n{message.body}" for message in mail.outbox)


def test_canary_no_personal_data_in_any_email(
    sent_referral, placement, manager, supervisor, case_officer, unit, committed
):
    """The referral flow, a message and a plan: every e-mail holds a count and a link,
    never the names, personal identity numbers or free text made by the tests."""
    secret = "Kanariefågel i anteckningen 4711"
    CANARIES.add(secret)
    participant = placement.participant
    with committed():
        referral_accept(
            referral=sent_referral,
            acting_user=manager,
            unit=unit,
            supervisor=supervisor,
            start_date=timezone.localdate() + timedelta(days=14),
        )
        case_message_post(placement=placement, body=secret, acting_user=case_officer)
        placement_plan_update(
            placement=placement, goals=secret, tasks=secret, support="", acting_user=supervisor
        )
        placement_plan_submit(placement=placement, acting_user=supervisor)
    notifications_daily()  # the digests: the messages, reviews due
    assert len(mail.outbox) >= 3
    text = outbox_text()
    forbidden = {
        *CANARIES,
        secret,
        sent_referral.full_name,
        sent_referral.personal_identity_number,
        participant.given_name,
        participant.family_name,
        participant.personal_identity_number,
        unit.name,
        unit.organisation.name,
    }
    assert [word for word in forbidden if word and word in text] == []
    for message in mail.outbox:
        assert "Stegvis" in message.subject
        assert reverse("notifications:list") in message.body
        assert str(placement.pk) not in message.body
        assert str(sent_referral.pk) not in message.body


def test_email_counts_and_is_swedish(manager, committed):
    with committed():
        notify(kind=Kind.REFERRAL_RECEIVED, recipients=[manager], url="/remisser/")
    assert [message.subject for message in mail.outbox] == ["Du har 1 ny händelse i Stegvis"]
    assert mail.outbox[0].to == [manager.email]


def test_in_app_only_sends_nothing_and_daily_waits_for_the_digest(manager, committed):
    preferences_set(
        user=manager, deliveries={Kind.REFERRAL_RECEIVED: Delivery.IN_APP}, acting_user=manager
    )
    with committed():
        notify(kind=Kind.REFERRAL_RECEIVED, recipients=[manager], url="/remisser/")
        notify(kind=Kind.MESSAGE_RECEIVED, recipients=[manager], url="/remisser/")
    assert mail.outbox == []
    notifications_daily()
    assert [message.subject for message in mail.outbox] == ["Du har 1 ny händelse i Stegvis"]
    notifications_daily()  # already e-mailed: not again
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried(manager):
    notify(kind=Kind.REFERRAL_RECEIVED, recipients=[manager], url="/remisser/")
    real_send = mail.send_mail
    attempts = []

    def flaky(*args, **kwargs):
        attempts.append(1)
        if len(attempts) < 3:
            raise smtplib.SMTPServerDisconnected("down")
        return real_send(*args, **kwargs)

    with mock.patch("notifications.emails.send_mail", flaky):
        notification_email_task.enqueue(str(manager.pk))
    assert len(attempts) == 3
    assert len(mail.outbox) == 1
    assert Notification.objects.get(recipient=manager).emailed_at is not None


def test_retries_give_up(manager):
    notify(kind=Kind.REFERRAL_RECEIVED, recipients=[manager], url="/remisser/")
    failing = mock.Mock(side_effect=smtplib.SMTPServerDisconnected("down"))
    with mock.patch("notifications.emails.send_mail", failing):
        notification_email_task.enqueue(str(manager.pk))
    assert failing.call_count == EMAIL_ATTEMPTS
    assert Notification.objects.get(recipient=manager).emailed_at is None


def test_no_email_inside_the_request(
    login, manager, case_officer, placement, django_capture_on_commit_callbacks
):
    """A message posted through the page: the e-mail task is queued for after the commit."""
    client = login(case_officer)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("placements:messages", args=[placement.pk]), {"body": "Hej"})
        assert mail.outbox == []  # nothing sent while the request ran
    assert callbacks
    for callback in callbacks:  # the commit: the signal, then the e-mail task
        callback()
    assert Notification.objects.filter(recipient=manager, kind=Kind.MESSAGE_RECEIVED).exists()
