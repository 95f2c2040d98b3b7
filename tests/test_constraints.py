"""The database itself refuses rows that break the domain's invariants.

Each case starts from a valid row made through the services (or a factory for
the non-personal models), breaks exactly one rule and saves it directly,
bypassing the services' validation. The error must name the constraint (or,
for a UNIQUE failure on SQLite, which names columns, its columns), so a row
that fails for some other reason does not count.
"""

import enum
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from accounts.models import Membership, Organisation, Role, Unit
from casework.models import (
    Assessment,
    Exit,
    FollowUp,
    Goal,
    Item,
    ProgressNote,
    Review,
    Score,
)
from casework.services import assessment_record, goal_add, placement_end
from encryption.models import DataKey
from funding.models import ProjectPlacement
from participants.models import Consent, Participant
from participants.services import consent_record
from placements.models import Attendance, Placement, PlacementPause, PlacementSupervisor, Programme
from placements.services import (
    AttendanceEntry,
    attendance_record_week,
    placement_pause,
    referral_register,
)
from reports.models import Release, ReportExport
from tests.factories import MembershipFactory, make_participant
from timesheets.models import TimeConfirmation

DOMAIN_APPS = (
    "accounts",
    "participants",
    "placements",
    "casework",
    "reports",
    "subject_copy",
    "timesheets",
    "funding",
)
MONDAY = date(2026, 1, 5)  # the fixture placement's first day


# --- builders: each returns a row that breaks one constraint, not yet saved


def _membership(request, **changes):
    membership = Membership.objects.get(
        user=request.getfixturevalue("supervisor"), role=Role.SUPERVISOR
    )
    for name, value in changes.items():
        setattr(membership, name, value)
    return membership


def _participant(request, **changes):
    participant = request.getfixturevalue("participant")
    for name, value in changes.items():
        setattr(participant, name, value)
    return participant


def _consent(request, **changes):
    participant = request.getfixturevalue("participant")
    consent = consent_record(
        participant=participant,
        purpose=Consent.Purpose.SHARE_WITH_AGENCY,
        agency=request.getfixturevalue("agency"),
        evidence="Signed form",
        acting_user=request.getfixturevalue("manager"),
    )
    for name, value in changes.items():
        setattr(consent, name, value)
    return consent


def _second_wording_same_version(request):
    from participants.models import ConsentTemplate

    request.getfixturevalue("db")
    ConsentTemplate.objects.create(purpose="media", version=1, title="Foto", wording="Bilder.")
    return ConsentTemplate(purpose="media", version=1, title="Foto", wording="Bilder igen.")


def _subject_copy(request, **fields):
    from subject_copy.models import SubjectCopy

    return SubjectCopy(
        participant=request.getfixturevalue("participant"),
        requested_by=request.getfixturevalue("manager"),
        requested_role="manager",
        **fields,
    )


def _time_confirmation(request, **changes):
    from tests.timesheets.conftest import confirm, record_week

    placement = request.getfixturevalue("placement")
    supervisor = request.getfixturevalue("supervisor")
    record_week(placement, supervisor)
    confirmation = confirm(placement, supervisor)
    for name, value in changes.items():
        setattr(confirmation, name, value)
    return confirmation


def _second_time_confirmation(request):
    first = _time_confirmation(request)
    return TimeConfirmation(
        placement=first.placement,
        data_key_id=first.data_key_id,
        month=first.month,
        status="confirmed",
        channel="paper",
        recorded_by=first.recorded_by,
        recorded_at=timezone.now(),
        digest=first.digest,
    )


def _project(request, **changes):
    from funding.models import FundedProject

    values = {
        "enterprise": request.getfixturevalue("enterprise"),
        "funder": request.getfixturevalue("funder"),
        "kind": "esf",
        "name": "Projekt",
        "reference": "P-1",
        "starts_on": MONDAY,
        **changes,
    }
    return FundedProject(**values)


