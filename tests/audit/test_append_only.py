"""The audit tables refuse UPDATE and DELETE at the database level; the
retention purge is the one way to delete, and it keeps the chain verifiable."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import triggers
from audit.models import AccessEvent, AuditMaintenance, Seal
from audit.purge import audit_purge
from audit.sealing import seal_pending, verify_chain

from .conftest import make_events, raw, triggers_off

pytestmark = pytest.mark.django_db

REFUSED = r"append-only"


def a_row_in_every_table():
    make_events(2)
    seal_pending()
    AuditMaintenance.objects.create(
        kind=AuditMaintenance.Kind.HEAD_EXPORT,
        performed_at=timezone.now(),
        performed_by="test",
        parameters={},
    )


@pytest.mark.parametrize("table", triggers.TABLES)
def test_update_is_refused_by_the_database(table):
    a_row_in_every_table()
    column = {"audit_accessevent": "role", "audit_seal": "hash"}.get(table, "performed_by")
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        raw(f"UPDATE {table} SET {column} = 'x'")


@pytest.mark.parametrize("table", triggers.TABLES)
def test_delete_is_refused_by_the_database(table):
    a_row_in_every_table()
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        raw(f"DELETE FROM {table}")


def test_orm_writes_are_refused_too():
    a_row_in_every_table()
    event = AccessEvent.objects.first()
    event.role = "admin"
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        event.save()
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        AccessEvent.objects.all().delete()
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        Seal.objects.update(hash="0")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused_on_postgresql():
    a_row_in_every_table()
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        raw("TRUNCATE audit_accessevent")


def test_the_purge_flag_ends_with_its_transaction():
    a_row_in_every_table()
    with transaction.atomic():
        triggers.raise_purge_flag(connection)
        raw("DELETE FROM audit_auditmaintenance")
        triggers.lower_purge_flag(connection)
        with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
            raw("DELETE FROM audit_seal")


def test_purge_deletes_only_old_sealed_events_and_reanchors_the_chain():
    now = timezone.now()
    old = make_events(4, age=timedelta(days=6 * 366))
    seal_pending(batch_size=2)
    recent = make_events(3, age=timedelta(days=30))
    seal_pending(batch_size=2)
    young = make_events(1, age=timedelta(seconds=0))  # unsealed, never purged
    seals = list(Seal.objects.order_by("first_event_id"))
    out = StringIO()
    call_command("purge_audit", "--operator", "ops-1", stdout=out)
    assert "purged 4 events and 2 seals" in out.getvalue()
    remaining = set(AccessEvent.objects.values_list("id", flat=True))
    assert remaining == {event.id for event in recent + young}
    assert not remaining & {event.id for event in old}
    maintenance = AuditMaintenance.objects.get(kind=AuditMaintenance.Kind.PURGE)
    assert maintenance.performed_by == "ops-1"
    assert maintenance.performed_at >= now
    assert maintenance.parameters["anchor_hash"] == seals[1].hash
    assert maintenance.parameters["anchor_last_event_id"] == old[-1].id
    assert maintenance.parameters["older_than_years"] == 5
    first_remaining = Seal.objects.order_by("first_event_id").first()
    assert first_remaining.previous_hash == maintenance.parameters["anchor_hash"]
    report = verify_chain()
    assert report.ok, report.problem
    assert report.anchor.hash == seals[1].hash
    # Sealing continues from the tip; a purge with nothing to delete still leaves a record.
    seal_pending(now=timezone.now() + timedelta(minutes=1))
    assert verify_chain().ok
    call_command("purge_audit", stdout=StringIO())
    assert AuditMaintenance.objects.filter(kind=AuditMaintenance.Kind.PURGE).count() == 2


def test_purge_of_every_seal_leaves_the_anchor_for_the_next_one():
    make_events(3, age=timedelta(days=6 * 366))
    seal_pending()
    last = Seal.objects.get()
    audit_purge(older_than_years=5, performed_by="ops")
    assert not Seal.objects.exists()
    make_events(2)
    seal_pending()
    assert Seal.objects.get().previous_hash == last.hash
    assert verify_chain().ok


def test_purge_refuses_over_a_broken_chain():
    events = make_events(3, age=timedelta(days=6 * 366))
    seal_pending()
    with triggers_off():
        raw("UPDATE audit_accessevent SET role = 'admin' WHERE id = %s", [events[0].id])
    with pytest.raises(CommandError, match="does not verify"):
        call_command("purge_audit", stdout=StringIO())
    assert AccessEvent.objects.count() == 3
    assert not AuditMaintenance.objects.exists()


def test_a_purged_event_cannot_be_reinserted_unnoticed():
    events = make_events(3, age=timedelta(days=6 * 366))
    seal_pending()
    audit_purge(older_than_years=5, performed_by="ops")
    raw(
        "INSERT INTO audit_accessevent (id, occurred_at, role, section, object_type, object_id,"
        " action, request_id) VALUES (%s, %s, '', '', '', '', 'view', '')",
        [events[1].id, timezone.now() - timedelta(days=2000)],
    )
    assert "purged range" in str(verify_chain().problem)


@pytest.mark.django_db(transaction=True)
def test_flush_outside_production_empties_the_audit_tables():
    # Transactional tests end with a flush; it must get past the triggers.
    a_row_in_every_table()
    call_command("flush", interactive=False, verbosity=0)
    assert not AccessEvent.objects.exists()
    assert not Seal.objects.exists()
    with pytest.raises(DatabaseError, match=REFUSED):  # and the triggers are back on
        make_events(1)
        raw("DELETE FROM audit_accessevent")


def test_flush_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused in production"):
        call_command("flush", interactive=False, verbosity=0)
