"""A user with two roles at once: each relation grants only its own scope.

The user supervises one placement at enterprise A and manages enterprise B.
As B's manager they see all of B; as A's supervisor only the participant they
supervise, only what a supervisor may read, and nothing a manager may do at A.
"""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Role
from placements.services import referral_register
from tests.factories import MembershipFactory, make_active_placement, make_participant


@pytest.fixture
def two_hats(supervisor, other_enterprise):
    """The enterprise A supervisor, also manager of enterprise B."""
    MembershipFactory(user=supervisor, organisation=other_enterprise, role=Role.MANAGER)
    return supervisor


@pytest.fixture
def supervised(enterprise, unit, two_hats, manager, agency, case_officer):
    participant = make_participant(
        organisation=enterprise, acting_user=manager, support_needs="Halsodetalj A"
    )
    return make_active_placement(
        participant=participant,
        unit=unit,
        supervisors=[two_hats],
        acting_user=manager,
        agency=agency,
        case_officer=case_officer,
    )


def test_each_relation_grants_only_its_own_scope(
    two_hats, supervised, enterprise, manager, other_enterprise, other_manager, login
):
    unsupervised_at_a = make_participant(organisation=enterprise, acting_user=manager)
    at_b = make_participant(organisation=other_enterprise, acting_user=other_manager)
    client = login(two_hats)

    listed = {row.pk for row in client.get(reverse("participants:list")).context["page"]}
    assert listed == {supervised.participant_id, at_b.pk}

    # Manager at B: the record, and its manager-only actions.
    assert client.get(reverse("participants:detail", args=[at_b.pk])).status_code == 200
    assert client.get(reverse("participants:edit", args=[at_b.pk])).status_code == 200

    # Supervisor at A: their participant, read as a supervisor reads.
    own = client.get(reverse("participants:detail", args=[supervised.participant_id]))
    assert own.status_code == 200
    assert own.context["access"].relations == frozenset({"supervisor"})
    # Not the rest of A: hidden as if it did not exist.
    detail = reverse("participants:detail", args=[unsupervised_at_a.pk])
    assert client.get(detail).status_code == 404


def test_managing_b_does_not_make_them_a_manager_at_a(two_hats, supervised, login):
    client = login(two_hats)
    # Ending a placement is a manager's action: at A they are only its supervisor.
    end = reverse("placements:end", args=[supervised.pk])
    assert client.get(end).status_code == 403
    # Registering a referral offers only B's participants.
    form = client.get(reverse("placements:referral_create")).context["form"]
    offered = set(form.fields["participant"].queryset.values_list("organisation_id", flat=True))
    assert offered <= {two_hats.memberships.get(role=Role.MANAGER).organisation_id}


def test_home_shows_both_roles_each_with_its_own_people(
    two_hats, supervised, other_enterprise, other_manager, login
):
    waiting_at_b = referral_register(
        participant=make_participant(organisation=other_enterprise, acting_user=other_manager),
        programme="internship",
        referred_on=date(2026, 1, 5),
        acting_user=other_manager,
    )
    response = login(two_hats).get(reverse("home"))
    assert set(response.context["roles"]) == {Role.SUPERVISOR, Role.MANAGER}
    supervised_items = response.context["supervisor"]["participants"].items
    assert [placement.pk for placement in supervised_items] == [supervised.pk]
    # The manager's cards are about B only: A's placement is not a referral there.
    referrals = response.context["manager"]["referrals"].items
    assert [placement.pk for placement in referrals] == [waiting_at_b.pk]
