from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EncryptionConfig(AppConfig):
    name = "encryption"
    verbose_name = _("Encryption")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
        from .keyring import get_keyring

        # Fail at start-up, not on the first request, when the key ring is broken.
        get_keyring()
