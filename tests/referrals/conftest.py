"""Referral fixtures: an agreement between the fixture agency and enterprise, and a
referral sent through the service."""

from datetime import timedelta

import pytest
from django.utils import timezone

from participants.models import Gender, LabourMarketStatus
from placements.models import Programme
from referrals.models import Agreement
from referrals.services import ReferralPerson, referral_create
from tests.factories import fake, register_canary, valid_identity_number


@pytest.fixture
def agreement(agency, enterprise):
    return Agreement.objects.create(
        agency=agency, enterprise=enterprise, valid_from=timezone.localdate() - timedelta(days=30)
    )


def referral_person(**overrides) -> ReferralPerson:
    values = {
        "given_name": fake.first_name() + "ia",
        "family_name": fake.last_name() + "sson",
        "personal_identity_number": valid_identity_number(),
        "gender": Gender.WOMAN,
        "labour_market_status": LabourMarketStatus.LONG_TERM_UNEMPLOYED,
    }
    values.update(overrides)
    register_canary(f"{values['given_name']} {values['family_name']}")
    register_canary(values["personal_identity_number"])
    return ReferralPerson(**values)


def send_referral(*, case_officer, agency, enterprise, **overrides):
    values = {
        "acting_user": case_officer,
        "agency": agency,
        "enterprise": enterprise,
        "programme": Programme.WORK_TRAINING,
        "hours_per_week": "20",
        "wanted_start": timezone.localdate() + timedelta(days=14),
        "person": referral_person(),
        "reason": register_canary("Behöver komma igång efter lång sjukskrivning"),
        "goals": "Arbeta 20 timmar i veckan",
        "decision_number": "AF-2026-1234",
    }
    values.update(overrides)
    return referral_create(**values)


@pytest.fixture
def send(case_officer, agency, enterprise, agreement):
    """``send(**overrides)``: a referral from the fixture case officer to the enterprise."""

    def _send(**overrides):
        return send_referral(
            case_officer=case_officer, agency=agency, enterprise=enterprise, **overrides
        )

    return _send


@pytest.fixture
def referral(send):
    return send()
