from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ErasureConfig(AppConfig):
    name = "erasure"
    verbose_name = _("Erasure and retention")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import files

        files.register(document_objects)


def document_objects(participant_id):
    """The participant's documents, as objects in the documents storage."""
    from documents.models import Document
    from documents.storage import ALIAS

    from .files import stored

    names = Document.objects.filter(participant_id=participant_id).values_list(
        "object_name", flat=True
    )
    return [stored(ALIAS, name) for name in names]
