"""The referral services: sending, the answers, the rules on bad input, the
placement an acceptance creates, the signals, and crypto-shredding."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from encryption.exceptions import DataKeyDestroyed
from participants.models import Consent, Participant
from placements.models import Placement, PlacementUserObjectPermission
from referrals import signals
from referrals.models import Agreement, Referral, ReferralMessage
from referrals.services import (
    AlreadyPlaced,
    ReferralConsentInput,
    referral_accept,
    referral_create,
    referral_decline,
    referral_request_information,
    referral_shred,
    referral_supplement,
    referral_withdraw,
)
from tests.factories import OrganisationFactory, make_participant, user_with_role

from .conftest import referral_person, send_referral


class Caught:
    """Receivers that keep what each signal sent."""

    def __init__(self):
        self.sent = []

    def __call__(self, signal):
        def receiver(sender, **kwargs):
            self.sent.append((signal, kwargs))

        signal.connect(receiver, weak=False)
        return receiver


@pytest.fixture
def caught():
    catcher = Caught()
    receivers = {
        signal: catcher(signal)
        for signal in (
            signals.referral_sent,
            signals.referral_answered,
            signals.case_message_posted,
        )
    }
    yield catcher
    for signal, receiver in receivers.items():
        signal.disconnect(receiver)


def accept(referral, manager, unit, supervisor, **overrides):
    values = {
        "referral": referral,
        "acting_user": manager,
        "unit": unit,
        "supervisor": supervisor,
        "start_date": timezone.localdate() + timedelta(days=14),
    }
    values.update(overrides)
    return referral_accept(**values)


def test_sending_keeps_the_person_encrypted_under_a_key_of_its_own(send):
    referral = send()
    assert referral.status == Referral.Status.SENT
    assert referral.personal_identity_index
    raw_name = referral.given_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_name, reason FROM referrals_referral WHERE id = %s", [referral.pk.hex]
        )
        row = cursor.fetchone()
    if row is None:  # PostgreSQL keeps a uuid column
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT given_name, reason FROM referrals_referral WHERE id = %s", [referral.pk]
            )
            row = cursor.fetchone()
    assert raw_name.encode() not in bytes(row[0])
    assert b"sjukskrivning" not in bytes(row[1])
    assert not Participant.objects.filter(data_key_id=referral.data_key_id).exists()
    assert [entry.kind for entry in referral.thread.all()] == [ReferralMessage.Kind.SENT]


def test_only_a_case_officer_of_the_agency_sends(manager, agency, enterprise, agreement):
    with pytest.raises(PermissionDenied):
        send_referral(case_officer=manager, agency=agency, enterprise=enterprise)


def test_an_enterprise_without_a_current_agreement_is_refused(
    case_officer, agency, enterprise, other_enterprise, agreement, english
):
    with pytest.raises(ValidationError, match="no current agreement"):
        send_referral(case_officer=case_officer, agency=agency, enterprise=other_enterprise)
    agreement.valid_to = timezone.localdate() - timedelta(days=1)
    agreement.save()
    with pytest.raises(ValidationError, match="no current agreement"):
        send_referral(case_officer=case_officer, agency=agency, enterprise=enterprise)
    assert not Referral.objects.exists()


def test_an_invalid_personnummer_and_missing_reason_are_refused(send, english):
    with pytest.raises(ValidationError) as refused:
        send(person=referral_person(personal_identity_number="19850101-0000"), reason=" ")
    assert set(refused.value.message_dict) == {"personal_identity_number", "reason"}


def test_hours_and_period_are_checked(send, english):
    start = timezone.localdate() + timedelta(days=10)
    with pytest.raises(ValidationError, match="at most 40") as refused:
        send(hours_per_week="45", wanted_start=start, wanted_end=start - timedelta(days=1))
    assert "wanted_end" in refused.value.message_dict


def test_a_person_placed_at_the_enterprise_warns_until_confirmed(send, placement, english):
    number = placement.participant.personal_identity_number
    with pytest.raises(AlreadyPlaced, match="already has a current placement") as warned:
        send(person=referral_person(personal_identity_number=number))
    assert warned.value.placement.pk == placement.pk
    referral = send(
        person=referral_person(personal_identity_number=number), confirm_already_placed=True
    )
    assert referral.status == Referral.Status.SENT


def test_accepting_creates_the_participant_and_a_planned_placement(
    referral,
    manager,
    unit,
    supervisor,
    case_officer,
    agency,
    caught,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        placement = accept(referral, manager, unit, supervisor)
    placement.refresh_from_db()
    assert placement.status == Placement.Status.PLANNED
    assert placement.unit == unit
    assert placement.case_officer == case_officer
    assert placement.referring_organisation == agency
    assert placement.decision_number == "AF-2026-1234"
    assert placement.hours_per_week == 20
    assert placement.proposed_start == timezone.localdate() + timedelta(days=14)
    participant = placement.participant
    assert participant.full_name == referral.full_name
    assert participant.personal_identity_index == referral.personal_identity_index
    assert participant.data_key_id != referral.data_key_id
    # The case officer's grants, as referral_register gives them.
    assert PlacementUserObjectPermission.objects.filter(
        user=case_officer, content_object=placement, permission__codename="review_placement"
    ).exists()
    referral.refresh_from_db()
    assert (referral.status, referral.placement_id, referral.supervisor_id) == (
        Referral.Status.ACCEPTED,
        placement.pk,
        supervisor.pk,
    )
    assert [(kwargs["answer"], kwargs["recipients"]) for _s, kwargs in caught.sent] == [
        ("accepted", [case_officer])
    ]


def test_accepting_links_the_enterprises_existing_record(
    send, manager, enterprise, unit, supervisor
):
    known = make_participant(organisation=enterprise, acting_user=manager)
    referral = send(person=referral_person(personal_identity_number=known.personal_identity_number))
    placement = accept(referral, manager, unit, supervisor)
    assert placement.participant_id == known.pk
    assert Participant.objects.filter(organisation=enterprise).count() == 1


def test_accepting_records_the_consents_on_the_record(send, manager, unit, supervisor, agency):
    referral = send(
        consents=[
            ReferralConsentInput(
                purpose=Consent.Purpose.SHARE_WITH_AGENCY,
                given_at=timezone.now() - timedelta(days=1),
                evidence="Blankett 12",
            )
        ]
    )
    placement = accept(referral, manager, unit, supervisor)
    consent = Consent.objects.get(participant=placement.participant)
    assert (consent.purpose, consent.agency, consent.evidence) == (
        Consent.Purpose.SHARE_WITH_AGENCY,
        agency,
        "Blankett 12",
    )


def test_accepting_checks_unit_and_supervisor(
    referral, manager, other_unit, supervisor, other_supervisor, unit, english
):
    with pytest.raises(ValidationError, match="enterprise"):
        accept(referral, manager, other_unit, supervisor)
    with pytest.raises(ValidationError, match="supervisor at the enterprise"):
        accept(referral, manager, unit, other_supervisor)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    assert not Placement.objects.exists()
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    "who", ["other_manager", "supervisor", "case_officer", "other_case_officer"]
)
def test_only_the_enterprises_manager_answers(referral, who, request, unit, supervisor):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        referral_decline(referral=referral, acting_user=user, reason="Nej")
    with pytest.raises(PermissionDenied):
        accept(referral, user, unit, supervisor)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_an_answered_referral_cannot_be_answered_again(
    referral, manager, unit, supervisor, english
):
    referral_decline(referral=referral, acting_user=manager, reason="Ingen plats i höst")
    with pytest.raises(ValidationError, match="already been answered"):
        accept(referral, manager, unit, supervisor)
    with pytest.raises(ValidationError, match="already been answered"):
        referral_request_information(referral=referral, acting_user=manager, message="?")


def test_a_stale_copy_is_refused_after_another_answer(referral, manager, unit, supervisor, english):
    """The answer re-reads the referral under a lock: an instance loaded before
    another manager's answer does not pass the check."""
    stale = Referral.objects.get(pk=referral.pk)
    accept(referral, manager, unit, supervisor)
    with pytest.raises(ValidationError, match="already been answered"):
        referral_decline(referral=stale, acting_user=manager, reason="Nej")
    assert Placement.objects.count() == 1


