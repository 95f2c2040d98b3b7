from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit import registry

        from .models import Consent, Participant, ParticipantUserObjectPermission
        from .selectors import relationship_now

        # The auditor's screens: whose reads are logged, and the records of theirs.
        registry.register_subject(model=Participant, relationship=relationship_now)
        registry.register_history_source(Participant, owner=registry.PARTICIPANT, lookup="id")
        registry.register_history_source(
            Consent, owner=registry.PARTICIPANT, lookup="participant_id"
        )
        registry.register_history_source(
            ParticipantUserObjectPermission, owner=registry.PARTICIPANT, lookup="content_object_id"
        )
