"""The per-row read path: loading stays lazy, what is read fails closed, and the
shortcuts taken for speed give the same results as the plain computations."""

import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from casework.models import ProgressNote
from encryption import crypto, keycache
from encryption.exceptions import DecryptionError
from encryption.fields import Sealed, binding, data_key_of
from encryption.keyring import get_keyring, new_key_entry
from encryption.services import verify_all
from participants.models import Participant
from tests.encryption.test_fields import fresh, raw_value, write_raw
from tests.factories import make_participant

pytestmark = pytest.mark.django_db


def damage(participant, field_name: str) -> None:
    value = bytearray(raw_value(Participant, participant.pk, field_name))
    value[-1] ^= 0x01  # the GCM tag: only decrypting can tell
    write_raw(Participant, participant.pk, field_name, bytes(value))


@pytest.mark.parametrize(
    "row_id",
    [
        uuid.UUID(int=0),
        uuid.UUID(int=2**128 - 1),
        uuid.UUID("00000000-0000-0000-0000-0000000000ff"),
        *(uuid.uuid4() for _ in range(20)),
    ],
)
def test_binding_is_the_label_field_and_the_bytes_of_the_row_id(row_id):
    row = Participant(id=row_id)
    assert binding(row, "given_name") == b"participants.participant.given_name:" + row_id.bytes
    assert crypto.describe(binding(row, "given_name")) == (
        f"participants.participant.given_name:{row_id}"
    )


@pytest.mark.parametrize("spelling", [str.upper, str.lower, lambda text: text.replace("-", "")])
def test_a_row_id_given_as_text_binds_as_its_uuid(spelling):
    row_id = uuid.UUID("0f2c1b8e-0000-4000-8000-0000000000ab")
    row = Participant()
    row.id = spelling(str(row_id))  # not yet converted to a UUID
    assert binding(row, "family_name") == binding(Participant(id=row_id), "family_name")


def test_a_value_saved_with_the_row_id_as_text_reads_back(placement, supervisor):
    # With the text of the id in the binding (version 1), an id assigned in
    # capitals bound the value to text the loaded UUID never spells again.
    row_id = uuid.uuid4()
    note = ProgressNote(
        placement=placement,
        data_key=placement.participant.data_key,
        author=supervisor,
        date=placement.start_date,
        kind=ProgressNote.Kind.OBSERVATION,
        text="Skötte kassan själv",
    )
    note.id = str(row_id).upper()
    note.save(force_insert=True)
    keycache.forget()
    assert ProgressNote.objects.get(pk=row_id).text == "Skötte kassan själv"


def v1_value(participant, field_name: str, plaintext: str) -> bytes:
    """A value as version 1 wrote it: the row id as text in the associated data."""
    data_key = participant.data_key
    header = crypto.HEADER.pack(1, data_key.id.bytes, data_key.generation)
    nonce = bytes(range(crypto.NONCE_SIZE))
    aad = header + f"|participants.participant.{field_name}:{participant.pk}".encode()
    return header + nonce + data_key.cipher().encrypt(nonce, plaintext.encode(), aad)


def test_a_version_1_value_still_reads(participant):
    write_raw(Participant, participant.pk, "given_name", v1_value(participant, "given_name", "Åsa"))
    keycache.forget()
    assert fresh(participant).given_name == "Åsa"


def test_a_version_1_value_is_bound_like_a_version_2_value(enterprise, manager, participant):
    other = make_participant(organisation=enterprise, acting_user=manager)
    # On another row of its participant's key, in another column: neither reads.
    value = v1_value(participant, "given_name", "Åsa")
    write_raw(Participant, participant.pk, "family_name", value)
    write_raw(Participant, other.pk, "given_name", value)
    keycache.forget()
    with pytest.raises(DecryptionError, match="does not authenticate"):
        _ = fresh(participant).family_name
    with pytest.raises(DecryptionError):
        _ = fresh(other).given_name


def test_a_version_cannot_be_changed_in_a_stored_value(participant):
    version_2 = bytearray(raw_value(Participant, participant.pk, "given_name"))
    assert version_2[0] == crypto.VALUE_VERSION == 2
    version_2[0] = 1
    version_1 = bytearray(v1_value(participant, "family_name", "Svensson"))
    version_1[0] = 2
    write_raw(Participant, participant.pk, "given_name", bytes(version_2))
    write_raw(Participant, participant.pk, "family_name", bytes(version_1))
    keycache.forget()
    loaded = fresh(participant)
    for field_name in ("given_name", "family_name"):
        with pytest.raises(DecryptionError, match="does not authenticate"):
            getattr(loaded, field_name)


def test_a_version_1_value_is_rewritten_as_version_2_when_changed(participant):
    write_raw(Participant, participant.pk, "given_name", v1_value(participant, "given_name", "Åsa"))
    keycache.forget()
    loaded = fresh(participant)
    loaded.given_name = "Åsa Maria"
    loaded.save()
    assert raw_value(Participant, participant.pk, "given_name")[0] == 2
    assert fresh(participant).given_name == "Åsa Maria"


