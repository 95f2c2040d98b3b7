from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data set (seed_demo) and the bulk builders that demo and bench/ share."""

    name = "demo"
    verbose_name = _("Demo data")
