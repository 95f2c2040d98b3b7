from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectCopyConfig(AppConfig):
    name = "subject_copy"
    verbose_name = _("Copies of personal data")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from erasure import files

        files.register(own_copies)


def own_copies(participant_id):
    """The participant's own copies (ZIP files under EXPORTS_ROOT) go at erasure."""
    from django.conf import settings

    from .models import SubjectCopy

    return [
        settings.EXPORTS_ROOT / copy.file_name
        for copy in SubjectCopy.objects.filter(participant_id=participant_id)
    ]
