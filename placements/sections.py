"""The sections of a participant's record that placements hold, and who reads and
writes them (registered into participants.policy by PlacementsConfig.ready)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from participants.policy import Relation as R
from participants.policy import rule


class PlacementSection(models.TextChoices):
    ATTENDANCE = "attendance", _("Attendance")
    PLAN = "plan", _("Plan")


RULES = (
    rule(
        PlacementSection.ATTENDANCE,
        PlacementSection.ATTENDANCE.label,
        read=(R.MANAGER, R.SUPERVISOR, R.FORMER_SUPERVISOR, R.CASE_OFFICER),
        write=(R.MANAGER, R.SUPERVISOR),
    ),
    rule(
        PlacementSection.PLAN,
        PlacementSection.PLAN.label,
        read=(R.MANAGER, R.SUPERVISOR, R.CASE_OFFICER),
        write=(R.MANAGER, R.SUPERVISOR, R.CASE_OFFICER),
    ),
)
