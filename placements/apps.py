from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: The owner kind of records that belong to a participant through a placement.
PLACEMENT_OWNER = "placement"


def placement_ids_of(participant_id):
    """Every placement the participant has had (a subquery, history included)."""
    from .models import Placement

    return Placement.history.model.objects.filter(participant_id=participant_id).values("id")


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = _("Placements")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit import registry
        from participants.policy import register_sections

        from .models import Attendance, Placement, PlacementPause, PlacementSupervisor
        from .models import PlacementUserObjectPermission as PlacementGrant
        from .sections import RULES

        register_sections(*RULES)
        registry.register_owner(PLACEMENT_OWNER, placement_ids_of)
        registry.register_history_source(
            Placement, owner=registry.PARTICIPANT, lookup="participant_id"
        )
        for model, lookup in (
            (PlacementSupervisor, "placement_id"),
            (PlacementGrant, "content_object_id"),
            (Attendance, "placement_id"),
            (PlacementPause, "placement_id"),
        ):
            registry.register_history_source(model, owner=PLACEMENT_OWNER, lookup=lookup)
