"""Retention purge of the audit trail: the only way audit rows are deleted."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from audit.purge import PurgeRefused, audit_purge


class Command(BaseCommand):
    help = "Delete sealed access events older than the retention period (default 5 years)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-years", type=int, default=5)
        parser.add_argument(
            "--operator", default="", help="who runs the purge (default: the OS user)"
        )

    def handle(self, *args, older_than_years=5, operator="", **options):
        try:
            result = audit_purge(
                older_than_years=older_than_years, performed_by=operator or getpass.getuser()
            )
        except PurgeRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            f"purged {result.events_deleted} events and {result.seals_deleted} seals "
            f"older than {older_than_years} years (maintenance record {result.maintenance.id})"
        )