def _project_placement(request, **changes):
    from funding.services import project_placement_add

    project = _project(request)
    project.save()
    membership = project_placement_add(
        project=project,
        placement=request.getfixturevalue("placement"),
        joined_on=MONDAY,
        acting_user=request.getfixturevalue("manager"),
    )
    for name, value in changes.items():
        setattr(membership, name, value)
    return membership


def _second_project(request):
    _project(request).save()
    return _project(request)


def _funder_file(request, **changes):
    from encryption.models import DataKey
    from funding.models import FunderFile

    project = _project(request)
    project.save()
    data_key = DataKey.new()
    data_key.save()
    values = {
        "project": project,
        "kind": "sus",
        "first_month": MONDAY.replace(day=1),
        "last_month": MONDAY.replace(day=1),
        "data_key": data_key,
        "created_by": request.getfixturevalue("manager"),
        "created_role": "manager",
        **changes,
    }
    return FunderFile(**values)


def _placement(request, **changes):
    placement = request.getfixturevalue("placement")
    for name, value in changes.items():
        setattr(placement, name, value)
    return placement


def _referral(request, **changes):
    placement = referral_register(
        participant=request.getfixturevalue("participant"),
        programme=Programme.WORK_TRAINING,
        referred_on=MONDAY,
        acting_user=request.getfixturevalue("manager"),
    )
    for name, value in changes.items():
        setattr(placement, name, value)
    return placement


def _assignment(request, **changes):
    assignment = request.getfixturevalue("placement").supervisor_assignments.get()
    for name, value in changes.items():
        setattr(assignment, name, value)
    return assignment


def _second_open_assignment(request):
    placement = request.getfixturevalue("placement")
    return PlacementSupervisor(
        placement=placement,
        supervisor=request.getfixturevalue("supervisor"),
        assigned_on=MONDAY + timedelta(days=7),
    )


def _pause(request, **changes):
    placement = request.getfixturevalue("placement")
    placement_pause(
        placement=placement,
        reason="Sjukskriven",
        on=MONDAY,
        acting_user=request.getfixturevalue("manager"),
    )
    pause = placement.pauses.get()
    for name, value in changes.items():
        setattr(pause, name, value)
    return pause


def _second_open_pause(request):
    pause = _pause(request)
    return PlacementPause(
        placement=pause.placement,
        data_key_id=pause.data_key_id,
        paused_on=MONDAY + timedelta(days=1),
        reason="Igen",
        paused_by=pause.paused_by,
    )


def _attendance(request, **changes):
    placement = request.getfixturevalue("placement")
    [row] = attendance_record_week(
        unit=request.getfixturevalue("unit"),
        week_start=MONDAY,
        entries=[AttendanceEntry(placement_id=placement.pk, date=MONDAY, attended_hours=4)],
        acting_user=request.getfixturevalue("supervisor"),
    )
    for name, value in changes.items():
        setattr(row, name, value)
    return row


def _second_attendance_row(request):
    row = _attendance(request)
    return Attendance(
        placement=row.placement,
        data_key_id=row.data_key_id,
        date=row.date,
        planned_hours=Decimal("4"),
        attended_hours=Decimal("2"),
        recorded_by=row.recorded_by,
    )


def _goal(request, **changes):
    goal = goal_add(
        placement=request.getfixturevalue("placement"),
        text="Arbeta fyra timmar om dagen",
        acting_user=request.getfixturevalue("supervisor"),
    )
    for name, value in changes.items():
        setattr(goal, name, value)
    return goal


def _item(request, **changes):
    item = request.getfixturevalue("instrument").items.get(code="motivation")
    for name, value in changes.items():
        setattr(item, name, value)
    return item


def _second_item_with_code(request):
    instrument = request.getfixturevalue("instrument")
    return Item(instrument=instrument, code="motivation", label="Motivation igen", position=99)


