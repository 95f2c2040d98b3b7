from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit import registry
        from participants.policy import register_sections
        from placements.apps import PLACEMENT_OWNER

        from .models import CaseMessage
        from .sections import RULES

        register_sections(*RULES)
        # Messages are part of the participant's record (under their data key):
        # erasure deletes them and their history with the placement.
        registry.register_history_source(CaseMessage, owner=PLACEMENT_OWNER, lookup="placement_id")