def test_a_damaged_value_loads_and_raises_only_when_read(enterprise, manager, participant):
    intact = make_participant(organisation=enterprise, acting_user=manager)
    damage(participant, "given_name")
    keycache.forget()
    rows = {row.pk: row for row in Participant.objects.select_related("data_key")}
    # Loading decrypted nothing, so nothing failed yet.
    assert isinstance(rows[participant.pk].__dict__["given_name"], Sealed)
    assert rows[intact.pk].given_name == intact.given_name
    assert rows[participant.pk].family_name == participant.family_name  # another column
    with pytest.raises(DecryptionError, match="does not authenticate"):
        _ = rows[participant.pk].given_name
    # Asking again raises again: a failed value is never kept as if it were plaintext.
    with pytest.raises(DecryptionError, match="does not authenticate"):
        _ = rows[participant.pk].given_name


def test_a_damaged_value_loaded_by_a_raw_query_raises_when_read(participant):
    damage(participant, "given_name")
    keycache.forget()
    table = connection.ops.quote_name(Participant._meta.db_table)
    (row,) = Participant.objects.raw(f"SELECT * FROM {table}")  # noqa: S611
    assert isinstance(row.__dict__["given_name"], Sealed)
    assert row.family_name == participant.family_name
    with pytest.raises(DecryptionError, match="does not authenticate"):
        _ = row.given_name


def test_values_of_a_damaged_row_are_sealed_ciphertext(participant):
    damage(participant, "given_name")
    value = Participant.objects.values_list("given_name", flat=True).get()
    assert isinstance(value, Sealed) and value.plaintext is None


def test_a_value_of_an_unknown_version_raises_when_read(participant):
    value = bytearray(raw_value(Participant, participant.pk, "given_name"))
    value[0] = crypto.VALUE_VERSION + 1
    write_raw(Participant, participant.pk, "given_name", bytes(value))
    loaded = fresh(participant)
    with pytest.raises(DecryptionError, match="unknown encrypted value version"):
        _ = loaded.given_name


def test_the_driver_value_is_sealed_from_bytes_or_a_memoryview(participant):
    field = Participant._meta.get_field("given_name")
    raw = raw_value(Participant, participant.pk, "given_name")
    for driver_value in (raw, memoryview(raw), bytearray(raw)):
        sealed = field.from_db_value(driver_value, None, connection)
        assert type(sealed) is Sealed and sealed == raw and sealed.plaintext is None
        loaded = fresh(participant)
        loaded.__dict__["given_name"] = sealed
        assert loaded.given_name == participant.given_name
    assert field.from_db_value(None, None, connection) is None


def test_a_deferred_value_of_a_deleted_row_raises_does_not_exist(participant):
    loaded = Participant.objects.only("id", "data_key").get(pk=participant.pk)
    Participant.objects.filter(pk=participant.pk).delete()
    with pytest.raises(Participant.DoesNotExist):
        _ = loaded.given_name


def test_the_data_key_is_found_when_its_id_is_text(participant):
    loaded = Participant.objects.select_related("data_key").get(pk=participant.pk)
    copy = loaded.data_key
    # The id as text next to the loaded DataKey (the foreign key's descriptor
    # would drop the cached DataKey on assignment; set it underneath): as
    # before, text is not taken to be the same id, the key is looked up by it.
    loaded.__dict__["data_key_id"] = str(copy.id)
    assert data_key_of(loaded).pk == copy.pk
    assert loaded.given_name == participant.given_name
    # Assigned through the descriptor: the DataKey is looked up by that text.
    keycache.forget()
    loaded = fresh(participant)
    loaded.data_key_id = str(loaded.data_key_id)
    assert loaded.given_name == participant.given_name


def test_forgetting_one_data_key_drops_its_shared_cipher(participant):
    keycache.forget()
    loaded = Participant.objects.select_related("data_key").get(pk=participant.pk)
    assert loaded.given_name == participant.given_name
    assert len(keycache._unwrapped()) == 1
    keycache.forget(participant.data_key_id)
    assert len(keycache._unwrapped()) == 0


def test_the_kek_cipher_is_made_once_per_key_ring(settings):
    ring = get_keyring()
    assert ring.kek_cipher(ring.primary_id) is ring.kek_cipher(ring.primary_id)
    settings.FIELD_ENCRYPTION_KEYS = new_key_entry(ring.primary_id)  # same id, another key
    other = get_keyring()
    assert other is not ring
    assert other.kek_cipher(ring.primary_id) is not ring.kek_cipher(ring.primary_id)


def test_verify_encryption_counts_values_in_an_older_format(participant, capsys):
    assert verify_all().older_format == 0
    write_raw(Participant, participant.pk, "given_name", v1_value(participant, "given_name", "Åsa"))
    report = verify_all()
    assert report.older_format == 1 and report.failures == []
    call_command("verify_encryption")
    assert "1 values in an older value format" in capsys.readouterr().out
