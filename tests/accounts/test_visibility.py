"""Who sees which participant and placement, and which sections: grants follow
the relationship (start, change supervisor, end + grace period, end membership)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.http import Http404

from accounts.models import Membership, Role
from casework.sections import CaseworkSection
from casework.services import placement_end
from participants.models import ParticipantUserObjectPermission
from participants.policy import Relation, Section
from participants.selectors import participant_get_for, participant_list_for
from participants.services import consent_record
from placements.models import PlacementUserObjectPermission
from placements.sections import PlacementSection
from placements.selectors import placement_get_for, placement_list_for
from placements.services import membership_end, placement_change_supervisors
from tests.factories import make_active_placement, make_participant, user_with_role

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)


def visible(user):
    return set(participant_list_for(user=user).values_list("pk", flat=True))


def test_manager_sees_own_enterprise_only(manager, participant, other_enterprise):
    other_manager = user_with_role(Role.MANAGER, other_enterprise)
    foreign = make_participant(organisation=other_enterprise, acting_user=other_manager)
    assert visible(manager) == {participant.pk}
    assert visible(other_manager) == {foreign.pk}
    with pytest.raises(Http404):
        participant_get_for(user=manager, participant_id=foreign.pk)


def test_supervisor_sees_only_supervised(placement, supervisor, enterprise, manager):
    unsupervised = make_participant(organisation=enterprise, acting_user=manager)
    assert visible(supervisor) == {placement.participant_id}
    with pytest.raises(Http404):
        participant_get_for(user=supervisor, participant_id=unsupervised.pk)
    record = participant_get_for(user=supervisor, participant_id=placement.participant_id)
    assert record.access.relations == {Relation.SUPERVISOR}
    assert record.access.can_write(PlacementSection.ATTENDANCE)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AUDITOR, Role.ADMIN])
def test_roles_without_relationship_see_nobody(role, placement, enterprise, funder):
    organisation = funder if role == Role.ANALYST else enterprise
    user = user_with_role(role, organisation)
    assert visible(user) == set()
    assert list(placement_list_for(user=user)) == []
    with pytest.raises(Http404):
        participant_get_for(user=user, participant_id=placement.participant_id)


def test_case_officer_limited_and_health_needs_consent(placement, case_officer, agency, manager):
    record = participant_get_for(user=case_officer, participant_id=placement.participant_id)
    assert record.access.relations == {Relation.CASE_OFFICER}
    assert not record.access.can_read(CaseworkSection.INTERNAL_NOTES)
    assert record.access.can_read(CaseworkSection.SHARED_NOTES)
    assert not record.access.can_read(Section.HEALTH)
    from encryption.exceptions import FieldNotPermitted

    with pytest.raises(FieldNotPermitted):
        _ = record.support_needs
    with pytest.raises(FieldNotPermitted):
        _ = record.phone
    consent_record(
        participant=placement.participant,
        purpose="share_with_agency",
        agency=agency,
        acting_user=manager,
    )
    record = participant_get_for(user=case_officer, participant_id=placement.participant_id)
    assert record.access.can_read(Section.HEALTH)
    assert record.support_needs == placement.participant.support_needs


def test_case_officer_of_other_agency_sees_nothing(placement, db):
    from tests.factories import OrganisationFactory

    other_agency = OrganisationFactory(kind="agency", name="Kommunen AME")
    officer = user_with_role(Role.CASE_OFFICER, other_agency)
    assert visible(officer) == set()
    with pytest.raises(Http404):
        placement_get_for(user=officer, placement_id=placement.pk)


def test_change_supervisor_moves_grant(placement, supervisor, enterprise, manager):
    successor = user_with_role(Role.SUPERVISOR, enterprise)
    placement_change_supervisors(
        placement=placement, supervisors=[successor], acting_user=manager, on=TODAY
    )
    assert visible(successor) == {placement.participant_id}
    fetched = placement_get_for(user=supervisor, placement_id=placement.pk)
    assert fetched.access.relations == {Relation.FORMER_SUPERVISOR}
    assert fetched.access.write == frozenset()


def test_end_placement_removes_write_now_and_read_after_grace(
    placement, supervisor, manager, settings
):
    settings.SUPERVISOR_READ_GRACE_DAYS = 30
    with time_machine.travel(TODAY, tick=False):
        placement_end(placement=placement, ended_on=TODAY, outcome="employed", acting_user=manager)
        assert not PlacementUserObjectPermission.objects.filter(
            user=supervisor, permission__codename="log_progress"
        ).exists()
        fetched = placement_get_for(user=supervisor, placement_id=placement.pk)
        assert fetched.access.relations == {Relation.FORMER_SUPERVISOR}
    with time_machine.travel(TODAY + timedelta(days=30), tick=False):
        assert visible(supervisor) == {placement.participant_id}
    with time_machine.travel(TODAY + timedelta(days=31), tick=False):
        assert visible(supervisor) == set()
        with pytest.raises(Http404):
            placement_get_for(user=supervisor, placement_id=placement.pk)


def test_end_membership_removes_everything_it_gave(placement, supervisor, manager):
    membership = Membership.objects.get(user=supervisor, role=Role.SUPERVISOR)
    membership_end(membership=membership, ended_on=TODAY, acting_user=manager)
    assert not ParticipantUserObjectPermission.objects.filter(user=supervisor).exists()
    assert not PlacementUserObjectPermission.objects.filter(user=supervisor).exists()
    assert visible(supervisor) == set()


def test_union_of_roles_never_more(placement, supervisor, other_enterprise, other_unit):
    """A supervisor here who is a manager elsewhere sees both sets, and nothing else."""
    from tests.factories import MembershipFactory

    MembershipFactory(user=supervisor, organisation=other_enterprise, role=Role.MANAGER)
    other_manager = user_with_role(Role.MANAGER, other_enterprise)
    foreign = make_participant(organisation=other_enterprise, acting_user=other_manager)
    assert visible(supervisor) == {placement.participant_id, foreign.pk}


def test_grants_cascade_with_deleted_objects(placement):
    participant = placement.participant
    assert ParticipantUserObjectPermission.objects.filter(content_object=participant).exists()
    participant.delete()
    assert not ParticipantUserObjectPermission.objects.exists()
    assert not PlacementUserObjectPermission.objects.exists()


def _populate(enterprise, unit, supervisor, manager, agency, case_officer, count):
    for _ in range(count):
        participant = make_participant(organisation=enterprise, acting_user=manager)
        make_active_placement(
            participant=participant,
            unit=unit,
            supervisors=[supervisor],
            acting_user=manager,
            agency=agency,
            case_officer=case_officer,
        )


@pytest.mark.parametrize("role_fixture", ["manager", "supervisor", "case_officer"])
def test_list_query_count_is_constant(
    request,
    role_fixture,
    enterprise,
    unit,
    supervisor,
    manager,
    agency,
    case_officer,
    django_assert_num_queries,
):
    user = request.getfixturevalue(role_fixture)
    _populate(enterprise, unit, supervisor, manager, agency, case_officer, 3)
    user = type(user).objects.get(pk=user.pk)
    # 1 query for the user's memberships (cached on the user), 1 for the page of
    # participants with their data keys.
    with django_assert_num_queries(2):
        names = [p.full_name for p in participant_list_for(user=user)[:50]]
    assert len(names) == 3
    _populate(enterprise, unit, supervisor, manager, agency, case_officer, 27)
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(2):
        names = [p.full_name for p in participant_list_for(user=user)[:50]]
    assert len(names) == 30


def test_case_officer_read_access_ends_after_the_follow_up_period(
    placement, case_officer, manager, settings
):
    settings.CASE_OFFICER_READ_DAYS_AFTER_END = 214
    with time_machine.travel(TODAY, tick=False):
        placement_end(placement=placement, ended_on=TODAY, outcome="studies", acting_user=manager)
        fetched = placement_get_for(user=case_officer, placement_id=placement.pk)
        assert fetched.access.relations == {Relation.CASE_OFFICER}
    with time_machine.travel(TODAY + timedelta(days=214), tick=False):
        assert visible(case_officer) == {placement.participant_id}
    with time_machine.travel(TODAY + timedelta(days=215), tick=False):
        assert visible(case_officer) == set()
        with pytest.raises(Http404):
            placement_get_for(user=case_officer, placement_id=placement.pk)


def test_reassigned_supervisor_loses_the_expiry(
    placement, supervisor, enterprise, manager, settings
):
    """A supervisor moved off and back on keeps access past the old grace period."""
    settings.SUPERVISOR_READ_GRACE_DAYS = 30
    successor = user_with_role(Role.SUPERVISOR, enterprise)
    with time_machine.travel(TODAY, tick=False):
        placement_change_supervisors(
            placement=placement, supervisors=[successor], acting_user=manager, on=TODAY
        )
        grant = ParticipantUserObjectPermission.objects.get(
            user=supervisor, permission__codename="view_participant"
        )
        assert grant.expires_on == TODAY + timedelta(days=30)
        placement_change_supervisors(
            placement=placement, supervisors=[successor, supervisor], acting_user=manager, on=TODAY
        )
        grant.refresh_from_db()
        assert grant.expires_on is None
        assert grant.history.filter(
            history_change_reason="grant: supervisor assigned", expires_on__isnull=True
        ).exists()
    with time_machine.travel(TODAY + timedelta(days=60), tick=False):
        assert visible(supervisor) == {placement.participant_id}
