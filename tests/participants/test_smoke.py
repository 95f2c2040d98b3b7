import pytest

from participants.models import Participant


@pytest.mark.django_db
def test_participant_round_trip(participant):
    loaded = Participant.objects.get(pk=participant.pk)
    assert loaded.given_name == participant.given_name
    assert loaded.history.count() == 1


@pytest.mark.django_db
def test_placement_fixture(placement):
    assert placement.status == "active"
    assert placement.supervisor_assignments.count() == 1
