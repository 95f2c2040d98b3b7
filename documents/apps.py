from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit import registry
        from encryption.services import register_verification
        from participants.policy import register_sections

        from .models import Document
        from .sections import RULES
        from .verification import verify_documents

        register_sections(*RULES)
        registry.register_history_source(
            Document, owner=registry.PARTICIPANT, lookup="participant_id"
        )
        register_verification(verify_documents)
