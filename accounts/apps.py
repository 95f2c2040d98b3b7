from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from . import otp
        from .models import TOTPSecret

        # django-otp reads TOTP secrets from their encrypted rows (accounts.otp).
        otp.install()
        post_delete.connect(
            otp.data_key_release, sender=TOTPSecret, dispatch_uid="accounts-totp-secret-key"
        )
