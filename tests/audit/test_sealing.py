"""Sealing and verification of the hash chain, including tampering."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from audit import sealing
from audit.models import AccessEvent, Seal
from audit.sealing import GENESIS, compress_ids, expand_ids, seal_pending, verify_chain

from .conftest import make_events, raw, triggers_off

pytestmark = pytest.mark.django_db


def test_ids_compress_and_expand():
    assert compress_ids([1, 2, 3, 5, 7, 8]) == "1-3,5,7-8"
    assert expand_ids("1-3,5,7-8") == [1, 2, 3, 5, 7, 8]
    assert compress_ids([]) == ""


def test_sealing_chains_batches_in_order(settings):
    events = make_events(25)
    run = seal_pending(batch_size=10)
    assert (run.seals, run.events) == (3, 25)
    seals = list(Seal.objects.order_by("first_event_id"))
    assert seals[0].previous_hash == GENESIS
    assert [s.previous_hash for s in seals[1:]] == [s.hash for s in seals[:-1]]
    assert seals[0].first_event_id == events[0].id
    assert seals[-1].last_event_id == events[-1].id
    assert sum(s.event_count for s in seals) == 25
    report = verify_chain()
    assert report.ok, report.problem
    assert (report.seals, report.events, report.unsealed) == (3, 25, 0)
    assert report.head == seals[-1].hash
    # Nothing new: a second run seals nothing.
    assert seal_pending().events == 0


def test_hash_is_deterministic_over_the_canonical_form():
    make_events(3)
    seal_pending()
    seal = Seal.objects.get()
    rows = sealing.event_rows(after_id=seal.first_event_id - 1, up_to_id=seal.last_event_id)
    assert sealing.digest(GENESIS, rows).hash == seal.hash
    body = sealing.canonical_body(rows[0]).decode()
    assert body.startswith('["') and "+00:00" in body and " " not in body.split('"')[1]


def test_young_events_wait_for_the_safety_lag():
    make_events(2)
    make_events(1, age=timedelta(seconds=1))
    run = seal_pending()
    assert run.events == 2
    assert "safety lag" in run.held_back
    # Once older than the lag, it is sealed onto the same chain.
    run = seal_pending(now=timezone.now() + timedelta(seconds=10))
    assert run.events == 1
    assert verify_chain().ok


def test_a_young_gap_holds_sealing_back_until_the_grace_passes():
    first = make_events(2)
    # Event id+1 is "not committed yet": the next visible id skips it.
    gap_id = first[-1].id + 1
    raw(
        "INSERT INTO audit_accessevent (id, occurred_at, role, section, object_type, object_id,"
        " action, request_id) VALUES (%s, %s, '', '', '', '', 'view', '')",
        [gap_id + 1, timezone.now() - timedelta(seconds=30)],
    )
    run = seal_pending()
    assert run.events == 2
    assert "gap" in run.held_back
    run = seal_pending(now=timezone.now() + timedelta(minutes=5))
    assert run.events == 1  # the gap is now a rolled-back id, sealed over
    assert Seal.objects.order_by("-id").first().event_ranges == str(gap_id + 1)
    assert verify_chain().ok


def test_a_racing_sealer_retries_instead_of_forking(monkeypatch):
    make_events(4)
    seal_pending(batch_size=2)  # seals the first two
    stale = Seal.objects.order_by("first_event_id").first()
    real_tip = sealing.chain_tip
    calls = []

    def stale_then_real():
        calls.append(1)
        if len(calls) == 1:
            # As if this sealer read the tip before the other one appended.
            return stale.previous_hash, stale.first_event_id - 1, False
        return real_tip()

    monkeypatch.setattr(sealing, "chain_tip", stale_then_real)
    run = seal_pending(batch_size=2)
    assert run.retries == 1
    assert Seal.objects.count() == 2
    assert verify_chain().ok


def sealed(count=6, batch_size=3):
    events = make_events(count)
    seal_pending(batch_size=batch_size)
    return events, list(Seal.objects.order_by("first_event_id"))


def broken(capsys=None) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", stdout=StringIO())
    return str(failure.value)


def test_verify_command_reports_ok_and_exports_the_head():
    _events, seals = sealed()
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "audit chain OK: 2 seals, 6 events" in out.getvalue()
    out = StringIO()
    call_command("verify_audit", "--export-head", stdout=out)
    assert out.getvalue().strip() == seals[-1].hash
    # A head kept earlier must stay in the chain as it grows.
    make_events(2)
    seal_pending()
    call_command("verify_audit", "--head", seals[-1].hash, stdout=StringIO())


def test_tamper_edit_one_event_is_named():
    events, seals = sealed()
    with triggers_off():
        raw("UPDATE audit_accessevent SET action = 'export' WHERE id = %s", [events[4].id])
    message = broken()
    assert f"seal {seals[1].id}: changed" in message
    assert f"{events[3].id}–{events[5].id}" in message


def test_tamper_delete_one_event_is_named():
    events, seals = sealed()
    with triggers_off():
        raw("DELETE FROM audit_accessevent WHERE id = %s", [events[1].id])
    message = broken()
    assert f"seal {seals[0].id}: missing: event {events[1].id}" in message


def test_tamper_reorder_two_events_is_named():
    events, seals = sealed()
    first, second = events[3].id, events[4].id
    with triggers_off():
        raw("UPDATE audit_accessevent SET id = %s WHERE id = %s", [-1, first])
        raw("UPDATE audit_accessevent SET id = %s WHERE id = %s", [first, second])
        raw("UPDATE audit_accessevent SET id = %s WHERE id = %s", [second, -1])
    message = broken()
    assert f"seal {seals[1].id}: reordered" in message


def test_tamper_forged_event_inside_a_sealed_range_is_named():
    events = make_events(3)
    hole = events[-1].id + 1
    raw(
        "INSERT INTO audit_accessevent (id, occurred_at, role, section, object_type, object_id,"
        " action, request_id) VALUES (%s, %s, '', '', '', '', 'view', '')",
        [hole + 1, timezone.now() - timedelta(hours=1)],
    )
    seal_pending()  # seals over the (old) gap
    seal = Seal.objects.get()
    raw(
        "INSERT INTO audit_accessevent (id, occurred_at, role, section, object_type, object_id,"
        " action, request_id) VALUES (%s, %s, 'manager', '', '', '', 'view', '')",
        [hole, timezone.now() - timedelta(hours=1)],
    )
    message = broken()
    assert f"seal {seal.id}: forged: event {hole}" in message


def test_tamper_forged_event_before_the_chain_is_named():
    events, _seals = sealed()
    raw(
        "INSERT INTO audit_accessevent (id, occurred_at, role, section, object_type, object_id,"
        " action, request_id) VALUES (%s, %s, '', '', '', '', 'view', '')",
        [events[0].id - 1, timezone.now() - timedelta(hours=1)],
    )
    message = broken()
    assert f"forged: event {events[0].id - 1}" in message


def test_tamper_rewritten_seal_breaks_the_next_link():
    _events, seals = sealed(9)
    with triggers_off():
        raw("UPDATE audit_seal SET hash = %s WHERE id = %s", ["f" * 64, seals[0].id])
    message = broken()
    # The rewritten seal no longer matches its events, the first place it shows.
    assert f"seal {seals[0].id}" in message


def test_removed_last_seal_is_caught_by_the_kept_head():
    _events, seals = sealed()
    head = seals[-1].hash
    with triggers_off():
        raw("DELETE FROM audit_seal WHERE id = %s", [seals[-1].id])
    call_command("verify_audit", stdout=StringIO())  # the chain itself is consistent…
    with pytest.raises(CommandError, match="head mismatch"):
        call_command("verify_audit", "--head", head, stdout=StringIO())  # …but not the head


def test_seal_command_and_task():
    from audit.tasks import seal_audit_task

    make_events(3)
    out = StringIO()
    call_command("seal_audit", stdout=out)
    assert "sealed 3 events in 1 seals" in out.getvalue()
    make_events(2)
    result = seal_audit_task.enqueue()  # the immediate backend in tests
    assert result.return_value["events"] == 2
    assert AccessEvent.objects.count() == 5
