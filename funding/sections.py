"""The section of a participant's record that funding holds: the data a funded
project reports (at entry and on leaving), read and written by the manager only."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from participants.policy import Relation as R
from participants.policy import rule


class FundingSection(models.TextChoices):
    FUNDING = "funding", _("Funded projects")


RULES = (
    rule(
        FundingSection.FUNDING,
        FundingSection.FUNDING.label,
        read=(R.MANAGER,),
        write=(R.MANAGER,),
    ),
)