def _assessment(request):
    instrument = request.getfixturevalue("instrument")
    return assessment_record(
        placement=request.getfixturevalue("placement"),
        instrument=instrument,
        scores={item.code: 5 for item in instrument.items.all()},
        kind=Assessment.Kind.INTAKE,
        on=MONDAY,
        acting_user=request.getfixturevalue("supervisor"),
    )


def _score(request, **changes):
    score = _assessment(request).scores.get(item__code="motivation")
    for name, value in changes.items():
        setattr(score, name, value)
    return score


def _second_score_for_item(request):
    score = _score(request)
    return Score(assessment=score.assessment, item=score.item, value=7)


def _exit(request, **changes):
    exit_record = placement_end(
        placement=request.getfixturevalue("placement"),
        ended_on=date(2026, 6, 30),
        outcome="job_seeking",
        acting_user=request.getfixturevalue("manager"),
    )
    for name, value in changes.items():
        setattr(exit_record, name, value)
    return exit_record


def _follow_up(request, **changes):
    follow_up = _exit(request).follow_ups.get(kind=FollowUp.Kind.DAY_28)
    for name, value in changes.items():
        setattr(follow_up, name, value)
    return follow_up


def _second_follow_up_of_kind(request):
    follow_up = _follow_up(request)
    return FollowUp(
        participant_id=follow_up.participant_id,
        exit=follow_up.exit,
        data_key_id=follow_up.data_key_id,
        kind=FollowUp.Kind.DAY_28,
        due_on=follow_up.due_on + timedelta(days=1),
    )


def _second_participant_same_number(request):
    """Another participant made by the service, given the first one's blind index."""
    first = request.getfixturevalue("participant")
    second = make_participant(
        organisation=first.organisation, acting_user=request.getfixturevalue("manager")
    )
    second.personal_identity_index = first.personal_identity_index
    return second


def _release(**changes):
    """An anonymised release record (command line: no user, no recipient)."""
    fields = {
        "created_role": "command line",
        "organisation_ids": [],
        "first_month": date(2026, 1, 1),
        "last_month": date(2026, 6, 1),
        "as_of": date(2026, 6, 30),
        "threshold": 5,
        "digest": "0" * 64,
        **changes,
    }
    return Release(**fields)


