from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The screens people use: the only app that gathers across the domain apps."""

    name = "desk"
    verbose_name = _("Screens")
