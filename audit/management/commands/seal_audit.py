"""Seal the access events written since the last seal (on demand or in a loop)."""

import time

from django.core.management.base import BaseCommand

from audit.sealing import seal_pending


class Command(BaseCommand):
    help = "Seal pending access events into the hash chain."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="keep running and seal again every SECONDS (a background sealer)",
        )

    def handle(self, *args, batch_size=None, every=0, **options):
        while True:
            run = seal_pending(batch_size=batch_size)
            message = f"sealed {run.events} events in {run.seals} seals"
            if run.held_back:
                message += f"; waiting: {run.held_back}"
            self.stdout.write(message)
            if not every:
                return
            time.sleep(every)
