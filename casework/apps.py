from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: The owner kind of records that belong to a participant through an assessment.
ASSESSMENT_OWNER = "assessment"


def assessment_ids_of(participant_id):
    """Every assessment on any of the participant's placements (a subquery)."""
    from placements.apps import placement_ids_of

    from .models import Assessment

    return Assessment.history.model.objects.filter(
        placement_id__in=placement_ids_of(participant_id)
    ).values("id")


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit import registry
        from participants.policy import register_sections
        from placements.apps import PLACEMENT_OWNER

        from .models import Assessment, Exit, FollowUp, Goal, ProgressNote, Review, Score
        from .sections import RULES

        register_sections(*RULES)
        registry.register_owner(ASSESSMENT_OWNER, assessment_ids_of)
        for model, owner, lookup in (
            (ProgressNote, PLACEMENT_OWNER, "placement_id"),
            (Goal, PLACEMENT_OWNER, "placement_id"),
            (Assessment, PLACEMENT_OWNER, "placement_id"),
            (Score, ASSESSMENT_OWNER, "assessment_id"),
            (Review, PLACEMENT_OWNER, "placement_id"),
            (Exit, PLACEMENT_OWNER, "placement_id"),
            (FollowUp, registry.PARTICIPANT, "participant_id"),
        ):
            registry.register_history_source(model, owner=owner, lookup=lookup)
