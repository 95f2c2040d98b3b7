from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.models import Membership
        from accounts.signals import access_changed

        from .events import record_access_change

        # Access changes are access events: the auditor sees who gave whom access.
        access_changed.connect(
            record_access_change, sender=Membership, dispatch_uid="audit-access-change"
        )
