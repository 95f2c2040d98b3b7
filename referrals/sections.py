"""The section of a participant's record that referrals hold: the messages on a
placement between the enterprise and the case officer (registered into
participants.policy by ReferralsConfig.ready)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from participants.policy import Relation as R
from participants.policy import rule


class ReferralSection(models.TextChoices):
    MESSAGES = "messages", _("Messages")


#: The parties of a placement now: no former supervisor (the exchange is about
#: the running case, not the record after the relationship).
_PARTIES = (R.MANAGER, R.SUPERVISOR, R.CASE_OFFICER)
RULES = (
    rule(
        ReferralSection.MESSAGES,
        ReferralSection.MESSAGES.label,
        read=_PARTIES,
        write=_PARTIES,
    ),
)