CASES = [
    # accounts
    pytest.param(
        "organisation_unique_kind_name",
        lambda request: Organisation(
            kind=Organisation.Kind.ENTERPRISE, name=request.getfixturevalue("enterprise").name
        ),
        id="organisation-same-kind-and-name",
    ),
    pytest.param(
        "organisation_kind_valid",
        lambda request: Organisation(kind="school", name="Folkhögskolan"),
        id="organisation-kind-unknown",
    ),
    pytest.param(
        "unit_unique_name",
        lambda request: Unit(
            organisation=request.getfixturevalue("enterprise"),
            name=request.getfixturevalue("unit").name,
            trade=Unit.Trade.CAFE,
        ),
        id="unit-same-name-at-enterprise",
    ),
    pytest.param(
        "membership_one_open_per_role",
        lambda request: Membership(
            user=request.getfixturevalue("supervisor"),
            organisation=request.getfixturevalue("enterprise"),
            role=Role.SUPERVISOR,
            active_from=date(2026, 1, 1),
        ),
        id="membership-second-open",
    ),
    pytest.param(
        "membership_approved_by_another",
        lambda request: _membership(
            request,
            approved_by=request.getfixturevalue("manager"),
            requested_by=request.getfixturevalue("manager"),
        ),
        id="membership-approved-by-its-requester",
    ),
    pytest.param(
        "membership_approved_by_another",
        lambda request: _membership(
            request,
            user=request.getfixturevalue("manager"),
            approved_by=request.getfixturevalue("manager"),
        ),
        id="membership-approved-by-its-member",
    ),
    pytest.param(
        "membership_end_not_before_start",
        lambda request: _membership(request, active_to=date(2019, 12, 31)),
        id="membership-ends-before-start",
    ),
    pytest.param(
        "membership_role_valid",
        lambda request: _membership(request, role="janitor"),
        id="membership-role-unknown",
    ),
    # participants
    pytest.param(
        "participant_unique_identity_per_enterprise",
        _second_participant_same_number,
        id="participant-same-number-same-enterprise",
    ),
    pytest.param(
        "participant_birth_year_plausible",
        lambda request: _participant(request, birth_year=1899),
        id="participant-born-1899",
    ),
    pytest.param(
        "participant_birth_year_plausible",
        lambda request: _participant(request, birth_year=2101),
        id="participant-born-2101",
    ),
    pytest.param(
        "participant_gender_valid",
        lambda request: _participant(request, gender="female"),
        id="participant-gender-unknown",
    ),
    pytest.param(
        "participant_status_valid",
        lambda request: _participant(request, status="deleted"),
        id="participant-status-unknown",
    ),
    pytest.param(
        "consent_withdrawn_not_before_given",
        lambda request: _consent(request, withdrawn_at=timezone.now() - timedelta(days=1)),
        id="consent-withdrawn-before-given",
    ),
    pytest.param(
        "consent_sharing_names_agency",
        lambda request: _consent(request, agency=None),
        id="consent-sharing-without-agency",
    ),
    pytest.param(
        "consent_funder_sharing_names_funder",
        lambda request: _consent(request, agency=None, purpose="share_with_funder", funder=None),
        id="consent-funder-sharing-without-funder",
    ),
    pytest.param(
        "consent_template_one_row_per_version",
        _second_wording_same_version,
        id="consent-wording-version-twice",
    ),
    # placements
    pytest.param(
        "placement_planned_end_not_before_start",
        lambda request: _placement(request, planned_end=MONDAY - timedelta(days=1)),
        id="placement-planned-end-before-start",
    ),
    pytest.param(
        "placement_actual_end_not_before_start",
        lambda request: _placement(request, actual_end=MONDAY - timedelta(days=1)),
        id="placement-actual-end-before-start",
    ),
    pytest.param(
        "placement_actual_end_not_before_start",
        lambda request: _referral(request, actual_end=MONDAY),
        id="placement-actual-end-without-start",
    ),
    pytest.param(
        "placement_hours_per_week_range",
        lambda request: _placement(request, hours_per_week=Decimal("0")),
        id="placement-zero-hours",
    ),
    pytest.param(
        "placement_hours_per_week_range",
        lambda request: _placement(request, hours_per_week=Decimal("40.5")),
        id="placement-over-40-hours",
    ),
    pytest.param(
        "placement_status_valid",
        lambda request: _placement(request, status="cancelled"),
        id="placement-status-unknown",
    ),
    pytest.param(
        "placement_started_has_start_and_unit",
        lambda request: _referral(request, status=Placement.Status.ACTIVE),
        id="placement-active-without-start-or-unit",
    ),
    pytest.param(
        "placement_started_has_start_and_unit",
        lambda request: _placement(request, unit=None),
        id="placement-active-without-unit",
    ),
    pytest.param(
        "placement_ended_has_end",
        lambda request: _placement(request, status=Placement.Status.ENDED),
        id="placement-ended-without-end",
    ),
    pytest.param(
        "placement_supervisor_one_open",
        _second_open_assignment,
        id="supervisor-assigned-twice",
    ),
    pytest.param(
        "placement_supervisor_end_not_before_start",
        lambda request: _assignment(request, ended_on=MONDAY - timedelta(days=1)),
        id="supervisor-unassigned-before-assigned",
    ),
    pytest.param("placement_pause_one_open", _second_open_pause, id="pause-two-open"),
    pytest.param(
        "placement_pause_resumed_not_before_paused",
        lambda request: _pause(request, resumed_on=MONDAY - timedelta(days=1)),
        id="pause-resumed-before-paused",
    ),
    pytest.param(
        "attendance_one_row_per_day",
        _second_attendance_row,
        id="attendance-two-rows-one-day",
    ),
    pytest.param(
        "attendance_attended_hours_range",
        lambda request: _attendance(request, attended_hours=Decimal("-0.5")),
        id="attendance-negative-hours",
    ),
    pytest.param(
        "attendance_attended_hours_range",
        lambda request: _attendance(request, attended_hours=Decimal("24.25")),
        id="attendance-over-24-hours",
    ),
    pytest.param(
        "attendance_planned_hours_range",
        lambda request: _attendance(request, planned_hours=Decimal("-1")),
        id="attendance-negative-planned",
    ),
    pytest.param(
        "attendance_planned_hours_range",
        lambda request: _attendance(request, planned_hours=Decimal("25")),
        id="attendance-over-24-planned",
    ),
    pytest.param(
        "attendance_absence_reason_valid",
        lambda request: _attendance(request, absence_reason="vacation"),
        id="attendance-reason-unknown",
    ),
    # casework
    pytest.param(
        "goal_achieved_has_date",
        lambda request: _goal(request, status=Goal.Status.ACHIEVED),
        id="goal-achieved-without-date",
    ),
    pytest.param("item_unique_code", _second_item_with_code, id="item-same-code"),
    pytest.param(
        "item_score_range_valid",
        lambda request: _item(request, min_score=10, max_score=10),
        id="item-empty-range",
    ),
    pytest.param(
        "item_score_range_valid",
        lambda request: _item(request, min_score=7, max_score=3),
        id="item-reversed-range",
    ),
    pytest.param("score_one_per_item", _second_score_for_item, id="score-twice-for-item"),
    pytest.param("score_value_range", lambda request: _score(request, value=0), id="score-zero"),
    pytest.param("score_value_range", lambda request: _score(request, value=11), id="score-eleven"),
    pytest.param(
        "exit_outcome_valid",
        lambda request: _exit(request, outcome="retired"),
        id="exit-outcome-unknown",
    ),
    pytest.param("follow_up_one_per_kind", _second_follow_up_of_kind, id="follow-up-kind-twice"),
    pytest.param(
        "follow_up_done_has_status",
        lambda request: _follow_up(request, done_at=timezone.now()),
        id="follow-up-done-without-status",
    ),
    pytest.param(
        "report_export_progress_range",
        lambda request: ReportExport(
            created_by=request.getfixturevalue("manager"), created_role="manager", progress=101
        ),
        id="report-export-progress-over-100",
    ),
    pytest.param(
        "report_export_status_valid",
        lambda request: ReportExport(
            created_by=request.getfixturevalue("manager"), created_role="manager", status="lost"
        ),
        id="report-export-status-unknown",
    ),
    pytest.param(
        "release_months_ordered",
        lambda request: _release(first_month=date(2026, 6, 1), last_month=date(2026, 5, 1)),
        id="release-ends-before-it-starts",
    ),
    pytest.param(
        "release_threshold_min",
        lambda request: _release(threshold=2),
        id="release-threshold-under-3",
    ),
    pytest.param(
        "release_grouping_valid",
        lambda request: _release(grouping="finest"),
        id="release-grouping-unknown",
    ),
    # subject_copy
    pytest.param(
        "subject_copy_progress_range",
        lambda request: _subject_copy(request, progress=101),
        id="subject-copy-progress-over-100",
    ),
    pytest.param(
        "subject_copy_status_valid",
        lambda request: _subject_copy(request, status="lost"),
        id="subject-copy-status-unknown",
    ),
    # timesheets
    pytest.param(
        "time_confirmation_one_per_month",
        _second_time_confirmation,
        id="time-confirmation-second-for-a-month",
    ),
    pytest.param(
        "time_confirmation_status_valid",
        lambda request: _time_confirmation(request, status="maybe"),
        id="time-confirmation-status-unknown",
    ),
    pytest.param(
        "time_confirmation_channel_valid",
        lambda request: _time_confirmation(request, channel="fax"),
        id="time-confirmation-channel-unknown",
    ),
    pytest.param(
        "time_confirmation_actor_matches_channel",
        lambda request: _time_confirmation(request, recorded_by=None),
        id="time-confirmation-paper-without-staff",
    ),
    pytest.param(
        "time_confirmation_resolution_of_a_dispute",
        lambda request: _time_confirmation(request, resolution="kept"),
        id="time-confirmation-resolved-without-a-dispute",
    ),
    # funding
    pytest.param(
        "funded_project_kind_valid",
        lambda request: _project(request, kind="lottery"),
        id="project-kind-unknown",
    ),
    pytest.param(
        "funded_project_ends_not_before_start",
        lambda request: _project(request, ends_on=MONDAY - timedelta(days=1)),
        id="project-ends-before-start",
    ),
    pytest.param(
        "funded_project_reference_unique",
        _second_project,
        id="project-reference-twice",
    ),
    pytest.param(
        "project_placement_left_not_before_joined",
        lambda request: _project_placement(request, left_on=MONDAY - timedelta(days=1)),
        id="project-placement-left-before-joined",
    ),
    pytest.param(
        "project_placement_entry_status_valid",
        lambda request: _project_placement(request, entry_status="retired"),
        id="project-placement-status-unknown",
    ),
    pytest.param(
        "project_placement_age_plausible",
        lambda request: _project_placement(request, age_at_entry=150),
        id="project-placement-age-150",
    ),
    pytest.param(
        "funder_file_progress_range",
        lambda request: _funder_file(request, progress=101),
        id="funder-file-progress-over-100",
    ),
    pytest.param(
        "funder_file_status_valid",
        lambda request: _funder_file(request, status="lost"),
        id="funder-file-status-unknown",
    ),
    pytest.param(
        "funder_file_kind_valid",
        lambda request: _funder_file(request, kind="tax"),
        id="funder-file-kind-unknown",
    ),
    pytest.param(
        "funder_file_months_ordered",
        lambda request: _funder_file(request, last_month=date(2025, 12, 1)),
        id="funder-file-months-reversed",
    ),
]


