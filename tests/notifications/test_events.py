"""Events become notifications for the right people, with a link and no text."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from accounts.models import Role
from accounts.services import membership_request
from erasure.models import ErasureRequest
from erasure.services import erasure_request
from notifications.kinds import Kind
from notifications.models import Notification
from placements.services import placement_plan_decide, placement_plan_submit, placement_plan_update
from referrals.services import case_message_post, referral_accept
from tests.factories import UserFactory


def kinds_of(user):
    return list(
        Notification.objects.filter(recipient=user)
        .order_by("created_at")
        .values_list("kind", flat=True)
    )


def test_referral_sent_and_answered(
    sent_referral, manager, case_officer, unit, supervisor, committed
):
    assert kinds_of(manager) == [Kind.REFERRAL_RECEIVED]
    notification = Notification.objects.get(recipient=manager)
    assert notification.url == f"/remisser/{sent_referral.pk}/"
    with committed():
        referral_accept(
            referral=sent_referral,
            acting_user=manager,
            unit=unit,
            supervisor=supervisor,
            start_date=timezone.localdate() + timedelta(days=14),
        )
    assert kinds_of(case_officer) == [Kind.REFERRAL_ANSWERED]
    # Both want these at once by default: one e-mail each, the count and the link only.
    assert sorted(message.to[0] for message in mail.outbox) == [
        case_officer.email,
        manager.email,
    ]


def test_plan_submitted_approved_and_changes_requested(
    placement, manager, supervisor, case_officer, committed
):
    placement_plan_update(
        placement=placement, goals="Mål", tasks="", support="", acting_user=supervisor
    )
    with committed():
        placement_plan_submit(placement=placement, acting_user=supervisor)
    assert kinds_of(case_officer) == [Kind.PLAN_SUBMITTED]
    with committed():
        placement_plan_decide(
            placement=placement, approve=False, comment="Mer stöd", acting_user=case_officer
        )
    assert kinds_of(manager) == [Kind.PLAN_CHANGES_REQUESTED]
    assert kinds_of(supervisor) == [Kind.PLAN_CHANGES_REQUESTED]
    with committed():
        placement_plan_submit(placement=placement, acting_user=supervisor)
        placement_plan_decide(placement=placement, approve=True, acting_user=case_officer)
    assert kinds_of(manager)[-1] == Kind.PLAN_APPROVED
    assert kinds_of(case_officer) == [Kind.PLAN_SUBMITTED, Kind.PLAN_SUBMITTED]


def test_message_reaches_the_other_parties(placement, manager, supervisor, case_officer, committed):
    with committed():
        case_message_post(placement=placement, body="Hej", acting_user=case_officer)
    assert kinds_of(manager) == [Kind.MESSAGE_RECEIVED]
    assert kinds_of(supervisor) == [Kind.MESSAGE_RECEIVED]
    assert kinds_of(case_officer) == []


def test_erasure_request_waits_for_the_data_protection_officer(
    participant, manager, auditor, committed
):
    with committed():
        erasure = erasure_request(
            participant=participant,
            ground=ErasureRequest.Ground.values[0],
            acting_user=manager,
        )
    assert kinds_of(auditor) == [Kind.ERASURE_AWAITING_APPROVAL]
    assert Notification.objects.get(recipient=auditor).url == f"/dataskydd/radering/{erasure.pk}/"
    assert kinds_of(manager) == []


def test_membership_request_waits_for_the_managers(enterprise, manager, admin_user, committed):
    newcomer = UserFactory()
    with committed():
        membership_request(
            user=newcomer, organisation=enterprise, role=Role.SUPERVISOR, acting_user=admin_user
        )
    assert kinds_of(manager) == [Kind.MEMBERSHIP_AWAITING_APPROVAL]
    assert Notification.objects.get(recipient=manager).url == "/behorigheter/"


def test_export_ready_tells_who_asked(settings, tmp_path, manager, enterprise, committed):
    from reports.models import ReportExport
    from reports.service import export_produce

    settings.EXPORTS_ROOT = tmp_path / "exports"
    export = ReportExport.objects.create(
        created_by=manager,
        created_role=Role.MANAGER,
        parameters={
            "period": "2026-01:2026-02",
            "organisation_ids": [str(enterprise.pk)],
            "threshold": 3,
            "rounding": False,
        },
    )
    with committed():
        export_produce(export=export)
    assert kinds_of(manager) == [Kind.EXPORT_READY]
    assert Notification.objects.get(recipient=manager).url == f"/rapporter/exporter/{export.pk}/"
