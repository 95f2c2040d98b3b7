"""Declined and withdrawn referrals follow the retention rules: once the enterprise's
period for a record that never had a placement has passed, the daily retention job
crypto-shreds them. An accepted referral whose record was erased goes at once."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from encryption.exceptions import DataKeyDestroyed
from erasure.selectors import add_years, referrals_retention_due
from erasure.services import participant_erase, referrals_shred_due, retention_check
from referrals.models import Referral
from referrals.services import referral_accept, referral_decline, referral_withdraw


def _closed_years_ago(referral, years):
    Referral.objects.filter(pk=referral.pk).update(
        closed_at=timezone.now() - timedelta(days=365 * years + 2)
    )


def test_a_declined_referral_is_shredded_after_the_period(send, manager, case_officer, settings):
    declined = send()
    referral_decline(referral=declined, acting_user=manager, reason="Ingen plats")
    withdrawn = send()
    referral_withdraw(referral=withdrawn, acting_user=case_officer)
    recent = send()
    referral_decline(referral=recent, acting_user=manager, reason="Ingen plats")
    waiting = send()
    years = settings.RETENTION_DEFAULT_YEARS_WITHOUT_PLACEMENT
    for referral in (declined, withdrawn, waiting):
        _closed_years_ago(referral, years)
    assert set(referrals_retention_due()) == {declined, withdrawn}
    retention_check()
    for referral in (declined, withdrawn):
        shredded = Referral.objects.get(pk=referral.pk)
        assert shredded.shredded_at is not None
        with pytest.raises(DataKeyDestroyed):
            _ = shredded.family_name
    for referral in (recent, waiting):
        kept = Referral.objects.get(pk=referral.pk)
        assert kept.shredded_at is None and kept.family_name == referral.family_name
    assert referrals_shred_due() == 0  # idempotent: nothing left


def test_the_enterprises_policy_sets_the_period(send, manager, enterprise):
    from erasure.models import RetentionPolicy

    RetentionPolicy.objects.create(organisation=enterprise, years_without_placement=5)
    referral = send()
    referral_decline(referral=referral, acting_user=manager, reason="Nej")
    _closed_years_ago(referral, 2)
    assert list(referrals_retention_due()) == []
    assert referral in referrals_retention_due(today=add_years(timezone.localdate(), 4))


def test_an_accepted_referral_goes_with_the_erased_record(send, manager, unit, supervisor):
    from django.db import transaction

    referral = send()
    placement = referral_accept(
        referral=referral,
        acting_user=manager,
        unit=unit,
        supervisor=supervisor,
        start_date=timezone.localdate() + timedelta(days=14),
    )
    assert list(referrals_retention_due()) == []
    with transaction.atomic():
        participant_erase(participant=placement.participant)
    shredded = Referral.objects.get(pk=referral.pk)
    assert shredded.personal_identity_index == "" and shredded.shredded_at is not None
    with pytest.raises(DataKeyDestroyed):
        _ = shredded.given_name
    assert list(referrals_retention_due()) == []


def test_an_orphaned_accepted_referral_is_shredded_by_the_job(send, manager, unit, supervisor):
    """A backstop: an accepted referral whose placement is gone by any path."""
    referral = send()
    placement = referral_accept(
        referral=referral,
        acting_user=manager,
        unit=unit,
        supervisor=supervisor,
        start_date=timezone.localdate() + timedelta(days=14),
    )
    Referral.objects.filter(pk=referral.pk).update(placement=None)
    assert placement.pk and list(referrals_retention_due()) == [referral]
    referrals_shred_due()
    assert Referral.objects.get(pk=referral.pk).personal_identity_index == ""


def test_the_command_reports_the_referrals(send, manager, settings, capsys):
    referral = send()
    referral_decline(referral=referral, acting_user=manager, reason="Nej")
    _closed_years_ago(referral, settings.RETENTION_DEFAULT_YEARS_WITHOUT_PLACEMENT)
    call_command("retention", "--dry-run")
    assert "1 declined, withdrawn or orphaned referrals due" in capsys.readouterr().out
    assert Referral.objects.get(pk=referral.pk).shredded_at is None
    call_command("retention")
    assert "1 referrals past their retention shredded" in capsys.readouterr().out
    assert Referral.objects.get(pk=referral.pk).shredded_at is not None


def test_verify_encryption_counts_a_shredded_referral_as_shredded(send, manager, capsys):
    from referrals.services import referral_shred

    referral = send()
    referral_decline(referral=referral, acting_user=manager, reason="Nej")
    referral_shred(referral=referral)
    call_command("verify_encryption")  # exits non-zero on a problem
    assert "destroyed data keys" in capsys.readouterr().out