def _constraint(model: type[models.Model], name: str) -> models.BaseConstraint:
    return next(c for c in model._meta.constraints if c.name == name)


def _expected_error_text(model: type[models.Model], constraint: models.BaseConstraint) -> str:
    """What the database's error message says about this constraint."""
    if isinstance(constraint, models.UniqueConstraint) and connection.vendor == "sqlite":
        # SQLite names the columns of a failed unique index, not the index.
        table = model._meta.db_table
        columns = (model._meta.get_field(name).column for name in constraint.fields)
        return ", ".join(f"{table}.{column}" for column in columns)
    return constraint.name


@pytest.mark.django_db
@pytest.mark.parametrize(("constraint_name", "make_violation"), CASES)
def test_database_rejects_row_breaking_constraint(constraint_name, make_violation, request):
    row = make_violation(request)
    model = type(row)
    constraint = _constraint(model, constraint_name)

    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        row.save()

    assert _expected_error_text(model, constraint) in str(excinfo.value)


def test_every_domain_constraint_has_a_case():
    """A new constraint without a case above fails here."""
    declared = {
        constraint.name
        for label in DOMAIN_APPS
        for model in apps.get_app_config(label).get_models()
        for constraint in model._meta.constraints
    }
    covered = {case.values[0] for case in CASES}
    assert declared == covered