def test_more_information_then_the_answer_makes_it_wait_again(
    referral, manager, case_officer, caught, django_capture_on_commit_callbacks, english
):
    with django_capture_on_commit_callbacks(execute=True):
        referral_request_information(
            referral=referral, acting_user=manager, message="Hur många timmar klarar personen?"
        )
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.MORE_INFORMATION
    with pytest.raises(ValidationError, match="already been answered"):
        referral_decline(referral=referral, acting_user=manager, reason="Nej")
    with django_capture_on_commit_callbacks(execute=True):
        referral_supplement(
            referral=referral, acting_user=case_officer, message="Fyra timmar om dagen"
        )
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.SENT
    assert [entry.kind for entry in referral.thread.all()] == ["sent", "request", "answer"]
    assert [
        (signal, kwargs.get("answer"), kwargs["recipients"]) for signal, kwargs in caught.sent
    ] == [
        (signals.referral_answered, "more_information", [case_officer]),
        (signals.referral_sent, None, [manager]),
    ]


def test_sending_tells_the_current_managers(
    case_officer, agency, enterprise, agreement, manager, caught, django_capture_on_commit_callbacks
):
    second = user_with_role(Role.MANAGER, enterprise, username="second_manager")
    user_with_role(Role.SUPERVISOR, enterprise, username="not_told")
    with django_capture_on_commit_callbacks(execute=True):
        referral = send_referral(case_officer=case_officer, agency=agency, enterprise=enterprise)
    [(signal, kwargs)] = caught.sent
    assert signal is signals.referral_sent
    assert kwargs["referral"] == referral
    assert kwargs["recipients"] == sorted([manager, second], key=lambda user: user.username)
    assert kwargs["url"] == f"/remisser/{referral.pk}/"


