"""Print the demo users' credentials as a table: ``manage.py show_demo_credentials FILE``."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = "Print the demo credentials written by seed_demo --credentials FILE."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            rows = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(_("No credentials file at %(file)s.") % {"file": file}) from None
        except json.JSONDecodeError as error:
            raise CommandError(
                _("%(file)s is not valid JSON: %(error)s") % {"file": file, "error": error}
            ) from None
        headers = (_("Username"), _("Password"), _("Role"), _("Organisation"), _("TOTP secret"))
        table = [headers] + [
            (
                row["username"],
                row["password"],
                row["role"],
                row["organisation"],
                row.get("totp_secret") or "",
            )
            for row in rows
        ]
        widths = [max(len(str(line[column])) for line in table) for column in range(len(headers))]
        self.stdout.write("")
        self.stdout.write(_("Demo users (sign in at %(url)s):") % {"url": URL})
        for position, line in enumerate(table):
            self.stdout.write(
                "  ".join(
                    str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)
                ).rstrip()
            )
            if position == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write(
            _(
                "Sign-in asks for a one-time code: add the TOTP secret to an authenticator "
                "app, or print the current code with: python manage.py totp_code USERNAME"
            )
        )
        self.stdout.write("")
