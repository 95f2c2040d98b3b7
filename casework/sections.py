"""The sections of a participant's record that casework holds, and who reads and
writes them (registered into participants.policy by CaseworkConfig.ready)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from participants.policy import Relation as R
from participants.policy import rule

_ENTERPRISE = (R.MANAGER, R.SUPERVISOR, R.FORMER_SUPERVISOR)
_EVERYONE = (*_ENTERPRISE, R.CASE_OFFICER)
_WRITERS = (R.MANAGER, R.SUPERVISOR)


class CaseworkSection(models.TextChoices):
    INTERNAL_NOTES = "internal_notes", _("Internal notes")
    SHARED_NOTES = "shared_notes", _("Shared notes")
    GOALS = "goals", _("Goals")
    ASSESSMENTS = "assessments", _("Assessments")
    REVIEWS = "reviews", _("Reviews")
    OUTCOMES = "outcomes", _("Exit and follow-ups")


S = CaseworkSection
RULES = (
    rule(S.INTERNAL_NOTES, S.INTERNAL_NOTES.label, read=_ENTERPRISE, write=_WRITERS),
    rule(S.SHARED_NOTES, S.SHARED_NOTES.label, read=_EVERYONE, write=_WRITERS),
    rule(S.GOALS, S.GOALS.label, read=_EVERYONE, write=_WRITERS),
    rule(S.ASSESSMENTS, S.ASSESSMENTS.label, read=_EVERYONE, write=_WRITERS),
    rule(
        S.REVIEWS,
        S.REVIEWS.label,
        read=(R.MANAGER, R.SUPERVISOR, R.CASE_OFFICER),
        write=(R.CASE_OFFICER,),
    ),
    rule(S.OUTCOMES, S.OUTCOMES.label, read=_EVERYONE, write=(R.MANAGER,)),
)