# --- what the constraints must still allow (so they are not stricter than the rules)


@pytest.mark.django_db
def test_closed_membership_does_not_block_a_new_open_one(supervisor, enterprise):
    old = Membership.objects.get(user=supervisor, role=Role.SUPERVISOR)
    old.active_to = date(2025, 12, 31)
    old.save()

    MembershipFactory(
        user=supervisor, organisation=enterprise, role=Role.SUPERVISOR, active_from=date(2026, 1, 1)
    )

    assert Membership.objects.filter(user=supervisor, role=Role.SUPERVISOR).count() == 2


@pytest.mark.django_db
def test_same_number_at_another_enterprise_is_allowed(participant, other_enterprise, other_manager):
    other = make_participant(organisation=other_enterprise, acting_user=other_manager)
    other.personal_identity_index = participant.personal_identity_index

    with transaction.atomic():
        other.save()

    assert (
        Participant.objects.filter(
            personal_identity_index=participant.personal_identity_index
        ).count()
        == 2
    )


@pytest.mark.django_db
def test_ended_supervisor_assignment_allows_reassignment(placement, supervisor):
    old = placement.supervisor_assignments.get()
    old.ended_on = date(2026, 2, 1)
    old.save()

    PlacementSupervisor.objects.create(
        placement=placement, supervisor=supervisor, assigned_on=date(2026, 3, 1)
    )

    assert placement.supervisor_assignments.filter(ended_on__isnull=True).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("hours", [Decimal("0"), Decimal("24")])
