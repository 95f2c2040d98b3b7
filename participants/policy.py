"""Field-level policy: which sections of a participant's record each
relationship may read and write. The one place this is decided.

Relationships are found by the selectors: ``manager`` (role at the holding
enterprise), ``supervisor`` (current grant), ``former_supervisor`` (grant in its
grace period after the placement ended), ``case_officer`` (grant on a placement
they referred; health only with the participant's recorded consent to share
with that agency). Analysts, auditors and admins have no relationship and see
no participant at all.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact details")
    HEALTH = "health", _("Health and support needs")
    INTERNAL_NOTES = "internal_notes", _("Internal notes")
    SHARED_NOTES = "shared_notes", _("Shared notes")
    ATTENDANCE = "attendance", _("Attendance")
    PLAN = "plan", _("Plan")
    GOALS = "goals", _("Goals")
    ASSESSMENTS = "assessments", _("Assessments")
    REVIEWS = "reviews", _("Reviews")
    OUTCOMES = "outcomes", _("Exit and follow-ups")
    HISTORY = "history", _("Change history")


class Relation(models.TextChoices):
    MANAGER = "manager", _("Manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    FORMER_SUPERVISOR = "former_supervisor", _("Former supervisor (grace period)")
    CASE_OFFICER = "case_officer", _("Case officer")


S = Section
ALL_SECTIONS = frozenset(Section)

READ: dict[str, frozenset[Section]] = {
    Relation.MANAGER: ALL_SECTIONS,
    Relation.SUPERVISOR: frozenset(
        {
            S.IDENTITY,
            S.CONTACT,
            S.HEALTH,
            S.INTERNAL_NOTES,
            S.SHARED_NOTES,
            S.ATTENDANCE,
            S.PLAN,
            S.GOALS,
            S.ASSESSMENTS,
            S.REVIEWS,
            S.OUTCOMES,
        }
    ),
    Relation.FORMER_SUPERVISOR: frozenset(
        {
            S.IDENTITY,
            S.CONTACT,
            S.INTERNAL_NOTES,
            S.SHARED_NOTES,
            S.ATTENDANCE,
            S.GOALS,
            S.ASSESSMENTS,
            S.OUTCOMES,
        }
    ),
    Relation.CASE_OFFICER: frozenset(
        {
            S.IDENTITY,
            S.SHARED_NOTES,
            S.ATTENDANCE,
            S.PLAN,
            S.GOALS,
            S.ASSESSMENTS,
            S.REVIEWS,
            S.OUTCOMES,
        }
    ),
}
WRITE: dict[str, frozenset[Section]] = {
    Relation.MANAGER: frozenset(
        {
            S.IDENTITY,
            S.CONTACT,
            S.HEALTH,
            S.INTERNAL_NOTES,
            S.SHARED_NOTES,
            S.ATTENDANCE,
            S.PLAN,
            S.GOALS,
            S.ASSESSMENTS,
            S.OUTCOMES,
        }
    ),
    Relation.SUPERVISOR: frozenset(
        {S.INTERNAL_NOTES, S.SHARED_NOTES, S.ATTENDANCE, S.PLAN, S.GOALS, S.ASSESSMENTS}
    ),
    Relation.FORMER_SUPERVISOR: frozenset(),
    Relation.CASE_OFFICER: frozenset({S.REVIEWS, S.PLAN}),
}
#: Sections a case officer gains where the participant consented to sharing with their agency.
CONSENTED_SHARING = frozenset({S.HEALTH})

#: The encrypted participant fields each section covers.
PARTICIPANT_FIELDS: dict[Section, tuple[str, ...]] = {
    S.IDENTITY: ("given_name", "family_name", "personal_identity_number"),
    S.CONTACT: ("phone", "email", "address", "emergency_contact"),
    S.HEALTH: ("support_needs",),
}


@dataclass(frozen=True)
class Access:
    """What one user may do with one participant's record."""

    relations: frozenset[str]
    read: frozenset[Section]
    write: frozenset[Section]

    def can_read(self, section: Section) -> bool:
        return section in self.read

    def can_write(self, section: Section) -> bool:
        return section in self.write

    @property
    def hidden_fields(self) -> frozenset[str]:
        return frozenset(
            name
            for section, names in PARTICIPANT_FIELDS.items()
            if section not in self.read
            for name in names
        )


NO_ACCESS = Access(relations=frozenset(), read=frozenset(), write=frozenset())


def access_for(relations: set[str], *, health_consent: bool) -> Access:
    """The union of what each relationship grants, never more."""
    read: set[Section] = set()
    write: set[Section] = set()
    for relation in relations:
        read |= READ[relation]
        write |= WRITE[relation]
        if relation == Relation.CASE_OFFICER and health_consent:
            read |= CONSENTED_SHARING
    return Access(relations=frozenset(relations), read=frozenset(read), write=frozenset(write))
