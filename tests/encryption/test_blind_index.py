"""Personnummer lookup by blind index: formats, uniqueness per enterprise, validation."""

import hashlib
import hmac

import pytest
from django.core.exceptions import ValidationError

from encryption.keyring import get_keyring
from participants.identity import identity_index, normalise_identity_number
from participants.models import Participant
from tests.factories import make_participant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NUMBER = "19811218-9876"
FORMATS = ["811218-9876", "198112189876", "19811218-9876", "8112189876", " 811218-9876 "]


def lookup(organisation, text: str):
    index = identity_index(normalise_identity_number(text))
    return Participant.objects.filter(organisation=organisation, personal_identity_index=index)


@pytest.mark.parametrize("entered", FORMATS)
def test_every_format_finds_the_same_person(enterprise, manager, entered):
    participant = make_participant(
        organisation=enterprise, acting_user=manager, personal_identity_number=entered
    )
    for text in FORMATS:
        assert list(lookup(enterprise, text)) == [participant]
    assert participant.personal_identity_number == NUMBER


def test_plus_form_is_someone_aged_100_or_more(enterprise, manager):
    participant = make_participant(
        organisation=enterprise, acting_user=manager, personal_identity_number="191212121212"
    )
    assert normalise_identity_number("121212+1212") == "191212121212"
    assert list(lookup(enterprise, "121212+1212")) == [participant]


def test_coordination_number_is_indexed_and_found(enterprise, manager):
    participant = make_participant(
        organisation=enterprise, acting_user=manager, personal_identity_number="811278-9873"
    )
    assert list(lookup(enterprise, "198112789873")) == [participant]


def test_index_is_hmac_sha256_of_the_12_digit_form_under_its_own_key():
    expected = hmac.new(
        get_keyring().blind_index_key,
        b"personal-identity-number|198112189876",
        hashlib.sha256,
    ).hexdigest()
    assert identity_index(normalise_identity_number("811218-9876")) == expected
    assert "198112189876" not in expected


def test_unique_per_enterprise(enterprise, other_enterprise, manager, other_manager):
    make_participant(organisation=enterprise, acting_user=manager, personal_identity_number=NUMBER)
    with pytest.raises(ValidationError, match="already registered at this enterprise"):
        make_participant(
            organisation=enterprise, acting_user=manager, personal_identity_number="8112189876"
        )
    # Another enterprise holds its own record of the same person.
    make_participant(
        organisation=other_enterprise,
        acting_user=other_manager,
        personal_identity_number="811218-9876",
    )
    assert lookup(other_enterprise, NUMBER).count() == 1


@pytest.mark.parametrize(
    "bad", ["19811218-9877", "811318-9876", "abc", "12345", "20991231-1234", "811218_9876"]
)
def test_a_bad_number_gives_a_clear_message(enterprise, manager, bad):
    with pytest.raises(ValidationError, match="Enter a valid personal identity number"):
        make_participant(organisation=enterprise, acting_user=manager, personal_identity_number=bad)
