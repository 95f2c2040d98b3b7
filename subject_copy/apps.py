from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectCopyConfig(AppConfig):
    name = "subject_copy"
    verbose_name = _("Copies of personal data")
    default_auto_field = "django.db.models.BigAutoField"
