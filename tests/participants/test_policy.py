"""The field policy as assembled from the sections each app registers at start-up."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from participants import policy
from participants.policy import Relation, access_for, register_sections, rule

M, S, F, C = (
    Relation.MANAGER,
    Relation.SUPERVISOR,
    Relation.FORMER_SUPERVISOR,
    Relation.CASE_OFFICER,
)

#: The whole policy, written out: who reads and who writes each section.
EXPECTED_READ = {
    M: {
        "funding",
        "identity",
        "contact",
        "health",
        "internal_notes",
        "shared_notes",
        "attendance",
        "plan",
        "goals",
        "assessments",
        "reviews",
        "outcomes",
        "history",
        "consents",
        "documents",
        "medical_documents",
        "messages",
    },
    S: {
        "identity",
        "contact",
        "health",
        "internal_notes",
        "shared_notes",
        "attendance",
        "plan",
        "goals",
        "assessments",
        "reviews",
        "outcomes",
        "consents",
        "documents",
        "medical_documents",
        "messages",
    },
    F: {
        "identity",
        "contact",
        "internal_notes",
        "shared_notes",
        "attendance",
        "goals",
        "assessments",
        "outcomes",
        "documents",
    },
    C: {
        "identity",
        "shared_notes",
        "attendance",
        "plan",
        "goals",
        "assessments",
        "reviews",
        "outcomes",
        "documents",
        "messages",
    },
}
EXPECTED_WRITE = {
    M: {
        "funding",
        "identity",
        "contact",
        "health",
        "internal_notes",
        "shared_notes",
        "attendance",
        "plan",
        "goals",
        "assessments",
        "outcomes",
        "consents",
        "documents",
        "medical_documents",
        "messages",
    },
    S: {
        "internal_notes",
        "shared_notes",
        "attendance",
        "plan",
        "goals",
        "assessments",
        "documents",
        "medical_documents",
        "messages",
    },
    F: set(),
    C: {"reviews", "plan", "messages"},
}


def test_the_registered_sections_make_the_policy():
    assert {relation: set(sections) for relation, sections in policy.READ.items()} == (
        EXPECTED_READ
    )
    assert {relation: set(sections) for relation, sections in policy.WRITE.items()} == (
        EXPECTED_WRITE
    )
    # Each app registered its own sections, with labels.
    assert set(policy.RULES) == set().union(*EXPECTED_READ.values())
    with translation.override("sv"):
        assert str(policy.section_label("goals")) == "Mål"


def test_health_only_with_consent_for_the_case_officer():
    assert "health" not in access_for({C}, health_consent=False).read
    assert "health" in access_for({C}, health_consent=True).read
    # A medical certificate is health data too.
    assert "medical_documents" not in access_for({C}, health_consent=False).read
    assert "medical_documents" in access_for({C}, health_consent=True).read
    # Consent adds nothing for a relation that has no consent-based section.
    assert access_for({F}, health_consent=True).read == EXPECTED_READ[F]


def test_a_conflicting_second_registration_fails_loudly():
    register_sections(policy.RULES["goals"])  # the same rule again: nothing happens
    with pytest.raises(ImproperlyConfigured, match="'goals' registered twice"):
        register_sections(rule("goals", "Goals", read=(M,)))
    with pytest.raises(ImproperlyConfigured, match="unknown"):
        register_sections(rule("new_section", "New", read=("auditor",)))
    assert "new_section" not in policy.RULES
