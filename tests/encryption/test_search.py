"""Name search by decrypting within the set the caller may see."""

import pytest

from encryption.search import decrypt_match, normalise_for_search
from participants.models import Participant
from tests.factories import make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(enterprise, other_enterprise, manager, other_manager):
    return {
        "asa": make_participant(
            organisation=enterprise, acting_user=manager, given_name="Åsa", family_name="Öberg"
        ),
        "anna": make_participant(
            organisation=enterprise, acting_user=manager, given_name="Anna", family_name="Svensson"
        ),
        "hidden": make_participant(
            organisation=other_enterprise,
            acting_user=other_manager,
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


# --- decrypt_rows: sort by encrypted values, build instances for one page only ------


def test_decrypt_rows_gives_the_values_and_instances_as_the_queryset_would(
    people, enterprise, django_assert_num_queries
):
    from encryption.search import decrypt_rows

    scoped = Participant.objects.filter(organisation=enterprise).defer("phone")
    with django_assert_num_queries(1):  # rows and data keys together
        rows = decrypt_rows(scoped, ("family_name", "given_name"))
    assert sorted(row.texts for row in rows) == [("Svensson", "Anna"), ("Öberg", "Åsa")]
    expected = {participant.pk: participant for participant in scoped}
    for row in rows:
        with django_assert_num_queries(0):  # the data key came with the row
            instance = row.instance()
            assert (instance.family_name, instance.given_name) == row.texts
            loaded = expected[row.pk]
            assert instance.personal_identity_number == loaded.personal_identity_number
            assert (instance.pk, instance.organisation_id, instance.status) == (
                loaded.pk,
                loaded.organisation_id,
                loaded.status,
            )
        assert instance.get_deferred_fields() == {"phone"}
        assert instance.phone == loaded.phone  # fetched when read, as a deferred field is


def test_decrypt_rows_fails_closed_on_a_value_moved_from_another_row(people, enterprise):
    from encryption.exceptions import DecryptionError
    from encryption.search import decrypt_rows

    # Tampering at the database level: Anna's family name becomes Åsa's ciphertext
    # (another row, another key), then her own given name (same key, another field).
    scoped = Participant.objects.filter(organisation=enterprise)
    anna = Participant.objects.filter(pk=people["anna"].pk)
    sealed = Participant.objects.values_list("family_name", flat=True).get(pk=people["asa"].pk)
    anna.update(family_name=sealed)
    with pytest.raises(DecryptionError, match="another data key"):
        decrypt_rows(scoped, ("family_name",))
    anna.update(family_name=anna.values_list("given_name", flat=True).get())
    with pytest.raises(DecryptionError, match="does not authenticate"):
        decrypt_rows(scoped, ("family_name",))


def test_decrypt_rows_refuses_plain_and_deferred_fields(enterprise):
    from encryption.search import decrypt_rows

    with pytest.raises(ValueError, match="no encrypted fields"):
        decrypt_rows(Participant.objects.all(), ("municipality",))
    with pytest.raises(ValueError, match="defers the fields"):
        decrypt_rows(Participant.objects.defer("given_name"), ("given_name",))
