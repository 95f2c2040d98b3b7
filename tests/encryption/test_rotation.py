"""Key rotation, re-encryption, verification and crypto-shredding."""

import hashlib
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from stdnum import luhn

from audit.history import bulk_create_tracked
from casework.models import ProgressNote
from demo.bulk import participant_bulk_create
from encryption import keycache
from encryption.exceptions import DataKeyDestroyed
from encryption.fields import REGISTRY, Sealed, row_id_attname
from encryption.keyring import get_keyring, new_key_entry
from encryption.models import DataKey
from encryption.services import (
    data_key_destroy,
    data_keys_rewrap,
    reencrypt_all,
    reencryption_pending,
    verify_all,
)
from participants.models import Participant
from participants.services import participant_update
from placements.models import Placement, Programme
from tests.factories import participant_input

pytestmark = pytest.mark.django_db


def numbered_identity(n: int) -> str:
    """A valid personnummer, different for every n below 12,000."""
    stem = f"{60 + n % 30:02d}{1 + (n // 30) % 12:02d}{10 + n // 360:02d}{n % 1000:03d}"
    return f"19{stem}{luhn.calc_check_digit(stem)}"


def plaintext_digests() -> dict:
    """A hash of every encrypted plaintext, live and history, keyed by table/row/field."""
    keycache.forget()
    digests = {}
    for model, fields in REGISTRY.items():
        for row in model._base_manager.select_related("data_key").iterator(chunk_size=2000):
            for field in fields:
                if row.__dict__.get(field.attname) is not None:
                    digests[(model._meta.db_table, row.pk, field.name)] = hashlib.sha256(
                        getattr(row, field.name).encode()
                    ).hexdigest()
    return digests


def ciphertexts() -> dict:
    stored = {}
    for model, fields in REGISTRY.items():
        names = [field.name for field in fields]
        for pk, *values in model._base_manager.values_list("pk", *names):
            for name, value in zip(names, values, strict=True):
                if value is not None:
                    stored[(model._meta.db_table, pk, name)] = bytes(value)
    return stored


def data_key_state() -> dict:
    return {
        row[0]: row[1:]
        for row in DataKey.objects.values_list(
            "id", "generation", "kek_id", "wrapped", "previous_wrapped"
        )
    }


def add_primary(settings) -> tuple[str, str]:
    """Put a new primary key in front of the ring; returns (new entry, old entries)."""
    old = settings.FIELD_ENCRYPTION_KEYS
    new = new_key_entry("rotated-2")
    settings.FIELD_ENCRYPTION_KEYS = f"{new},{old}"
    keycache.forget()
    return new, old


def assert_verify_green():
    report = verify_all()
    assert report.failures == []
    assert report.values > 0


def test_verify_encryption_command_is_green_and_counts(full_record, capsys):
    call_command("verify_encryption")
    assert "All readable" in capsys.readouterr().out


def test_verify_encryption_names_each_failing_row(full_record):
    note = ProgressNote.objects.get()
    with pytest.raises(CommandError, match="1 failures"):
        ProgressNote.objects.filter(pk=note.pk).update(
            text=Sealed(bytes(ProgressNote.objects.values_list("text", flat=True).get())[:-1])
        )
        call_command("verify_encryption")
    report = verify_all()
    assert report.failures == [
        f"casework_progressnote/{note.pk}/text: value for casework.progressnote.text:{note.pk} "
        "does not authenticate (wrong key, wrong row or damaged)"
    ]


def test_rewrap_then_old_key_removed_leaves_everything_readable(full_record, settings):
    before = plaintext_digests()
    stored = ciphertexts()
    new, _old = add_primary(settings)
    rewrapped = data_keys_rewrap(batch_size=1)
    assert rewrapped == DataKey.objects.count()
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {"rotated-2"}
    assert ciphertexts() == stored  # values untouched: rewrapping is cheap
    settings.FIELD_ENCRYPTION_KEYS = new  # the old key is gone
    assert plaintext_digests() == before
    assert_verify_green()
    assert data_keys_rewrap(batch_size=10) == 0


def test_verify_fails_when_a_needed_key_is_removed(full_record, settings):
    settings.FIELD_ENCRYPTION_KEYS = new_key_entry("unrelated")
    with pytest.raises(CommandError, match="failures"):
        call_command("verify_encryption")


def test_rotate_keys_command_with_reencrypt(full_record, settings, capsys):
    before = plaintext_digests()
    stored = ciphertexts()
    new, _old = add_primary(settings)
    call_command("rotate_keys", "--reencrypt", "--batch-size", "1")
    output = capsys.readouterr().out
    assert "Re-encrypted" in output
    after = ciphertexts()
    assert after.keys() == stored.keys()
    assert all(after[location] != stored[location] for location in stored)
    settings.FIELD_ENCRYPTION_KEYS = new
    assert plaintext_digests() == before
    call_command("verify_encryption")
    # Safe to run again: nothing left to do, nothing changes.
    call_command("rotate_keys", "--reencrypt")
    assert ciphertexts() == after


