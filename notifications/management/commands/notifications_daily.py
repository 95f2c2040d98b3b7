"""Tell of reviews and follow-ups due and overdue, then send the e-mail digests.
Run once a day (cron or a systemd timer, docs/deployment.md); --enqueue queues
the job for the background worker instead."""

from django.core.management.base import BaseCommand

from notifications.daily import notifications_daily
from notifications.tasks import notifications_daily_task


class Command(BaseCommand):
    help = (
        "Daily notifications: reviews and follow-ups due within 7 days or overdue, then the "
        "e-mail digests. --enqueue queues the background job instead (for cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="queue the background job")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = notifications_daily_task.enqueue()
            self.stdout.write(f"daily notifications queued: {result.id}")
            return
        run = notifications_daily()
        self.stdout.write(
            f"{run.due_items} due items in {run.batches} batches; {run.digests} digests "
            f"queued; {run.purged} read notifications deleted"
        )
