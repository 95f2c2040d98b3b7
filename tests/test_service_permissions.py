"""Every service that writes person data checks the acting user itself.

The views check too, but a view that forgets its check must not be enough to
write: each service is called here directly, by users without the relationship
the write needs, and must refuse (PermissionDenied) with nothing written. The
users who may write are shown to succeed in the services' own tests.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Membership, Role
from casework.models import Assessment, Exit, FollowUp, Goal, ProgressNote, Review
from casework.services import (
    assessment_record,
    follow_up_record,
    goal_add,
    goal_set_status,
    placement_end,
    progress_note_add,
    review_record,
)
from participants.models import Consent, Participant
from participants.services import (
    consent_record,
    consent_withdraw,
    participant_create,
    participant_update,
)
from placements.models import Attendance, Placement
from placements.services import (
    AttendanceEntry,
    attendance_record_week,
    membership_end,
    placement_change_supervisors,
    placement_change_unit,
    placement_pause,
    placement_plan_decide,
    placement_plan_submit,
    placement_plan_update,
    placement_resume,
    placement_schedule,
    placement_start,
    referral_register,
)
from referrals.models import Agreement, CaseMessage, Referral
from referrals.services import (
    case_message_post,
    referral_accept,
    referral_decline,
    referral_request_information,
    referral_supplement,
    referral_withdraw,
)
from tests.factories import UnitFactory, nothing_written, participant_input, user_with_role
from tests.referrals.conftest import send_referral
from tests.timesheets.conftest import confirm, current_digest
from timesheets.models import TimeConfirmation
from timesheets.services import time_confirmation_record, time_dispute_resolve

pytestmark = pytest.mark.django_db

OUTSIDERS = ("other_supervisor", "other_case_officer", "analyst", "auditor", "admin_user")


@pytest.fixture
def outsider(request):
    return request.getfixturevalue(request.param)


def _week_entry(placement):
    return [
        AttendanceEntry(
            placement_id=placement.pk,
            date=date(2026, 1, 5),
            planned_hours=Decimal(4),
            attended_hours=Decimal(4),
        )
    ]


#: name → (the tracked models it writes, a call with the acting user as argument).
WRITES = {
    "progress_note_add": (
        [ProgressNote],
        lambda s, user: progress_note_add(
            placement=s["placement"], text="Hej", kind="observation", acting_user=user
        ),
    ),
    "goal_add": (
        [Goal],
        lambda s, user: goal_add(placement=s["placement"], text="Mål", acting_user=user),
    ),
    "goal_set_status": (
        [Goal],
        lambda s, user: goal_set_status(goal=s["goal"], status="achieved", acting_user=user),
    ),
    "assessment_record": (
        [Assessment],
        lambda s, user: assessment_record(
            placement=s["placement"],
            instrument=s["instrument"],
            scores={item.code: 5 for item in s["instrument"].items.all()},
            kind="intake",
            acting_user=user,
        ),
    ),
    "review_record": (
        [Review],
        lambda s, user: review_record(
            placement=s["placement"], summary="Bra", decision="continue", acting_user=user
        ),
    ),
    "placement_end": (
        [Exit, Placement],
        lambda s, user: placement_end(
            placement=s["placement"], ended_on=date(2026, 1, 9), outcome="studies", acting_user=user
        ),
    ),
    "participant_update": (
        [Participant],
        lambda s, user: participant_update(
            participant=s["participant"], municipality="Borlänge", acting_user=user
        ),
    ),
    "participant_create": (
        [Participant],
        lambda s, user: participant_create(
            organisation=s["enterprise"], data=participant_input(), acting_user=user
        ),
    ),
    "consent_record": (
        [Consent],
        lambda s, user: consent_record(
            participant=s["participant"], purpose=Consent.Purpose.PROCESSING, acting_user=user
        ),
    ),
    "referral_register": (
        [Placement],
        lambda s, user: referral_register(
            participant=s["participant"],
            programme="work_training",
            referred_on=date(2026, 1, 2),
            acting_user=user,
        ),
    ),
    "placement_pause": (
        [Placement],
        lambda s, user: placement_pause(
            placement=s["placement"], reason="Sjukskriven två veckor", acting_user=user
        ),
    ),
    "placement_change_supervisors": (
        [Placement],
        lambda s, user: placement_change_supervisors(
            placement=s["placement"], supervisors=[s["supervisor"]], acting_user=user
        ),
    ),
    "placement_change_unit": (
        [Placement],
        lambda s, user: placement_change_unit(
            placement=s["placement"],
            unit=UnitFactory(organisation=s["enterprise"], name="Snickeriet"),
            acting_user=user,
        ),
    ),
    "placement_plan_update": (
        [Placement],
        lambda s, user: placement_plan_update(
            placement=s["placement"], goals="Mål", tasks="", support="", acting_user=user
        ),
    ),
    "placement_plan_submit": (
        [Placement],
        lambda s, user: placement_plan_submit(placement=s["placement"], acting_user=user),
    ),
    "placement_plan_decide": (
        [Placement],
        lambda s, user: placement_plan_decide(
            placement=s["placement"], approve=True, acting_user=user
        ),
    ),
    "attendance_record_week": (
        [Attendance],
        lambda s, user: attendance_record_week(
            unit=s["unit"],
            week_start=date(2026, 1, 5),
            entries=_week_entry(s["placement"]),
            acting_user=user,
        ),
    ),
    "placement_schedule": (
        [Placement],
        lambda s, user: placement_schedule(
            placement=s["placement"], unit=s["unit"], start_date=date(2026, 2, 2), acting_user=user
        ),
    ),
    "case_message_post": (
        [CaseMessage],
        lambda s, user: case_message_post(placement=s["placement"], body="Hej", acting_user=user),
    ),
    "referral_create": (
        [Referral],
        lambda s, user: send_referral(
            case_officer=user, agency=s["agency"], enterprise=s["enterprise"]
        ),
    ),
    "referral_accept": (
        [Referral, Placement, Participant],
        lambda s, user: referral_accept(
            referral=s["referral"],
            unit=s["unit"],
            supervisor=s["supervisor"],
            start_date=date(2030, 1, 7),
            acting_user=user,
        ),
    ),
    "referral_request_information": (
        [Referral],
        lambda s, user: referral_request_information(
            referral=s["referral"], message="Mer?", acting_user=user
        ),
    ),
    "referral_decline": (
        [Referral],
        lambda s, user: referral_decline(referral=s["referral"], reason="Nej", acting_user=user),
    ),
    "referral_supplement": (
        [Referral],
        lambda s, user: referral_supplement(
            referral=s["referral"], message="Svar", acting_user=user
        ),
    ),
    "referral_withdraw": (
        [Referral],
        lambda s, user: referral_withdraw(referral=s["referral"], acting_user=user),
    ),
    "time_confirmation_record": (
        [TimeConfirmation],
        lambda s, user: time_confirmation_record(
            placement=s["placement"],
            month=date(2026, 1, 1),
            channel="on_screen",
            seen=current_digest(s["placement"]),
            acting_user=user,
        ),
    ),
    "time_dispute_resolve": (
        [TimeConfirmation, Attendance],
        lambda s, user: time_dispute_resolve(
            confirmation=s["dispute"],
            resolution="kept",
            comment="Stämmer",
            acting_user=user,
        ),
    ),
}


@pytest.fixture
def scene(
    enterprise, unit, participant, placement, supervisor, manager, instrument, agency, case_officer
):
    placement.plan_goals = "Klara en arbetsdag"
    Agreement.objects.create(agency=agency, enterprise=enterprise, valid_from=date(2020, 1, 1))
    return {
        "agency": agency,
        "referral": send_referral(case_officer=case_officer, agency=agency, enterprise=enterprise),
        "enterprise": enterprise,
        "unit": unit,
        "participant": participant,
        "placement": placement,
        "supervisor": supervisor,
        "instrument": instrument,
        "goal": goal_add(placement=placement, text="Mål", acting_user=supervisor),
        # A disputed month of the placement, waiting for the manager's decision.
        "dispute": confirm(
            placement,
            supervisor,
            month=date(2026, 2, 1),
            disputed_days=[date(2026, 2, 3)],
            comment="Fel",
        ),
    }


@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_user_without_the_relationship_cannot_write(scene, outsider, name):
    models, call = WRITES[name]
    with nothing_written(*models), pytest.raises(PermissionDenied):
        call(scene, outsider)


@pytest.mark.parametrize(
    "name",
    ["placement_pause", "placement_change_supervisors", "placement_change_unit", "placement_end"],
)
def test_a_supervisor_cannot_do_what_only_the_manager_does(scene, supervisor, name):
    models, call = WRITES[name]
    with nothing_written(*models), pytest.raises(PermissionDenied):
        call(scene, supervisor)


@pytest.mark.parametrize(
    "name", ["progress_note_add", "attendance_record_week", "goal_add", "time_confirmation_record"]
)
def test_a_case_officer_cannot_write_the_enterprise_s_records(scene, case_officer, name):
    models, call = WRITES[name]
    with nothing_written(*models), pytest.raises(PermissionDenied):
        call(scene, case_officer)


def test_a_supervisor_cannot_resume_or_withdraw_consent(scene, supervisor, manager, placement):
    placement_pause(placement=placement, reason="Sjukskriven två veckor", acting_user=manager)
    with nothing_written(Placement), pytest.raises(PermissionDenied):
        placement_resume(placement=placement, acting_user=supervisor)
    consent = consent_record(
        participant=scene["participant"], purpose=Consent.Purpose.PROCESSING, acting_user=manager
    )
    with nothing_written(Consent), pytest.raises(PermissionDenied):
        consent_withdraw(consent=consent, acting_user=supervisor)


def test_a_supervisor_cannot_start_a_placement(scene, supervisor, manager, participant, unit):
    referral = referral_register(
        participant=participant,
        programme="work_training",
        referred_on=date(2026, 1, 2),
        acting_user=manager,
    )
    with nothing_written(Placement), pytest.raises(PermissionDenied):
        placement_start(
            placement=referral,
            unit=unit,
            supervisors=[supervisor],
            start_date=date(2026, 1, 12),
            acting_user=supervisor,
        )


def test_a_follow_up_is_recorded_only_by_the_manager(scene, manager, supervisor):
    placement_end(
        placement=scene["placement"],
        ended_on=date(2026, 1, 9),
        outcome="studies",
        acting_user=manager,
    )
    follow_up = FollowUp.objects.filter(participant=scene["participant"]).first()
    for user in (supervisor, user_with_role(Role.CASE_OFFICER, scene["enterprise"])):
        with nothing_written(FollowUp), pytest.raises(PermissionDenied):
            follow_up_record(follow_up=follow_up, status_found="studies", acting_user=user)


def test_a_membership_is_ended_only_by_a_manager_of_its_organisation(
    enterprise, supervisor, other_manager
):
    membership = Membership.objects.get(user=supervisor, organisation=enterprise)
    with nothing_written(Membership), pytest.raises(PermissionDenied):
        membership_end(membership=membership, ended_on=date(2026, 6, 1), acting_user=other_manager)


@pytest.mark.parametrize(
    "name", ["referral_accept", "referral_request_information", "referral_decline"]
)
def test_only_the_enterprise_s_manager_answers_a_referral(scene, supervisor, case_officer, name):
    models, call = WRITES[name]
    for user in (supervisor, case_officer):
        with nothing_written(*models), pytest.raises(PermissionDenied):
            call(scene, user)


@pytest.mark.parametrize("name", ["referral_supplement", "referral_withdraw"])
def test_only_the_sender_changes_a_referral(scene, manager, supervisor, name):
    models, call = WRITES[name]
    for user in (manager, supervisor):
        with nothing_written(*models), pytest.raises(PermissionDenied):
            call(scene, user)


def test_only_the_manager_resolves_a_time_dispute(scene, supervisor, case_officer):
    dispute = scene["dispute"]
    for user in (supervisor, case_officer):
        with nothing_written(TimeConfirmation, Attendance), pytest.raises(PermissionDenied):
            time_dispute_resolve(
                confirmation=dispute, resolution="kept", comment="Stämmer", acting_user=user
            )


@pytest.fixture
def funded(enterprise, funder, manager, placement):
    from funding.models import ProjectKind
    from funding.services import ProjectInput, project_create, project_placement_add

    project = project_create(
        enterprise=enterprise,
        data=ProjectInput(
            kind=ProjectKind.ESF,
            name="Projekt",
            reference="P-1",
            funder=funder,
            starts_on=date(2026, 1, 1),
        ),
        acting_user=manager,
    )
    membership = project_placement_add(
        project=project, placement=placement, joined_on=date(2026, 1, 5), acting_user=manager
    )
    return project, membership


FUNDING_WRITES = ("project_placement_add", "project_entry_record", "project_leaving_record")


@pytest.mark.parametrize("who", [*OUTSIDERS, "supervisor", "case_officer", "other_manager"])
@pytest.mark.parametrize("name", FUNDING_WRITES + ("funder_file_request", "project_create"))
def test_only_the_enterprise_s_manager_writes_funding_data(request, funded, enterprise, who, name):
    from funding import services
    from funding.models import FundedProject, FunderFile, ProjectPlacement
    from tests.funding.conftest import full_entry, full_leaving

    project, membership = funded
    user = request.getfixturevalue(who)
    calls = {
        "project_placement_add": lambda: services.project_placement_add(
            project=project,
            placement=membership.placement,
            joined_on=date(2026, 2, 2),
            acting_user=user,
        ),
        "project_entry_record": lambda: services.project_entry_record(
            membership=membership, data=full_entry(), acting_user=user
        ),
        "project_leaving_record": lambda: services.project_leaving_record(
            membership=membership, data=full_leaving(), acting_user=user
        ),
        "funder_file_request": lambda: services.funder_file_request(
            project=project,
            kind="esf_participants",
            first_month=date(2026, 1, 1),
            last_month=date(2026, 3, 1),
            acting_user=user,
        ),
        "project_create": lambda: services.project_create(
            enterprise=enterprise,
            data=services.ProjectInput(
                kind="esf",
                name="X",
                reference="P-2",
                funder=project.funder,
                starts_on=date(2026, 1, 1),
            ),
            acting_user=user,
        ),
    }
    with (
        nothing_written(ProjectPlacement, FundedProject, FunderFile),
        pytest.raises(PermissionDenied),
    ):
        calls[name]()