def test_rotate_keys_fails_clearly_without_the_old_key(full_record, settings):
    settings.FIELD_ENCRYPTION_KEYS = new_key_entry("rotated-2")
    keycache.forget()
    with pytest.raises(CommandError, match="rotation stopped: key 'test-1' is not in"):
        call_command("rotate_keys")


@pytest.mark.slow
def test_rotation_of_2000_participants_with_notes_and_history(enterprise, manager, settings):
    participants = participant_bulk_create(
        organisation=enterprise,
        records=[
            participant_input(
                personal_identity_number=numbered_identity(n),
                support_needs=f"Behov {n}",
                phone=f"070-{n:07d}",
            )
            for n in range(2000)
        ],
        acting_user=manager,
    )
    placements = bulk_create_tracked(
        [
            Placement(
                participant=participant,
                data_key_id=participant.data_key_id,
                programme=Programme.WORK_TRAINING,
                referred_on=date(2026, 1, 5),
                plan_goals=f"Mål för {n}",
            )
            for n, participant in enumerate(participants)
        ],
        user=manager,
        reason="referral registered",
    )
    bulk_create_tracked(
        [
            ProgressNote(
                placement=placement,
                data_key_id=placement.data_key_id,
                author=manager,
                date=date(2026, 1, 6 + n % 20),
                kind=ProgressNote.Kind.OBSERVATION,
                text=f"Anteckning {n} om {placement.pk}",
            )
            for n, placement in enumerate(placements)
        ],
        user=manager,
        reason="note added",
    )
    for participant in participants[:20]:  # a second history row for some
        participant_update(participant=participant, acting_user=manager, municipality="Mora")
    before = plaintext_digests()
    assert len(before) > 2000 * 8

    new, old = add_primary(settings)
    assert data_keys_rewrap(batch_size=500) == 2000
    assert reencryption_pending() == 2000

    # An interruption in the middle of a batch: some values moved, keys in progress.
    partial = reencrypt_all(batch_size=300, stop_after=1234)
    assert not partial.finished and partial.values == 1234
    assert DataKey.objects.filter(previous_wrapped__isnull=False).count() == 300
    assert plaintext_digests() == before  # readable while half-way

    resumed = reencrypt_all(batch_size=300)
    assert resumed.finished and resumed.data_keys == 2000
    assert DataKey.objects.filter(previous_wrapped__isnull=False).count() == 0
    assert set(DataKey.objects.values_list("generation", flat=True)) == {2}

    settings.FIELD_ENCRYPTION_KEYS = new  # remove the old key
    assert plaintext_digests() == before
    assert_verify_green()

    state, stored = data_key_state(), ciphertexts()
    again = reencrypt_all(batch_size=300)
    assert (again.data_keys, again.values) == (0, 0)
    assert data_keys_rewrap(batch_size=500) == 0
    assert data_key_state() == state and ciphertexts() == stored


def test_resumed_reencryption_skips_values_already_moved(full_record, settings):
    before = plaintext_digests()
    add_primary(settings)
    first = reencrypt_all(batch_size=10, stop_after=3)
    assert first.values == 3 and not first.finished
    second = reencrypt_all(batch_size=10)
    total = sum(1 for _ in ciphertexts())
    # Rows, not values, are counted; every row was rewritten exactly once overall.
    assert first.values + second.values == len({key[:2] for key in ciphertexts()})
    assert total > 0
    assert plaintext_digests() == before
    assert_verify_green()


def test_destroying_a_data_key_shreds_live_and_history_values(record_builder):
    kept = record_builder("B")
    shredded = record_builder("C")
    data_key_destroy(data_key=shredded.participant.data_key)
    keycache.forget()
    checked = 0
    for row in shredded.rows:
        model = type(row)
        loaded = model._base_manager.get(pk=row.pk)
        history = model.history.filter(**{row_id_attname(model.history.model): row.pk})
        for (label, name), _value in shredded.values.items():
            if label != model._meta.label:
                continue
            with pytest.raises(DataKeyDestroyed):
                getattr(loaded, name)
            for old in history:
                if old.__dict__[name] is not None:
                    checked += 1
                    with pytest.raises(DataKeyDestroyed):
                        getattr(old, name)
    assert checked >= len(shredded.values)
    assert Participant.objects.get(pk=kept.participant.pk).given_name.startswith("Kanarie-B")
    key = DataKey.objects.get(pk=shredded.participant.data_key_id)
    assert key.wrapped is None and key.destroyed_at is not None
    report = verify_all()
    assert report.failures == [] and report.shredded > 0
    assert get_keyring().primary_id == "test-1"
    assert reencryption_pending() == 0
