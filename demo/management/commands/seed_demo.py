"""Create the demo data set (organisations, users, participants, casework)."""

import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from demo.builder import (
    DEFAULT_PARTICIPANTS,
    DEFAULT_SEED,
    credentials_as_json,
    demo_exists,
    seed_demo,
)


class Command(BaseCommand):
    help = (
        "Create fictional demo organisations, users and participants with casework. "
        "The same seed on the same day gives the same data set. Refused in production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--participants",
            type=int,
            default=DEFAULT_PARTICIPANTS,
            help="number of participants (default %(default)s)",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)"
        )
        parser.add_argument(
            "--credentials",
            type=Path,
            help="write the demo users' credentials to this JSON file",
        )

    def handle(self, *args, participants, seed, credentials, **options):
        if settings.DJANGO_ENV == "production":
            raise CommandError(_("seed_demo refuses to run with production settings."))
        if participants < 0:
            raise CommandError(_("--participants cannot be negative."))
        if demo_exists():
            self.stdout.write(_("Demo data already present; nothing changed."))
            return
        started = time.monotonic()
        self.stdout.write(
            _("Creating demo data: %(count)s participants, seed %(seed)s …")
            % {"count": participants, "seed": seed}
        )
        demo_credentials = seed_demo(
            participants=participants,
            seed=seed,
            today=timezone.localdate(),
            progress=lambda done: self.stdout.write(_("  participants: %(done)s") % {"done": done}),
        )
        if credentials is not None:
            credentials.parent.mkdir(parents=True, exist_ok=True)
            # Owner-only: the file holds working passwords.
            descriptor = os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                rows = credentials_as_json(demo_credentials)
                json.dump(rows, handle, ensure_ascii=False, indent=2)
                handle.write("\n")
            self.stdout.write(_("Credentials written to %(file)s") % {"file": credentials})
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo data created in %(seconds).1f s.") % {"seconds": time.monotonic() - started}
            )
        )
