"""Print a demo user's current one-time code (development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current TOTP code of a user's confirmed device (never in production)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if settings.DJANGO_ENV == "production":
            raise CommandError(_("This command is for development and demos only."))
        device = (
            TOTPDevice.objects.filter(user__username=username, confirmed=True)
            .order_by("id")
            .first()
        )
        if device is None:
            raise CommandError(
                _("%(username)s has no confirmed authenticator.") % {"username": username}
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
