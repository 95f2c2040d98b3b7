from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funded projects")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit import registry
        from participants.policy import register_sections
        from placements.apps import PLACEMENT_OWNER

        from .models import ProjectPlacement
        from .sections import RULES

        register_sections(*RULES)
        # A placement's data in a project is part of the participant's record
        # (under their data key): erasure deletes it and its history with the placement.
        registry.register_history_source(
            ProjectPlacement, owner=PLACEMENT_OWNER, lookup="placement_id"
        )
