"""Delete the files of copies of personal data past their expiry (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from subject_copy.services import subject_copies_expire


class Command(BaseCommand):
    help = "Delete the files of participants' copies of their data that have expired."

    def handle(self, *args, **options):
        count = subject_copies_expire()
        self.stdout.write(f"expired {count} copies")
