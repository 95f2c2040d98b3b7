"""Encrypted fields: round trip, binding, fail-closed behaviour, laziness."""

import pickle

import pytest
from django.apps import apps
from django.db import connection

from casework.models import ProgressNote
from encryption import crypto, keycache
from encryption.exceptions import DecryptionError, KeyRingError, PlaintextLeak
from encryption.fields import REGISTRY, Sealed, origin_model
from encryption.keyring import new_key_entry
from encryption.models import DataKey
from participants.models import Participant
from tests.factories import make_participant

pytestmark = pytest.mark.django_db


def fresh(instance):
    """The row as a new request would load it: nothing cached."""
    keycache.forget()
    return type(instance)._base_manager.get(pk=instance.pk)


def raw_value(model, pk, field_name):
    column = model._meta.get_field(field_name).column
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s",
            [model._meta.pk.get_db_prep_value(pk, connection)],
        )
        return bytes(cursor.fetchone()[0])


def write_raw(model, pk, field_name, value: bytes):
    column = model._meta.get_field(field_name).column
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",
            [value, model._meta.pk.get_db_prep_value(pk, connection)],
        )


def test_round_trip_of_every_encrypted_field(full_record):
    live_fields = {
        (model._meta.label, field.name)
        for model, fields in REGISTRY.items()
        if origin_model(model) is model
        for field in fields
    }
    # A new encrypted field without a round-trip case fails here.
    assert live_fields == set(full_record.values)
    for row in full_record.rows + full_record.own_key_rows:
        loaded = fresh(row)
        for (label, name), expected in full_record.values.items():
            if label == type(row)._meta.label:
                assert getattr(loaded, name) == expected, (label, name)
                assert isinstance(loaded.__dict__[name], Sealed)


def test_history_rows_are_encrypted_and_decrypt_like_live_rows(full_record):
    for row in full_record.rows:
        keycache.forget()
        history = list(type(row).history.filter(id=row.pk))
        assert history, type(row)
        for (label, name), expected in full_record.values.items():
            if label == type(row)._meta.label:
                assert all(isinstance(h.__dict__[name], Sealed | None) for h in history)
                assert expected in {getattr(h, name) for h in history}, (label, name)


def test_tampering_one_byte_raises(participant):
    value = bytearray(raw_value(Participant, participant.pk, "given_name"))
    for position in (0, 5, crypto.HEADER_SIZE + 2, len(value) - 1):
        damaged = bytearray(value)
        damaged[position] ^= 0x01
        write_raw(Participant, participant.pk, "given_name", bytes(damaged))
        with pytest.raises(DecryptionError):
            _ = fresh(participant).given_name


def test_truncated_value_raises(participant):
    write_raw(Participant, participant.pk, "family_name", b"\x01short")
    with pytest.raises(DecryptionError, match="truncated"):
        _ = fresh(participant).family_name


def test_value_copied_to_another_row_raises(enterprise, manager):
    first = make_participant(organisation=enterprise, acting_user=manager)
    second = make_participant(organisation=enterprise, acting_user=manager)
    write_raw(Participant, second.pk, "given_name", raw_value(Participant, first.pk, "given_name"))
    with pytest.raises(DecryptionError, match="another data key"):
        _ = fresh(second).given_name


def test_value_copied_to_another_row_of_the_same_participant_raises(full_record, manager):
    from casework.services import progress_note_add

    other = progress_note_add(
        placement=full_record.placement,
        text="En annan anteckning",
        kind="observation",
        acting_user=manager,  # the placement has ended: the supervisor no longer writes
        on=full_record.placement.start_date,
    )
    note = ProgressNote.objects.exclude(pk=other.pk).get()
    write_raw(ProgressNote, other.pk, "text", raw_value(ProgressNote, note.pk, "text"))
    with pytest.raises(DecryptionError, match="does not authenticate"):
        _ = fresh(other).text


def test_value_copied_to_another_column_raises(participant):
    write_raw(
        Participant,
        participant.pk,
        "family_name",
        raw_value(Participant, participant.pk, "given_name"),
    )
    with pytest.raises(DecryptionError, match="family_name"):
        _ = fresh(participant).family_name


def test_data_key_swapped_between_participants_raises(enterprise, manager):
    first = make_participant(organisation=enterprise, acting_user=manager)
    second = make_participant(organisation=enterprise, acting_user=manager)
    spare = DataKey.new()
    spare.save()
    # Three steps, because each data key belongs to one participant only.
    Participant.objects.filter(pk=first.pk).update(data_key_id=spare.pk)
    Participant.objects.filter(pk=second.pk).update(data_key_id=first.data_key_id)
    Participant.objects.filter(pk=first.pk).update(data_key_id=second.data_key_id)
    with pytest.raises(DecryptionError, match="another data key"):
        _ = fresh(second).given_name


def test_wrong_key_raises(participant, settings):
    settings.FIELD_ENCRYPTION_KEYS = new_key_entry("test-1")
    with pytest.raises(DecryptionError, match="does not unwrap"):
        _ = fresh(participant).given_name


