"""Name search by decrypting within the set the caller may see."""

import pytest

from encryption.search import decrypt_match, normalise_for_search
from participants.models import Participant
from tests.factories import make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(enterprise, other_enterprise, manager):
    return {
        "asa": make_participant(
            organisation=enterprise, acting_user=manager, given_name="Åsa", family_name="Öberg"
        ),
        "anna": make_participant(
            organisation=enterprise, acting_user=manager, given_name="Anna", family_name="Svensson"
        ),
        "hidden": make_participant(
            organisation=other_enterprise,
            acting_user=manager,
            given_name="Anna",
            family_name="Svensson",
        ),
    }


def test_normalise_removes_case_and_accents():
    assert normalise_for_search("  ÅSA   Öberg ") == "asa oberg"


def test_match_is_case_and_accent_insensitive(people, enterprise):
    scoped = Participant.objects.filter(organisation=enterprise)
    names = ["given_name", "family_name"]
    assert decrypt_match(scoped, names, "asa oberg") == [people["asa"].pk]
    assert decrypt_match(scoped, names, "ÖBERG") == [people["asa"].pk]
    assert decrypt_match(scoped, names, "anna sv") == [people["anna"].pk]
    assert decrypt_match(scoped, names, "nobody") == []
    assert decrypt_match(scoped, names, "  ") == []


def test_only_the_scoped_queryset_is_searched(people, enterprise, monkeypatch):
    from encryption import crypto

    calls = []
    real = crypto.decrypt_value
    monkeypatch.setattr(crypto, "decrypt_value", lambda **kw: calls.append(1) or real(**kw))
    scoped = Participant.objects.filter(organisation=enterprise)
    assert people["hidden"].pk not in decrypt_match(scoped, ["given_name"], "anna")
    assert len(calls) == 2  # the two rows in scope, one field each


def test_search_refuses_plain_fields(enterprise):
    with pytest.raises(ValueError, match="no encrypted fields"):
        decrypt_match(Participant.objects.all(), ["municipality"], "Falun")
