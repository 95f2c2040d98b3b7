"""Decrypt every encrypted value, live and history, and report each failure."""

from django.core.management.base import BaseCommand, CommandError

from encryption.exceptions import KeyRingError
from encryption.services import verify_all


class Command(BaseCommand):
    help = (
        "Decrypt every encrypted value of every table (history tables included). "
        "Prints each failing table/row-id/field with the reason and exits non-zero "
        "if any fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000, help="rows per query")

    def handle(self, *args, batch_size=2000, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            report = verify_all(batch_size=batch_size)
        except KeyRingError as error:
            raise CommandError(f"key ring: {error}") from None
        for failure in report.failures:
            self.stderr.write(failure)
        if options["verbosity"] >= 2:
            for table, count in sorted(report.tables.items()):
                self.stdout.write(f"  {table}: {count} values")
        summary = (
            f"{report.values} values in {report.rows} rows of {len(report.tables)} tables, "
            f"{report.data_keys} data keys"
        )
        if report.shredded:
            summary += (
                f"; {report.shredded} values under destroyed data keys "
                "(crypto-shredded, unreadable by design)"
            )
        if report.older_format:
            summary += (
                f"; {report.older_format} values in an older value format "
                "(readable; rewritten in the current format when next written)"
            )
        if report.failures:
            raise CommandError(f"{len(report.failures)} failures. Checked {summary}.")
        self.stdout.write(self.style.SUCCESS(f"All readable: {summary}."))