def test_missing_key_raises(participant, settings):
    settings.FIELD_ENCRYPTION_KEYS = new_key_entry("another")
    with pytest.raises(KeyRingError, match="test-1"):
        _ = fresh(participant).given_name


def test_changing_secret_key_changes_nothing_readable(participant, settings):
    expected = (participant.given_name, participant.personal_identity_number)
    settings.SECRET_KEY = "a-completely-different-secret-key-" + "y" * 40
    loaded = fresh(participant)
    assert (loaded.given_name, loaded.personal_identity_number) == expected
    from participants.identity import identity_index, normalise_identity_number

    assert loaded.personal_identity_index == identity_index(normalise_identity_number(expected[1]))


def test_plaintext_filter_raises(participant):
    with pytest.raises(PlaintextLeak):
        list(Participant.objects.filter(given_name=participant.given_name))
    with pytest.raises(PlaintextLeak):
        list(Participant.objects.filter(family_name__icontains="a"))


def test_values_give_sealed_ciphertext_that_cannot_be_shown(participant):
    value = Participant.objects.values_list("given_name", flat=True).get()
    assert isinstance(value, Sealed)
    assert participant.given_name.encode() not in value
    with pytest.raises(PlaintextLeak):
        str(value)
    with pytest.raises(PlaintextLeak):
        f"{value}"
    with pytest.raises(PlaintextLeak):
        value.decode()
    from django.template import Context, Template

    with pytest.raises(PlaintextLeak):
        Template("{{ name }}").render(Context({"name": value}))
    assert "bytes" in repr(value)


def test_sealed_value_assigned_from_another_row_is_not_saved(enterprise, manager):
    first = fresh(make_participant(organisation=enterprise, acting_user=manager))
    second = fresh(make_participant(organisation=enterprise, acting_user=manager))
    second.__dict__["given_name"] = first.__dict__["given_name"]  # unread ciphertext
    with pytest.raises(DecryptionError):
        second.save()
    with pytest.raises(DecryptionError):
        _ = second.given_name


def test_decrypted_value_assigned_from_another_row_is_re_encrypted(enterprise, manager):
    first = fresh(make_participant(organisation=enterprise, acting_user=manager))
    second = fresh(make_participant(organisation=enterprise, acting_user=manager))
    name = first.given_name
    Participant.given_name.__set__(second, first.__dict__["given_name"])  # a decrypted Sealed
    second.save()
    assert fresh(second).given_name == name


def test_unchanged_values_are_written_back_as_they_are(participant):
    before = raw_value(Participant, participant.pk, "family_name")
    loaded = fresh(participant)
    loaded.municipality = "Mora"
    loaded.save()
    assert raw_value(Participant, participant.pk, "family_name") == before
    assert fresh(participant).municipality == "Mora"


def test_never_encrypted_twice(participant):
    loaded = fresh(participant)
    name = loaded.given_name
    loaded.save()
    loaded.save()
    assert fresh(participant).given_name == name


def test_deferred_and_only_fields_decrypt_on_access(participant):
    keycache.forget()
    loaded = Participant.objects.only("id", "data_key").get(pk=participant.pk)
    assert "given_name" not in loaded.__dict__
    assert loaded.given_name == participant.given_name
    deferred = Participant.objects.defer("support_needs").get(pk=participant.pk)
    assert deferred.support_needs == participant.support_needs


def test_refresh_from_db_reads_the_stored_value(participant):
    loaded = fresh(participant)
    Participant.objects.filter(pk=participant.pk)  # nothing changed in between
    loaded.given_name = "Ändrat men inte sparat"
    loaded.refresh_from_db()
    assert loaded.given_name == participant.given_name


def test_pickle_holds_no_plaintext(participant):
    loaded = fresh(participant)
    assert loaded.given_name
    data = pickle.dumps(loaded)
    assert participant.given_name.encode() not in data
    assert pickle.loads(data).given_name == participant.given_name  # noqa: S301


def test_a_page_of_participants_decrypts_only_what_is_read(enterprise, manager, monkeypatch):
    for _ in range(50):
        make_participant(organisation=enterprise, acting_user=manager)
    calls = []
    real = crypto.decrypt_value
    monkeypatch.setattr(
        crypto, "decrypt_value", lambda *args, **kw: calls.append(1) or real(*args, **kw)
    )
    keycache.forget()
    page = list(Participant.objects.select_related("data_key").order_by("id")[:50])
    assert [participant.status for participant in page]
    assert calls == []
    names = [participant.given_name for participant in page]
    assert len(calls) == 50 and all(names)
    [participant.given_name for participant in page]
    assert len(calls) == 50  # decrypted once, then remembered


def test_every_registered_model_has_a_data_key_and_uuid_row_id():
    for model in REGISTRY:
        assert apps.get_model(model._meta.label) is model
        assert model._meta.get_field("data_key")
        assert origin_model(model)._meta.pk.get_internal_type() == "UUIDField"
