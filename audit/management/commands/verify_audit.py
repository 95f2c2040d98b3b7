"""Recompute the audit hash chain; exit non-zero naming the first broken seal."""

import getpass

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.models import AuditMaintenance
from audit.sealing import verify_chain


class Command(BaseCommand):
    help = "Verify the access-event hash chain (exits 1 at the first broken seal)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--export-head",
            action="store_true",
            help="print only the latest chain hash, for keeping outside the database",
        )
        parser.add_argument(
            "--head",
            metavar="HASH",
            help="a head exported earlier; it must still be a link of the chain",
        )

    def handle(self, *args, export_head=False, head=None, **options):
        report = verify_chain(expected_head=head)
        if not report.ok:
            raise CommandError(f"audit chain BROKEN at {report.problem}")
        if export_head:
            AuditMaintenance.objects.create(
                kind=AuditMaintenance.Kind.HEAD_EXPORT,
                performed_at=timezone.now(),
                performed_by=getpass.getuser(),
                parameters={"head": report.head, "seals": report.seals},
            )
            self.stdout.write(report.head)
            return
        self.stdout.write(
            f"audit chain OK: {report.seals} seals, {report.events} events, "
            f"{report.unsealed} not yet sealed; head {report.head}"
        )