def test_no_signal_when_the_transaction_rolls_back(
    send, caught, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send()
    assert len(callbacks) == 1
    assert caught.sent == []


def test_only_the_sender_supplements_or_withdraws(
    referral, manager, other_case_officer, case_officer, agency
):
    referral_request_information(referral=referral, acting_user=manager, message="Mer?")
    colleague = user_with_role(Role.CASE_OFFICER, agency, username="colleague")
    for user in (other_case_officer, colleague, manager):
        with pytest.raises(PermissionDenied):
            referral_supplement(referral=referral, acting_user=user, message="Svar")
        with pytest.raises(PermissionDenied):
            referral_withdraw(referral=referral, acting_user=user)
    referral_withdraw(referral=referral, acting_user=case_officer)
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.WITHDRAWN


def test_shredding_makes_the_person_unreadable(referral, manager, english):
    with pytest.raises(ValidationError, match="waiting"):
        referral_shred(referral=referral)
    referral_decline(referral=referral, acting_user=manager, reason="Ingen plats")
    referral_shred(referral=referral)
    again = Referral.objects.get(pk=referral.pk)
    assert again.shredded_at is not None
    assert again.personal_identity_index == ""
    with pytest.raises(DataKeyDestroyed):
        _ = again.given_name
    with pytest.raises(DataKeyDestroyed):
        _ = again.thread.get(kind="declined").body
    assert (
        not Referral.history.model.objects.filter(id=referral.pk)
        .exclude(personal_identity_index="")
        .exists()
    )


def test_an_agreement_with_another_agency_does_not_count(case_officer, agency, enterprise, english):
    Agreement.objects.create(
        agency=OrganisationFactory(kind="agency", name="Försäkringskassan"),
        enterprise=enterprise,
        valid_from=timezone.localdate(),
    )
    with pytest.raises(ValidationError, match="no current agreement"):
        referral_create(
            acting_user=case_officer,
            agency=agency,
            enterprise=enterprise,
            programme="work_training",
            hours_per_week=20,
            wanted_start=timezone.localdate(),
            person=referral_person(),
            reason="Skäl",
        )
