"""The daily job: reviews and follow-ups due within 7 days or overdue, once per due
date and state, by the same rule as the home pages, in constant queries per batch."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from casework import due
from casework.models import Outcome
from casework.selectors_followup import reviews_due_for
from casework.services import placement_end
from notifications.daily import due_items_batch, notifications_daily
from notifications.kinds import Kind
from notifications.models import Notification
from placements.models import Placement

#: The fixture placements start on 2026-01-05: with no review, one falls due on 2026-04-05.
REVIEW_DUE_ON = date(2026, 4, 5)


def kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_review_due_soon_then_overdue_told_once_each(placement, case_officer):
    notifications_daily(today=date(2026, 3, 20))
    assert kinds(case_officer) == []
    notifications_daily(today=date(2026, 3, 30))
    notifications_daily(today=date(2026, 3, 31))  # the same due item: not told again
    assert kinds(case_officer) == [Kind.REVIEW_DUE]
    notifications_daily(today=date(2026, 4, 6))
    notifications_daily(today=date(2026, 4, 7))
    assert kinds(case_officer) == [Kind.REVIEW_DUE, Kind.REVIEW_OVERDUE]
    link = Notification.objects.get(recipient=case_officer, kind=Kind.REVIEW_OVERDUE).url
    assert link == f"/placeringar/{placement.pk}/uppfoljning/ny/"


def test_follow_up_due_goes_to_the_managers_and_supervisors(
    placement, manager, supervisor, other_supervisor, case_officer
):
    # Grants are judged on the real day: the placement ends 25 days before it, so the
    # 28-day follow-up falls due in 3 days, inside the supervisor's grace period.
    today = timezone.localdate()
    placement_end(
        placement=placement,
        ended_on=today - timedelta(days=25),
        outcome=Outcome.values[0],
        acting_user=manager,
    )
    notifications_daily(today=today)
    assert kinds(manager) == [Kind.FOLLOW_UP_DUE]
    # The supervisor at the exit still sees the participant (the grace period), as on
    # their home page; another enterprise's supervisor does not.
    assert kinds(supervisor) == [Kind.FOLLOW_UP_DUE]
    assert kinds(other_supervisor) == []
    assert Kind.FOLLOW_UP_DUE not in kinds(case_officer)
    notifications_daily(today=today + timedelta(days=4))
    assert kinds(manager) == [Kind.FOLLOW_UP_DUE, Kind.FOLLOW_UP_OVERDUE]


def test_the_job_and_the_home_page_agree(active_placements, case_officer):
    active_placements(3)
    today = date(2026, 4, 1)
    notifications_daily(today=today)
    on_home = {
        placement.pk
        for placement in reviews_due_for(user=case_officer, today=today)
        if due.due_state(due.placement_review_due_on(placement), today=today)
    }
    told = {
        url.split("/")[2]
        for url in Notification.objects.filter(recipient=case_officer).values_list("url", flat=True)
    }
    assert on_home and {str(pk) for pk in on_home} == told


#: One batch: the reviews due (1), the follow-ups due (1), their enterprises' managers
#: and supervisors (1), the grants on their participants (1), the insert and the
#: recipients' preferences (2), inside a savepoint (2).
BATCH_QUERIES = 8


@pytest.mark.parametrize("count", [2, 20])
def test_queries_per_batch_are_constant(
    active_placements, manager, django_assert_max_num_queries, count
):
    placements = active_placements(count)
    for placement in placements[: count // 2]:
        placement_end(
            placement=placement,
            ended_on=date(2026, 3, 2),
            outcome=Outcome.values[0],
            acting_user=manager,
        )
    ids = list(Placement.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(BATCH_QUERIES):
        told = due_items_batch(ids, today=date(2026, 4, 1))
    assert told >= count


def test_command(placement, case_officer, capsys):
    call_command("notifications_daily")
    assert "batches" in capsys.readouterr().out


def test_read_notifications_are_deleted_after_a_while(manager):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.daily import READ_KEPT_DAYS
    from notifications.services import notify

    notify(kind=Kind.EXPORT_READY, recipients=[manager], url="/rapporter/exporter/")
    notify(kind=Kind.REFERRAL_RECEIVED, recipients=[manager], url="/remisser/")
    old = Notification.objects.get(kind=Kind.EXPORT_READY)
    old.read_at = timezone.now() - timedelta(days=READ_KEPT_DAYS + 1)
    old.save(update_fields=["read_at"])
    assert notifications_daily().purged == 1
    assert kinds(manager) == [Kind.REFERRAL_RECEIVED]  # unread: kept
