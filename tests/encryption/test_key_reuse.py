"""Rows loaded with select_related('data_key') unwrap each data key once, not once
per row, without a cipher being shared where it should not be."""

import gc

import pytest
from django.utils import timezone

from encryption import crypto, keycache
from encryption.exceptions import DataKeyDestroyed, DecryptionError
from encryption.keyring import new_key_entry
from encryption.models import DataKey
from encryption.services import reencrypt_all
from participants.models import Participant
from participants.services import participant_update
from tests.encryption.test_rotation import add_primary

pytestmark = pytest.mark.django_db


@pytest.fixture
def unwraps(monkeypatch):
    calls = []
    real = DataKey.plain_key

    def counting(self, generation, **kwargs):
        calls.append((self.pk, generation))
        return real(self, generation, **kwargs)

    monkeypatch.setattr(DataKey, "plain_key", counting)
    return calls


def copies(participant, n: int = 5) -> list[Participant]:
    """The same row loaded n times, each with its own DataKey instance."""
    return [Participant.objects.select_related("data_key").get(pk=participant.pk) for _ in range(n)]


def test_rows_sharing_a_data_key_unwrap_it_once(participant, unwraps):
    keycache.forget()
    rows = copies(participant)
    assert len({id(row.data_key) for row in rows}) == len(rows)
    for row in rows:
        assert row.given_name == participant.given_name
        assert row.family_name == participant.family_name
    assert unwraps == [(participant.data_key_id, participant.data_key.generation)]


def test_a_copy_of_the_data_key_in_another_state_unwraps_itself(participant, unwraps):
    keycache.forget()
    first, second = copies(participant, 2)
    assert first.given_name == participant.given_name
    damaged = bytearray(second.data_key.wrapped)
    damaged[-1] ^= 0x01
    second.data_key.wrapped = bytes(damaged)
    with pytest.raises(DecryptionError, match="does not unwrap"):
        _ = second.given_name
    assert len(unwraps) == 2


def test_a_destroyed_copy_does_not_borrow_the_cipher(participant):
    keycache.forget()
    first, second = copies(participant, 2)
    assert first.given_name == participant.given_name
    second.data_key.destroyed_at = timezone.now()
    with pytest.raises(DataKeyDestroyed):
        _ = second.given_name


def test_no_key_outlives_the_rows_that_hold_it(participant):
    keycache.forget()
    rows = copies(participant)
    assert all(row.given_name for row in rows)
    assert len(keycache._unwrapped()) == 1
    del rows
    gc.collect()
    assert len(keycache._unwrapped()) == 0


def test_forget_stops_the_sharing(participant, settings):
    keycache.forget()
    (first,) = copies(participant, 1)
    assert first.given_name == participant.given_name
    settings.FIELD_ENCRYPTION_KEYS = new_key_entry("test-1")  # same id, another key
    keycache.forget()  # as at the start and end of every request
    (second,) = copies(participant, 1)
    with pytest.raises(DecryptionError, match="does not unwrap"):
        _ = second.given_name


def test_a_replaced_entry_outlives_the_copy_it_replaced(participant):
    keycache.forget()
    first, second = copies(participant, 2)
    registry = keycache._unwrapped()
    registry.put(first.data_key.id.int, first.data_key, 1, first.data_key.cipher(1))
    # The same key, another copy.
    registry.put(second.data_key.id.int, second.data_key, 1, second.data_key.cipher(1))
    del first
    gc.collect()
    assert registry[second.data_key.id.int][0]() is second.data_key
    del second
    gc.collect()
    assert len(registry) == 0


def test_rows_half_way_through_a_reencryption_unwrap_each_generation_once(
    participant, manager, settings, unwraps
):
    participant_update(participant=participant, acting_user=manager, municipality="Mora")
    add_primary(settings)
    # One row moved to the new generation, the others (history rows) not yet.
    assert reencrypt_all(batch_size=10, stop_after=1).values == 1
    keycache.forget()
    unwraps.clear()
    rows = [
        *copies(participant, 3),
        *participant.history.select_related("data_key"),
        *participant.history.select_related("data_key"),
    ]
    assert len({id(row.data_key) for row in rows}) == len(rows)
    generations = [crypto.read_header_bytes(row.__dict__["given_name"])[1] for row in rows]
    assert set(generations) == {1, 2}
    assert all(row.given_name == participant.given_name for row in rows)
    assert sorted(unwraps) == [(participant.data_key_id, 1), (participant.data_key_id, 2)]
