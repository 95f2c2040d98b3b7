"""Retention purge: the only code path that deletes audit rows.

Only whole seals are purged, and only when every event in them is older than
the cut-off; unsealed events are never purged. The chain stays verifiable: the
hash of the last purged seal becomes the *anchor* that the first remaining
seal's ``previous_hash`` must equal, recorded in the purge's
``AuditMaintenance`` row (``anchor_hash``, ``anchor_last_event_id``).
The purge refuses to run over a chain that does not verify, so it never
destroys the evidence of tampering.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from . import triggers
from .models import AccessEvent, AuditMaintenance, Seal
from .sealing import verify_chain


class PurgeRefused(Exception):
    pass


def years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


@dataclass
class PurgeResult:
    maintenance: AuditMaintenance
    events_deleted: int
    seals_deleted: int


@transaction.atomic
def audit_purge(*, older_than_years: int, performed_by: str, now=None) -> PurgeResult:
    if older_than_years < 1:
        raise PurgeRefused("the retention period must be at least one year")
    now = now or timezone.now()
    cutoff = years_before(now, older_than_years)
    verification = verify_chain()
    if not verification.ok:
        raise PurgeRefused(
            f"the audit chain does not verify, nothing purged: {verification.problem}"
        )
    first_kept = (
        AccessEvent.objects.filter(occurred_at__gte=cutoff).order_by("id").values("id").first()
    )
    seals = Seal.objects.order_by("-last_event_id")
    if first_kept is not None:
        seals = seals.filter(last_event_id__lt=first_kept["id"])
    last_purged = seals.first()
    parameters = {"older_than_years": older_than_years, "cutoff": cutoff.isoformat()}
    events_deleted = seals_deleted = 0
    if last_purged is not None:
        with triggers.purge_allowed():
            events_deleted, _detail = AccessEvent.objects.filter(
                id__lte=last_purged.last_event_id
            ).delete()
            seals_deleted, _detail = Seal.objects.filter(
                last_event_id__lte=last_purged.last_event_id
            ).delete()
        parameters.update(
            anchor_hash=last_purged.hash,
            anchor_last_event_id=last_purged.last_event_id,
            anchor_seal_id=last_purged.id,
        )
    parameters.update(events_deleted=events_deleted, seals_deleted=seals_deleted)
    maintenance = AuditMaintenance.objects.create(
        kind=AuditMaintenance.Kind.PURGE,
        performed_at=now,
        performed_by=performed_by,
        parameters=parameters,
    )
    return PurgeResult(maintenance, events_deleted, seals_deleted)
