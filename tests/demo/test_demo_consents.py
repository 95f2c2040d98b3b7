"""The demo's consents: every purpose, withdrawn ones among them, on the current
wording, and the agency's health access following them."""

import pytest

from participants.models import Consent, ConsentTemplate
from participants.policy import Section
from participants.selectors import participant_get_for
from placements.models import Placement
from tests.demo.test_seed_demo import seed

pytestmark = pytest.mark.usefixtures("english")


def test_demo_seeds_consents_that_drive_sharing(db, tmp_path):
    seed(tmp_path, participants=30)

    assert set(ConsentTemplate.objects.values_list("purpose", flat=True)) == set(
        Consent.Purpose.values
    ) - {"statistics"}
    purposes = set(Consent.objects.values_list("purpose", flat=True))
    assert purposes >= {
        "processing",
        "share_with_agency",
        "share_with_funder",
        "media",
        "contact_after_exit",
    }
    assert Consent.objects.filter(withdrawn_at__isnull=False).exists()
    assert not Consent.objects.filter(template__isnull=True).exclude(purpose="statistics").exists()
    assert Consent.history.count() == Consent.objects.count()

    # A case officer reads health where their agency holds a consent in force, and not
    # where it was withdrawn (or never given).
    seen = {True: 0, False: 0}
    placements = Placement.objects.filter(
        case_officer__isnull=False, status__in=["active", "paused"]
    ).select_related("case_officer")
    for placement in placements:
        in_force = Consent.objects.filter(
            participant_id=placement.participant_id,
            purpose="share_with_agency",
            agency_id=placement.referring_organisation_id,
            withdrawn_at__isnull=True,
        ).exists()
        record = participant_get_for(
            user=placement.case_officer, participant_id=placement.participant_id
        )
        assert record.access.can_read(Section.HEALTH) == in_force
        seen[in_force] += 1
    assert seen[True] and seen[False]
