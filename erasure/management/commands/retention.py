"""List the participant records whose retention period has ended. Never deletes:
a record goes only after a manager's decision and the data-protection officer's
approval (the retention review screen)."""

from django.core.management.base import BaseCommand

from accounts.models import Organisation
from erasure.selectors import referrals_retention_due, retention_due
from erasure.services import retention_check
from erasure.tasks import retention_check_task

KINDS = {"ended": "all placements ended", "no_placement": "never had a placement"}


class Command(BaseCommand):
    help = (
        "Retention check: list the records due for review (ids only). --dry-run prints "
        "what would be put up for review and records nothing; --enqueue queues the "
        "background job instead (for cron). No record is deleted by this command."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="print only; record nothing")
        mode.add_argument("--enqueue", action="store_true", help="queue the background job")

    def handle(self, *args, dry_run=False, enqueue=False, **options):
        if enqueue:
            result = retention_check_task.enqueue()
            self.stdout.write(f"retention check queued: {result.id}")
            return
        due = retention_due()
        names = dict(
            Organisation.objects.filter(
                pk__in={record.participant.organisation_id for record in due}
            ).values_list("pk", "name")
        )
        for record in due:
            self.stdout.write(
                f"{record.participant.pk}  {names[record.participant.organisation_id]}  "
                f"{KINDS[record.kind]}  due since {record.due_on.isoformat()}"
            )
        referrals = referrals_retention_due().count()
        if dry_run:
            self.stdout.write(
                f"{referrals} declined, withdrawn or orphaned referrals due for shredding "
                "(dry run: nothing shredded)"
            )
            self.stdout.write(
                f"{len(due)} records due for retention review (dry run: nothing recorded, "
                "nothing deleted)"
            )
            return
        run = retention_check()
        self.stdout.write(f"{referrals} referrals past their retention shredded")
        self.stdout.write(
            f"{run.due_count} records due for retention review; listed for the managers' "
            "decision (nothing deleted)"
        )
