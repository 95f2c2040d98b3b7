from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimesheetsConfig(AppConfig):
    name = "timesheets"
    verbose_name = _("Time confirmations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit import registry
        from placements.apps import PLACEMENT_OWNER

        from .models import TimeConfirmation

        # Part of the participant's record (under their data key): the auditor sees
        # its history, and erasure deletes it and its history with the placement.
        registry.register_history_source(
            TimeConfirmation, owner=PLACEMENT_OWNER, lookup="placement_id"
        )
