"""The sections of a participant's record that documents hold, and who reads and
writes them (registered into participants.policy by DocumentsConfig.ready).

A medical certificate (läkarintyg) is health data: like the record's health
section, the agency's case officer reads it only with the participant's
recorded consent to share with their agency, and a former supervisor not at all.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from participants.policy import Relation as R
from participants.policy import rule


class DocumentSection(models.TextChoices):
    DOCUMENTS = "documents", _("Documents")
    MEDICAL_DOCUMENTS = "medical_documents", _("Medical certificates")


S = DocumentSection
_WRITERS = (R.MANAGER, R.SUPERVISOR)
RULES = (
    rule(
        S.DOCUMENTS,
        S.DOCUMENTS.label,
        read=(R.MANAGER, R.SUPERVISOR, R.FORMER_SUPERVISOR, R.CASE_OFFICER),
        write=_WRITERS,
    ),
    rule(
        S.MEDICAL_DOCUMENTS,
        S.MEDICAL_DOCUMENTS.label,
        read=(R.MANAGER, R.SUPERVISOR),
        write=_WRITERS,
        with_consent=(R.CASE_OFFICER,),
    ),
)
