"""Notification fixtures: e-mail addresses for the fixture users, a referral sent
through the service, and the on-commit callbacks run as production runs them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Agreement
from tests.referrals.conftest import send_referral


@pytest.fixture(autouse=True)
def addresses(manager, supervisor, case_officer, auditor):
    for user in (manager, supervisor, case_officer, auditor):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


@pytest.fixture
def agreement(agency, enterprise):
    return Agreement.objects.create(
        agency=agency, enterprise=enterprise, valid_from=timezone.localdate() - timedelta(days=30)
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs the block's on-commit callbacks (signals, e-mail tasks)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def sent_referral(case_officer, agency, enterprise, agreement, committed):
    with committed():
        return send_referral(case_officer=case_officer, agency=agency, enterprise=enterprise)
