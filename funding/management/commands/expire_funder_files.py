"""Delete expired funder files and destroy their keys (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from funding.files import funder_files_expire


class Command(BaseCommand):
    help = "Delete the funder files that have expired and destroy their data keys."

    def handle(self, *args, **options):
        count = funder_files_expire()
        self.stdout.write(f"expired {count} funder files")
