"""The hash chain over access events: sealing and verification.

Canonical form of an event (fixed field order, JSON without spaces, UUIDs as
32 lowercase hex digits, timestamps as ISO 8601 in UTC with microseconds)::

    <id>|["2026-01-05T08:00:00.000000+00:00","<user>","manager",…]\\n

A seal covers the events from just after the previous seal up to its
``last_event_id``, in id order::

    hash = SHA-256("stegvis-audit-seal-v1\\n" + previous_hash + "\\n"
                   + "<first>:<last>:<count>\\n" + canonical(event) for each event)

The first seal chains from ``GENESIS``; after a retention purge, the next seal
chains from the last purged seal's hash, recorded in the purge's
``AuditMaintenance`` row (the *anchor*).

**Out-of-order commits.** Auto-increment ids are handed out before commit, so
under concurrency an event with a lower id may become visible after a higher
one. The sealer therefore (1) seals only events older than
``AUDIT_SEAL_LAG_SECONDS`` (default 5 s: ``record_access`` writes in
autocommit, so an event is visible within milliseconds of its id), and (2)
stops at a gap in the ids until the events after the gap are older than
``AUDIT_SEAL_GAP_GRACE_SECONDS`` (default 60 s); a gap older than that is an
id consumed by a rolled-back transaction and is sealed over. An event written
inside a transaction that stays open longer than the grace would, if it ever
committed, show up in ``verify_audit`` as an unsealed event inside a sealed
range, so access events are never written inside long transactions.

**Concurrent sealers.** ``Seal.previous_hash`` and ``Seal.first_event_id`` are
unique: two sealers that start from the same tip compute the same link; the
second INSERT fails and that sealer re-reads the tip and carries on. No lock is
held while requests write events.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Max
from django.utils import timezone

from .models import AccessEvent, AuditMaintenance, Seal

GENESIS = "0" * 64
SEAL_VERSION = b"stegvis-audit-seal-v1\n"
#: The fields of an event in chain order, after the id.
FIELDS = (
    "occurred_at",
    "user_id",
    "role",
    "organisation_id",
    "participant_id",
    "section",
    "object_type",
    "object_id",
    "action",
    "ip_address",
    "request_id",
    "result_count",
)
_MODULUS = 1 << 256


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# --- canonical form ---------------------------------------------------------------


def canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _driver_time(value) -> str:
    if isinstance(value, str):  # SQLite without Django's converter
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite: naive, stored in UTC
        return value.isoformat(timespec="microseconds") + "+00:00"
    return canonical_time(value)


def _normaliser(vendor: str):
    """Row → canonical tuple, straight from the driver (no ORM conversion:
    sealing and verifying a million events is dominated by per-value work)."""
    if vendor == "sqlite":
        # UUIDs are stored as 32 hex digits already; text stays text.

        def normalise(row):
            return (row[0], _driver_time(row[1]), *row[2:])

        return normalise

    def normalise(row):
        return (
            row[0],
            _driver_time(row[1]),
            *(
                value.hex
                if isinstance(value, uuid.UUID)
                else value
                if value is None or isinstance(value, str | int)
                else str(value)
                for value in row[2:]
            ),
        )

    return normalise


def canonical_body(row: tuple) -> bytes:
    """The event without its id (``row`` is the canonical ``(id, *FIELDS)``)."""
    return json.dumps(row[1:], ensure_ascii=False, separators=(",", ":")).encode()


def event_rows(*, after_id: int, up_to_id: int | None = None, limit: int | None = None):
    """Events with ``after_id < id <= up_to_id`` in id order, as canonical tuples
    (UUIDs as hex, timestamps as ISO 8601 UTC strings)."""
    columns = ", ".join(AccessEvent._meta.get_field(name).column for name in ("id", *FIELDS))
    sql = f"SELECT {columns} FROM audit_accessevent WHERE id > %s"  # noqa: S608 - fixed names
    params: list = [after_id]
    if up_to_id is not None:
        sql += " AND id <= %s"
        params.append(up_to_id)
    sql += " ORDER BY id"
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    connection = connections[router.db_for_read(AccessEvent)]
    normalise = _normaliser(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [normalise(row) for row in cursor.fetchall()]


@dataclass
class Digest:
    """The chain hash and the order-independent content digest of a batch."""

    hash: str
    content_digest: str


def digest(previous_hash: str, rows: list[tuple]) -> Digest:
    first, last = (rows[0][0], rows[-1][0]) if rows else (0, 0)
    chain = hashlib.sha256(SEAL_VERSION)
    chain.update(f"{previous_hash}\n{first}:{last}:{len(rows)}\n".encode())
    content = 0
    for row in rows:
        body = canonical_body(row)
        chain.update(b"%d|%s\n" % (row[0], body))
        content = (content + int.from_bytes(hashlib.sha256(body).digest(), "big")) % _MODULUS
    return Digest(hash=chain.hexdigest(), content_digest=f"{content:064x}")


def compress_ids(ids: list[int]) -> str:
    """``[1, 2, 3, 5]`` → ``"1-3,5"``."""
    ranges: list[str] = []
    start = previous = None
    for event_id in ids:
        if start is None:
            start = previous = event_id
        elif event_id == previous + 1:
            previous = event_id
        else:
            ranges.append(f"{start}-{previous}" if previous != start else f"{start}")
            start = previous = event_id
    if start is not None:
        ranges.append(f"{start}-{previous}" if previous != start else f"{start}")
    return ",".join(ranges)


def expand_ids(ranges: str) -> list[int]:
    ids: list[int] = []
    for part in filter(None, ranges.split(",")):
        low, _sep, high = part.partition("-")
        ids.extend(range(int(low), int(high or low) + 1))
    return ids


# --- the anchor ---------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """Where the chain starts: genesis, or the last seal removed by a purge."""

    hash: str = GENESIS
    last_event_id: int = 0
    maintenance_id: int | None = None


def current_anchor() -> Anchor:
    purge = (
        AuditMaintenance.objects.filter(
            kind=AuditMaintenance.Kind.PURGE, parameters__has_key="anchor_hash"
        )
        .order_by("-id")
        .first()
    )
    if purge is None:
        return Anchor()
    return Anchor(
        hash=purge.parameters["anchor_hash"],
        last_event_id=int(purge.parameters["anchor_last_event_id"]),
        maintenance_id=purge.id,
    )


def chain_tip() -> tuple[str, int, bool]:
    """(hash to chain from, last sealed event id, whether anything was sealed before)."""
    last = Seal.objects.order_by("-last_event_id").values_list("hash", "last_event_id").first()
    if last is not None:
        return last[0], last[1], True
    anchor = current_anchor()
    return anchor.hash, anchor.last_event_id, anchor.maintenance_id is not None


# --- sealing ------------------------------------------------------------------------


@dataclass
class SealRun:
    seals: int = 0
    events: int = 0
    retries: int = 0
    #: Why the run stopped before the newest event, if it did.
    held_back: str = ""

    def as_dict(self) -> dict:
        return {
            "seals": self.seals,
            "events": self.events,
            "retries": self.retries,
            "held_back": self.held_back,
        }


def _sealable(rows, *, after_id: int, contiguous_from_start: bool, now: datetime):
    """The leading rows that are safe to seal now, and why the rest wait."""
    lag = timedelta(seconds=_setting("AUDIT_SEAL_LAG_SECONDS", 5))
    grace = timedelta(seconds=_setting("AUDIT_SEAL_GAP_GRACE_SECONDS", 60))
    expected = after_id + 1 if contiguous_from_start else None
    # Canonical timestamps are fixed-width UTC strings: they compare as times.
    lag_limit, grace_limit = canonical_time(now - lag), canonical_time(now - grace)
    for index, row in enumerate(rows):
        occurred_at = row[1]
        if occurred_at > lag_limit:
            return rows[:index], f"event {row[0]} is younger than the safety lag"
        if expected is not None and row[0] != expected and occurred_at > grace_limit:
            return rows[:index], f"ids {expected}–{row[0] - 1} not committed yet (gap)"
        expected = row[0] + 1
    return rows, ""


def seal_pending(*, batch_size: int | None = None, now: datetime | None = None) -> SealRun:
    """Seal every event that is safe to seal, in batches; safe to run concurrently."""
    batch_size = batch_size or _setting("AUDIT_SEAL_BATCH_SIZE", 5000)
    run = SealRun()
    snapshot_max = AccessEvent.objects.aggregate(top=Max("id"))["top"]
    if snapshot_max is None:
        return run
    while True:
        previous_hash, after_id, chained = chain_tip()
        if after_id >= snapshot_max:
            return run
        rows = event_rows(after_id=after_id, up_to_id=snapshot_max, limit=batch_size)
        if not rows:
            return run
        rows, run.held_back = _sealable(
            rows, after_id=after_id, contiguous_from_start=chained, now=now or timezone.now()
        )
        if not rows:
            return run
        result = digest(previous_hash, rows)
        try:
            with transaction.atomic():
                Seal.objects.create(
                    first_event_id=rows[0][0],
                    last_event_id=rows[-1][0],
                    event_count=len(rows),
                    event_ranges=compress_ids([row[0] for row in rows]),
                    content_digest=result.content_digest,
                    previous_hash=previous_hash,
                    hash=result.hash,
                    sealed_at=timezone.now(),
                )
        except IntegrityError:
            # Another sealer appended this link first: start again from the new tip.
            run.retries += 1
            if run.retries > 100:
                raise
            continue
        run.seals += 1
        run.events += len(rows)
        if run.held_back:
            return run


# --- verification -------------------------------------------------------------------


@dataclass
class Problem:
    seal_id: int | None
    kind: str
    detail: str

    def __str__(self) -> str:
        where = f"seal {self.seal_id}" if self.seal_id is not None else "chain"
        return f"{where}: {self.kind}: {self.detail}"


@dataclass
class Verification:
    seals: int = 0
    events: int = 0
    unsealed: int = 0
    head: str = GENESIS
    anchor: Anchor = field(default_factory=Anchor)
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _check_seal(seal: dict, rows: list[tuple], previous_hash: str) -> Problem | None:
    seal_id = seal["id"]
    actual = [row[0] for row in rows]
    expected = expand_ids(seal["event_ranges"])
    actual_set, expected_set = set(actual), set(expected)
    forged = sorted(actual_set - expected_set)
    if forged:
        return Problem(
            seal_id,
            "forged",
            f"event {forged[0]} lies inside the sealed range "
            f"{seal['first_event_id']}–{seal['last_event_id']} but was never sealed "
            "(inserted afterwards)",
        )
    missing = sorted(expected_set - actual_set)
    if missing:
        return Problem(seal_id, "missing", f"event {missing[0]} was sealed but is gone (deleted)")
    if len(expected) != seal["event_count"] or not expected:
        return Problem(seal_id, "seal altered", "the seal's event count does not match its ids")
    result = digest(previous_hash, rows)
    if result.hash == seal["hash"]:
        return None
    if result.content_digest == seal["content_digest"]:
        return Problem(
            seal_id,
            "reordered",
            f"the events {seal['first_event_id']}–{seal['last_event_id']} are all present "
            "but not in their sealed order (or the seal's hash was altered)",
        )
    return Problem(
        seal_id,
        "changed",
        f"an event in {seal['first_event_id']}–{seal['last_event_id']} was changed",
    )


def verify_chain(*, expected_head: str | None = None) -> Verification:
    """Recompute the chain from its anchor; stop at the first broken link."""
    anchor = current_anchor()
    report = Verification(anchor=anchor, head=anchor.hash)
    previous_hash, previous_last = anchor.hash, anchor.last_event_id
    earlier = AccessEvent.objects.filter(id__lte=previous_last).order_by("id").first()
    if earlier is not None:
        report.problem = Problem(
            None, "forged", f"event {earlier.id} lies in the purged range (≤ {previous_last})"
        )
        return report
    seals = Seal.objects.order_by("first_event_id").values(
        "id",
        "first_event_id",
        "last_event_id",
        "event_count",
        "event_ranges",
        "content_digest",
        "previous_hash",
        "hash",
    )
    previous_seal_id = None
    head_seen = expected_head == anchor.hash
    for seal in seals.iterator(chunk_size=500):
        if seal["previous_hash"] != previous_hash:
            after = f"seal {previous_seal_id}" if previous_seal_id else "the chain's anchor"
            report.problem = Problem(
                seal["id"],
                "broken link",
                f"its previous hash does not match {after} "
                "(a seal was changed, removed or inserted)",
            )
            return report
        if seal["first_event_id"] <= previous_last:
            report.problem = Problem(seal["id"], "overlap", "its range overlaps the previous seal")
            return report
        rows = event_rows(after_id=previous_last, up_to_id=seal["last_event_id"])
        problem = _check_seal(seal, rows, previous_hash)
        if problem is not None:
            report.problem = problem
            return report
        report.seals += 1
        report.events += len(rows)
        previous_hash, previous_last, previous_seal_id = (
            seal["hash"],
            seal["last_event_id"],
            seal["id"],
        )
        head_seen = head_seen or previous_hash == expected_head
    report.head = previous_hash
    report.unsealed = AccessEvent.objects.filter(id__gt=previous_last).count()
    if expected_head is not None and not head_seen:
        # A head exported earlier must still be a link of the chain.
        report.problem = Problem(
            previous_seal_id,
            "head mismatch",
            "the head kept outside the database is not in the chain "
            "(seals were removed or rewritten at the end of the chain)",
        )
    return report
