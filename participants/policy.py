"""Field-level policy: which sections of a participant's record each
relationship may read and write. The one place this is decided.

Relationships are found by the selectors: ``manager`` (role at the holding
enterprise), ``supervisor`` (current grant), ``former_supervisor`` (grant in its
grace period after the placement ended), ``case_officer`` (grant on a placement
they referred; health only with the participant's recorded consent to share
with that agency). Analysts, auditors and admins have no relationship and see
no participant at all.

The participant's own sections (identity, contact, health, history) are
declared here. The apps above register their sections (placements: attendance
and plan; casework: notes, goals, assessments, reviews, outcomes) from their
``AppConfig.ready()`` with :func:`register_sections`, so this module knows no
app above it. ``READ`` and ``WRITE`` are the resulting tables.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Relation(models.TextChoices):
    MANAGER = "manager", _("Manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    FORMER_SUPERVISOR = "former_supervisor", _("Former supervisor (grace period)")
    CASE_OFFICER = "case_officer", _("Case officer")


class Section(models.TextChoices):
    """The sections of the participant's own record."""

    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact details")
    HEALTH = "health", _("Health and support needs")
    HISTORY = "history", _("Change history")
    CONSENTS = "consents", _("Consents")


@dataclass(frozen=True)
class SectionRule:
    """Who may read and write one section; ``with_consent``: relations that read it
    only where the participant consented to sharing with their agency."""

    section: str
    label: str | Promise
    read: frozenset[str]
    write: frozenset[str]
    with_consent: frozenset[str] = frozenset()


def rule(
    section: str,
    label,
    *,
    read: Iterable[str],
    write: Iterable[str] = (),
    with_consent: Iterable[str] = (),
) -> SectionRule:
    return SectionRule(section, label, frozenset(read), frozenset(write), frozenset(with_consent))


R = Relation
#: Everyone with a relationship to the participant reads their identity.
_ALL = (R.MANAGER, R.SUPERVISOR, R.FORMER_SUPERVISOR, R.CASE_OFFICER)

#: Section code → its rule, in registration order.
RULES: dict[str, SectionRule] = {}
#: Relation → the sections it reads / writes (without consent-based sharing).
READ: dict[str, frozenset[str]] = {relation: frozenset() for relation in Relation}
WRITE: dict[str, frozenset[str]] = {relation: frozenset() for relation in Relation}
#: Relation → the sections it reads only with the participant's consent.
CONSENTED: dict[str, frozenset[str]] = {relation: frozenset() for relation in Relation}


def register_sections(*rules: SectionRule) -> None:
    """Add sections to the policy (idempotent; a conflicting second rule fails loudly)."""
    for section_rule in rules:
        known = RULES.get(section_rule.section)
        if known is not None:
            if known != section_rule:
                raise ImproperlyConfigured(f"section {section_rule.section!r} registered twice")
            continue
        unknown = (section_rule.read | section_rule.write | section_rule.with_consent) - set(
            Relation.values
        )
        if unknown:
            raise ImproperlyConfigured(f"section {section_rule.section!r}: unknown {unknown}")
        RULES[section_rule.section] = section_rule
        for table, relations in (
            (READ, section_rule.read),
            (WRITE, section_rule.write),
            (CONSENTED, section_rule.with_consent),
        ):
            for relation in relations:
                table[relation] = table[relation] | {section_rule.section}


def section_label(section: str):
    return RULES[section].label


register_sections(
    rule(Section.IDENTITY, Section.IDENTITY.label, read=_ALL, write=(R.MANAGER,)),
    rule(
        Section.CONTACT,
        Section.CONTACT.label,
        read=(R.MANAGER, R.SUPERVISOR, R.FORMER_SUPERVISOR),
        write=(R.MANAGER,),
    ),
    rule(
        Section.HEALTH,
        Section.HEALTH.label,
        read=(R.MANAGER, R.SUPERVISOR),
        write=(R.MANAGER,),
        with_consent=(R.CASE_OFFICER,),
    ),
    rule(Section.HISTORY, Section.HISTORY.label, read=(R.MANAGER,)),
    # Supervisors read the consents (whether a photo may be taken, whether the
    # person may be contacted); only the manager records or withdraws one.
    rule(
        Section.CONSENTS,
        Section.CONSENTS.label,
        read=(R.MANAGER, R.SUPERVISOR),
        write=(R.MANAGER,),
    ),
)

#: The encrypted participant fields each section covers.
PARTICIPANT_FIELDS: dict[str, tuple[str, ...]] = {
    Section.IDENTITY: ("given_name", "family_name", "personal_identity_number"),
    Section.CONTACT: ("phone", "email", "address", "emergency_contact"),
    Section.HEALTH: ("support_needs",),
}


@dataclass(frozen=True)
class Access:
    """What one user may do with one participant's record."""

    relations: frozenset[str]
    read: frozenset[str]
    write: frozenset[str]

    def can_read(self, section: str) -> bool:
        return section in self.read

    def can_write(self, section: str) -> bool:
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
    read: set[str] = set()
    write: set[str] = set()
    for relation in relations:
        read |= READ[relation]
        write |= WRITE[relation]
        if health_consent:
            read |= CONSENTED[relation]
    return Access(relations=frozenset(relations), read=frozenset(read), write=frozenset(write))