def test_attended_hours_bounds_are_inclusive(request, hours):
    row = _attendance(request, attended_hours=hours)

    with transaction.atomic():
        row.save()

    row.refresh_from_db()
    assert row.attended_hours == hours


@pytest.mark.django_db
def test_one_exit_per_placement(request):
    exit_record = _exit(request)
    second = Exit(
        placement=exit_record.placement,
        data_key_id=exit_record.data_key_id,
        date=exit_record.date,
        outcome="studies",
        recorded_by=exit_record.recorded_by,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


@pytest.mark.django_db
def test_one_data_key_per_participant(participant, manager, enterprise):
    other = make_participant(organisation=enterprise, acting_user=manager)
    other.data_key = participant.data_key

    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()

    assert DataKey.objects.filter(pk=participant.data_key_id).exists()


# --- shape of the person-linked models

PERSON_LINKED = [
    TimeConfirmation,
    Participant,
    ProjectPlacement,
    Consent,
    Placement,
    PlacementSupervisor,
    Attendance,
    ProgressNote,
    Goal,
    Assessment,
    Score,
    Review,
    Exit,
    FollowUp,
    Membership,
]


@pytest.mark.parametrize("model", PERSON_LINKED, ids=lambda model: model.__name__)
def test_person_linked_model_has_uuid_pk_and_history(model):
    pk = model._meta.pk
    assert isinstance(pk, models.UUIDField)
    assert pk.default is uuid.uuid4
    history = model.history
    historical = history.model
    assert historical.instance_type is model
    assert {"history_user", "history_change_reason", "history_date", "history_type"} <= {
        field.name for field in historical._meta.get_fields()
    }


def _text_choices_classes() -> list[type[models.TextChoices]]:
    found, pending = [], [models.TextChoices]
    while pending:
        cls = pending.pop()
        for subclass in cls.__subclasses__():
            found.append(subclass)
            pending.append(subclass)
    return found


def _choice_fields():
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            if getattr(model, "instance_type", None) is not None:
                continue  # a history model copies its live model's fields
            for field in model._meta.concrete_fields:
                if field.choices:
                    yield pytest.param(field, id=f"{model.__name__}.{field.name}")


@pytest.mark.parametrize("field", list(_choice_fields()))
def test_every_choices_field_uses_text_choices(field):
    values = [value for value, _label in field.flatchoices]
    matching = [
        cls
        for cls in _text_choices_classes()
        if issubclass(cls, enum.Enum) and list(cls.values) == values
    ]
    assert matching, f"{field} has choices that are not a TextChoices"
    assert isinstance(field, models.CharField)
