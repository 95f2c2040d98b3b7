"""Services on placements and attendance: happy paths, every refusal, no half writes."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from accounts.models import Role
from casework.services import placement_end
from placements.models import Attendance, Placement, PlacementSupervisor, Programme
from placements.services import (
    AttendanceClearReason,
    AttendanceEntry,
    attendance_record_week,
    placement_change_supervisors,
    placement_pause,
    placement_plan_decide,
    placement_plan_submit,
    placement_plan_update,
    placement_resume,
    placement_start,
    referral_register,
)
from tests.factories import nothing_written, user_with_role

TODAY = datetime(2026, 11, 27, 12, tzinfo=UTC)
MONDAY = date(2026, 1, 5)  # the fixture placement's first day
WEEK = [MONDAY + timedelta(days=offset) for offset in range(5)]


@pytest.fixture(autouse=True)
def _today_in_english():
    # The clock ticks from TODAY so that history rows written one after another
    # keep their order (history ids are UUIDs; the date is the only order).
    with time_machine.travel(TODAY), translation.override("en"):
        yield


@pytest.fixture
def referral(participant, agency, case_officer, manager):
    return referral_register(
        participant=participant,
        programme=Programme.VOCATIONAL_REHABILITATION,
        referred_on=date(2026, 1, 2),
        referring_organisation=agency,
        case_officer=case_officer,
        proposed_start=MONDAY,
        acting_user=manager,
    )


@pytest.fixture
def second_supervisor(enterprise):
    return user_with_role(Role.SUPERVISOR, enterprise, username="second_supervisor")


def _history(instance):
    """History rows of one object, newest first."""
    return list(instance.history.all())


def _entries(placement, hours, days=WEEK, **fields):
    return [
        AttendanceEntry(
            placement_id=placement.pk, date=day, attended_hours=Decimal(str(hour)), **fields
        )
        for day, hour in zip(days, hours, strict=True)
    ]


# --- referral_register


@pytest.mark.django_db
def test_referral_register(participant, agency, case_officer, manager):
    placement = referral_register(
        participant=participant,
        programme=Programme.WORK_TRAINING,
        referred_on=date(2026, 3, 2),
        referring_organisation=agency,
        case_officer=case_officer,
        proposed_start=date(2026, 3, 9),
        decision_number=" Af-2026-1234 ",
        acting_user=manager,
    )

    loaded = Placement.objects.get(pk=placement.pk)
    assert loaded.status == Placement.Status.REFERRED
    assert loaded.decision_number == "Af-2026-1234"
    assert loaded.participant == participant
    assert loaded.data_key_id == participant.data_key_id
    assert (loaded.referring_organisation, loaded.case_officer) == (agency, case_officer)
    assert (loaded.referred_on, loaded.proposed_start) == (date(2026, 3, 2), date(2026, 3, 9))
    assert loaded.unit is None and loaded.start_date is None
    [history] = _history(loaded)
    assert history.history_user == manager
    assert history.history_change_reason == "referral registered"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"programme": "sabbatical"}, "programme", "Choose a valid programme."),
        (
            {"referring_organisation": "other_enterprise", "case_officer": None},
            "referring_organisation",
            "The referring organisation must be an agency.",
        ),
        (
            {"referring_organisation": None},
            "case_officer",
            "Name the referring agency of the case officer.",
        ),
        (
            {"case_officer": "supervisor"},
            "case_officer",
            "This person is not a case officer at the referring agency.",
        ),
        (
            {"proposed_start": date(2026, 2, 27)},
            "proposed_start",
            "The proposed start cannot be before the referral date.",
        ),
    ],
)
def test_referral_register_refuses_bad_input(
    request, participant, manager, changes, field, message
):
    arguments = {
        "programme": Programme.WORK_TRAINING,
        "referred_on": date(2026, 3, 2),
        "referring_organisation": "agency",
        "case_officer": "case_officer",
        "proposed_start": None,
    }
    arguments.update(changes)
    for name in ("referring_organisation", "case_officer"):
        if isinstance(arguments[name], str):
            arguments[name] = request.getfixturevalue(arguments[name])

    with nothing_written(Placement), pytest.raises(ValidationError) as excinfo:
        referral_register(participant=participant, acting_user=manager, **arguments)

    assert excinfo.value.message_dict == {field: [message]}


# --- placement_start


@pytest.mark.django_db
def test_placement_start(referral, unit, supervisor, second_supervisor, manager):
    placement = placement_start(
        placement=referral,
        unit=unit,
        supervisors=[supervisor, second_supervisor, supervisor],
        start_date=MONDAY,
        planned_end=date(2026, 6, 30),
        hours_per_week="15.5",
        weekdays="531",
        acting_user=manager,
    )

    loaded = Placement.objects.get(pk=placement.pk)
    assert loaded.status == Placement.Status.ACTIVE
    assert (loaded.unit, loaded.start_date, loaded.planned_end) == (
        unit,
        MONDAY,
        date(2026, 6, 30),
    )
    assert loaded.hours_per_week == Decimal("15.5")
    assert loaded.weekdays == "135"
    latest = _history(loaded)[0]
    assert latest.history_user == manager
    assert latest.history_change_reason == "placement started"
    assert latest.status == Placement.Status.ACTIVE
    assignments = list(loaded.supervisor_assignments.order_by("supervisor__username"))
    assert [a.supervisor for a in assignments] == [second_supervisor, supervisor]
    for assignment in assignments:
        assert (assignment.assigned_on, assignment.ended_on) == (MONDAY, None)
        [history] = _history(assignment)
        assert history.history_user == manager
        assert history.history_change_reason == "supervisor assigned"


@pytest.mark.django_db
def test_placement_start_keeps_default_scope(referral, unit, supervisor, manager):
    placement_start(
        placement=referral,
        unit=unit,
        supervisors=[supervisor],
        start_date=MONDAY,
        acting_user=manager,
    )

    loaded = Placement.objects.get(pk=referral.pk)
    assert (loaded.hours_per_week, loaded.weekdays, loaded.planned_end) == (
        Decimal("20.0"),
        "12345",
        None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"planned_end": MONDAY - timedelta(days=1)},
            "planned_end",
            "The planned end cannot be before the start date.",
        ),
        ({"unit": "other_unit"}, "unit", "The unit must belong to the participant's enterprise."),
        ({"supervisors": []}, "supervisors", "Choose at least one supervisor."),
        (
            {"supervisors": ["other_supervisor"]},
            "supervisors",
            "Every supervisor must be a supervisor at the enterprise.",
        ),
        (
            {"supervisors": ["manager"]},
            "supervisors",
            "Every supervisor must be a supervisor at the enterprise.",
        ),
        (
            {"hours_per_week": 0},
            "hours_per_week",
            "Hours per week must be more than 0 and at most 40.",
        ),
        (
            {"hours_per_week": "40.5"},
            "hours_per_week",
            "Hours per week must be more than 0 and at most 40.",
        ),
        ({"hours_per_week": "tjugo"}, "hours_per_week", "Enter a number of hours."),
        ({"weekdays": ""}, "weekdays", "Choose at least one weekday."),
        ({"weekdays": "158"}, "weekdays", "Choose at least one weekday."),
    ],
)
def test_placement_start_refuses_bad_input(request, referral, manager, changes, field, message):
    arguments = {
        "unit": "unit",
        "supervisors": ["supervisor"],
        "start_date": MONDAY,
        "planned_end": date(2026, 6, 30),
    }
    arguments.update(changes)
    if isinstance(arguments["unit"], str):
        arguments["unit"] = request.getfixturevalue(arguments["unit"])
    arguments["supervisors"] = [request.getfixturevalue(name) for name in arguments["supervisors"]]

    with (
        nothing_written(Placement, PlacementSupervisor),
        pytest.raises(ValidationError) as excinfo,
    ):
        placement_start(placement=referral, acting_user=manager, **arguments)

    assert excinfo.value.message_dict[field] == [message]
    loaded = Placement.objects.get(pk=referral.pk)
    assert (loaded.status, loaded.unit, loaded.start_date) == (
        Placement.Status.REFERRED,
        None,
        None,
    )


@pytest.mark.django_db
def test_placement_start_refuses_running_placement(placement, unit, supervisor, manager):
    with (
        nothing_written(Placement, PlacementSupervisor),
        pytest.raises(
            ValidationError, match="Only a referred or planned placement can be started."
        ),
    ):
        placement_start(
            placement=placement,
            unit=unit,
            supervisors=[supervisor],
            start_date=date(2026, 2, 2),
            acting_user=manager,
        )

    assert Placement.objects.get(pk=placement.pk).start_date == MONDAY


# --- placement_pause and placement_resume


@pytest.mark.django_db
def test_pause_and_resume(placement, manager, enterprise):
    second_manager = user_with_role(Role.MANAGER, enterprise, username="second_manager")
    placement_pause(placement=placement, reason="Sjukskriven två veckor", acting_user=manager)
    assert Placement.objects.get(pk=placement.pk).status == Placement.Status.PAUSED

    placement_resume(placement=placement, acting_user=second_manager)

    loaded = Placement.objects.get(pk=placement.pk)
    assert loaded.status == Placement.Status.ACTIVE
    resumed, paused = _history(loaded)[:2]
    assert (resumed.history_user, resumed.history_change_reason) == (
        second_manager,
        "placement resumed",
    )
    assert (paused.history_user, paused.history_change_reason) == (manager, "placement paused")
    assert paused.status == Placement.Status.PAUSED


@pytest.mark.django_db
def test_pause_refuses_placement_that_is_not_active(placement, referral, manager):
    placement_pause(placement=placement, reason="Sjukskriven två veckor", acting_user=manager)

    for not_active in (placement, referral):
        with (
            nothing_written(Placement),
            pytest.raises(ValidationError, match="Only an active placement can be paused."),
        ):
            placement_pause(
                placement=not_active, reason="Sjukskriven två veckor", acting_user=manager
            )


@pytest.mark.django_db
def test_resume_refuses_placement_that_is_not_paused(placement, manager):
    with (
        nothing_written(Placement),
        pytest.raises(ValidationError, match="Only a paused placement can be resumed."),
    ):
        placement_resume(placement=placement, acting_user=manager)


# --- placement_change_supervisors


@pytest.mark.django_db
def test_change_supervisors_ends_old_and_opens_new(
    placement, supervisor, second_supervisor, manager
):
    on = date(2026, 3, 2)

    placement_change_supervisors(
        placement=placement, supervisors=[second_supervisor], on=on, acting_user=manager
    )

    old = PlacementSupervisor.objects.get(placement=placement, supervisor=supervisor)
    new = PlacementSupervisor.objects.get(placement=placement, supervisor=second_supervisor)
    assert (old.assigned_on, old.ended_on) == (MONDAY, on)
    assert (new.assigned_on, new.ended_on) == (on, None)
    ended = _history(old)[0]
    assert (ended.history_user, ended.history_change_reason) == (manager, "supervisor unassigned")
    assert ended.ended_on == on
    [opened] = _history(new)
    assert (opened.history_user, opened.history_change_reason) == (manager, "supervisor assigned")


@pytest.mark.django_db
def test_change_supervisors_keeps_current_assignment(
    placement, supervisor, second_supervisor, manager
):
    placement_change_supervisors(
        placement=placement,
        supervisors=[supervisor, second_supervisor],
        on=date(2026, 3, 2),
        acting_user=manager,
    )

    kept = PlacementSupervisor.objects.get(placement=placement, supervisor=supervisor)
    assert (kept.assigned_on, kept.ended_on) == (MONDAY, None)
    assert len(_history(kept)) == 1
    assert placement.supervisor_assignments.filter(ended_on__isnull=True).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("placement_fixture", "supervisors", "message"),
    [
        ("referral", ["supervisor"], "Supervisors can only be changed on a running placement."),
        ("placement", [], "Choose at least one supervisor."),
        (
            "placement",
            ["other_supervisor"],
            "Every supervisor must be a supervisor at the enterprise.",
        ),
    ],
)
def test_change_supervisors_refuses_bad_input(
    request, manager, placement_fixture, supervisors, message
):
    placement = request.getfixturevalue(placement_fixture)
    users = [request.getfixturevalue(name) for name in supervisors]

    with (
        nothing_written(Placement, PlacementSupervisor),
        pytest.raises(ValidationError) as excinfo,
    ):
        placement_change_supervisors(placement=placement, supervisors=users, acting_user=manager)

    assert excinfo.value.messages == [message]


# --- the plan: update, submit, decide


@pytest.fixture
def plan(placement, manager):
    return placement_plan_update(
        placement=placement,
        goals="Klara ett fyratimmarspass",
        tasks="Disk och kassa",
        support="Handledare varje dag",
        acting_user=manager,
    )


@pytest.mark.django_db
def test_plan_update(plan, manager):
    loaded = Placement.objects.get(pk=plan.pk)
    assert (loaded.plan_goals, loaded.plan_tasks, loaded.plan_support) == (
        "Klara ett fyratimmarspass",
        "Disk och kassa",
        "Handledare varje dag",
    )
    assert loaded.plan_status == Placement.PlanStatus.DRAFT
    latest = _history(loaded)[0]
    assert (latest.history_user, latest.history_change_reason) == (manager, "plan edited")


@pytest.mark.django_db
def test_plan_flow_submit_return_resubmit_approve(plan, manager, case_officer):
    placement_plan_submit(placement=plan, acting_user=manager)
    loaded = Placement.objects.get(pk=plan.pk)
    assert loaded.plan_status == Placement.PlanStatus.SUBMITTED
    assert loaded.plan_submitted_at is not None
    submitted = _history(loaded)[0]
    assert (submitted.history_user, submitted.history_change_reason) == (manager, "plan submitted")

    placement_plan_decide(
        placement=plan, approve=False, comment="Lägg till mål för jobbsök", acting_user=case_officer
    )
    loaded = Placement.objects.get(pk=plan.pk)
    assert loaded.plan_status == Placement.PlanStatus.CHANGES_REQUESTED
    assert loaded.plan_comment == "Lägg till mål för jobbsök"
    assert loaded.plan_decided_by == case_officer
    returned = _history(loaded)[0]
    assert (returned.history_user, returned.history_change_reason) == (
        case_officer,
        "plan changes requested",
    )

    placement_plan_submit(placement=plan, acting_user=manager)
    placement_plan_decide(placement=plan, approve=True, acting_user=case_officer)

    loaded = Placement.objects.get(pk=plan.pk)
    assert loaded.plan_status == Placement.PlanStatus.APPROVED
    assert loaded.plan_decided_by == case_officer
    approved = _history(loaded)[0]
    assert (approved.history_user, approved.history_change_reason) == (
        case_officer,
        "plan approved",
    )


@pytest.mark.django_db
def test_plan_update_refused_while_submitted(plan, manager):
    placement_plan_submit(placement=plan, acting_user=manager)

    with (
        nothing_written(Placement),
        pytest.raises(ValidationError, match="A submitted plan cannot be edited"),
    ):
        placement_plan_update(
            placement=plan, goals="Nya mål", tasks="", support="", acting_user=manager
        )

    assert Placement.objects.get(pk=plan.pk).plan_goals == "Klara ett fyratimmarspass"


@pytest.mark.django_db
def test_plan_submit_refuses_plan_without_goals(placement, manager):
    with nothing_written(Placement), pytest.raises(ValidationError) as excinfo:
        placement_plan_submit(placement=placement, acting_user=manager)

    assert excinfo.value.message_dict == {
        "plan_goals": ["Write the plan's goals before submitting it."]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("approve_first", [None, True])
def test_plan_submit_refuses_plan_that_is_not_a_draft(plan, manager, case_officer, approve_first):
    placement_plan_submit(placement=plan, acting_user=manager)
    if approve_first:
        placement_plan_decide(placement=plan, approve=True, acting_user=case_officer)

    with (
        nothing_written(Placement),
        pytest.raises(ValidationError, match="Only a draft plan can be submitted."),
    ):
        placement_plan_submit(placement=plan, acting_user=manager)


@pytest.mark.django_db
def test_plan_decide_refuses_plan_not_submitted(plan, case_officer):
    with (
        nothing_written(Placement),
        pytest.raises(ValidationError, match="Only a submitted plan can be approved or returned."),
    ):
        placement_plan_decide(placement=plan, approve=True, acting_user=case_officer)


@pytest.mark.django_db
@pytest.mark.parametrize("decider", ["manager", "supervisor", "other_case_officer"])
def test_plan_decide_refuses_anyone_but_the_case_officer(request, plan, manager, agency, decider):
    if decider == "other_case_officer":
        user = user_with_role(Role.CASE_OFFICER, agency, username="another_officer")
    else:
        user = request.getfixturevalue(decider)
    placement_plan_submit(placement=plan, acting_user=manager)

    # None of them holds the case officer's relationship, so the service refuses.
    with nothing_written(Placement), pytest.raises(PermissionDenied):
        placement_plan_decide(placement=plan, approve=True, acting_user=user)

    assert Placement.objects.get(pk=plan.pk).plan_status == Placement.PlanStatus.SUBMITTED


@pytest.mark.django_db
def test_plan_decide_refuses_return_without_comment(plan, manager, case_officer):
    placement_plan_submit(placement=plan, acting_user=manager)

    with nothing_written(Placement), pytest.raises(ValidationError) as excinfo:
        placement_plan_decide(placement=plan, approve=False, comment="  ", acting_user=case_officer)

    assert excinfo.value.message_dict == {"comment": ["Say what should change in the plan."]}


# --- attendance_record_week


@pytest.mark.django_db
def test_record_week(placement, unit, supervisor):
    rows = attendance_record_week(
        unit=unit,
        week_start=MONDAY,
        entries=_entries(placement, [4, 4, 3.5, 0, 4])
        + [
            AttendanceEntry(
                placement_id=placement.pk,
                date=date(2026, 1, 10),
                attended_hours=Decimal("2"),
                note="Extrapass på lördagen",
            )
        ],
        acting_user=supervisor,
    )

    assert len(rows) == 6
    stored = {row.date: row for row in Attendance.objects.filter(placement=placement)}
    assert [stored[day].attended_hours for day in WEEK] == [4, 4, Decimal("3.5"), 0, 4]
    assert [stored[day].planned_hours for day in WEEK] == [Decimal("4")] * 5
    saturday = stored[date(2026, 1, 10)]
    assert saturday.planned_hours == 0  # not a scheduled weekday
    assert saturday.note == "Extrapass på lördagen"
    for row in stored.values():
        assert row.recorded_by == supervisor
        assert row.data_key_id == placement.data_key_id
        [history] = _history(row)
        assert (history.history_user, history.history_change_reason) == (
            supervisor,
            "attendance recorded",
        )


@pytest.mark.django_db
def test_record_week_correction_keeps_old_value_in_history(placement, unit, supervisor, manager):
    attendance_record_week(
        unit=unit, week_start=MONDAY, entries=_entries(placement, [4] * 5), acting_user=supervisor
    )
    monday = Attendance.objects.get(placement=placement, date=MONDAY)

    rows = attendance_record_week(
        unit=unit,
        week_start=MONDAY,
        entries=[
            AttendanceEntry(
                placement_id=placement.pk,
                date=MONDAY,
                attended_hours=Decimal("0"),
                absence_reason=Attendance.AbsenceReason.SICK,
            ),
            *_entries(placement, [4], days=[WEEK[1]]),  # unchanged: no new history row
        ],
        acting_user=manager,
    )

    assert [row.pk for row in rows] == [monday.pk]
    corrected = Attendance.objects.get(pk=monday.pk)
    assert (corrected.attended_hours, corrected.absence_reason) == (Decimal("0"), "sick")
    assert corrected.recorded_by == manager
    latest, original = _history(corrected)
    assert (latest.history_user, latest.history_change_reason) == (manager, "attendance corrected")
    assert (latest.attended_hours, latest.absence_reason) == (Decimal("0"), "sick")
    assert (original.history_user, original.history_change_reason) == (
        supervisor,
        "attendance recorded",
    )
    assert (original.attended_hours, original.absence_reason) == (Decimal("4"), "")
    tuesday = Attendance.objects.get(placement=placement, date=WEEK[1])
    assert len(_history(tuesday)) == 1
    assert Attendance.objects.filter(placement=placement).count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize("week_start", [date(2026, 1, 6), date(2026, 1, 11)])
def test_record_week_refuses_week_not_starting_monday(placement, unit, supervisor, week_start):
    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_record_week(
            unit=unit,
            week_start=week_start,
            entries=_entries(placement, [4], days=[date(2026, 1, 7)]),
            acting_user=supervisor,
        )

    assert excinfo.value.message_dict == {"week_start": ["A week starts on a Monday."]}


@pytest.mark.django_db
def test_record_week_refuses_hours_over_weekly_scope(placement, unit, supervisor):
    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_record_week(
            unit=unit,
            week_start=MONDAY,
            entries=_entries(placement, [4.5] * 5),
            acting_user=supervisor,
        )

    # Hours as the language writes them: no "20.0", no trailing zeros.
    assert excinfo.value.messages == [
        "22.5 hours in one week is more than the placement's scope of 20 hours."
    ]
    assert excinfo.value.message_dict == {
        str(placement.pk): [
            "22.5 hours in one week is more than the placement's scope of 20 hours."
        ]
    }


@pytest.mark.django_db
def test_record_week_scope_counts_days_already_recorded(placement, unit, supervisor):
    attendance_record_week(
        unit=unit,
        week_start=MONDAY,
        entries=_entries(placement, [6, 6, 6], days=WEEK[:3]),
        acting_user=supervisor,
    )

    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_record_week(
            unit=unit,
            week_start=MONDAY,
            entries=_entries(placement, [3], days=[WEEK[3]]),
            acting_user=supervisor,
        )

    assert excinfo.value.messages == [
        "21 hours in one week is more than the placement's scope of 20 hours."
    ]


@pytest.mark.django_db
def test_record_week_scope_counts_a_correction_once(placement, unit, supervisor):
    attendance_record_week(
        unit=unit,
        week_start=MONDAY,
        entries=_entries(placement, [6, 6, 6], days=WEEK[:3]),
        acting_user=supervisor,
    )

    attendance_record_week(
        unit=unit,
        week_start=MONDAY,
        entries=_entries(placement, [2, 4], days=[WEEK[0], WEEK[3]]),
        acting_user=supervisor,
    )

    assert sum(row.attended_hours for row in Attendance.objects.filter(placement=placement)) == 18


@pytest.mark.django_db
def test_record_week_scope_is_exactly_allowed(placement, unit, supervisor):
    rows = attendance_record_week(
        unit=unit, week_start=MONDAY, entries=_entries(placement, [4] * 5), acting_user=supervisor
    )

    assert sum(row.attended_hours for row in rows) == placement.hours_per_week


@pytest.mark.django_db
def test_record_week_refuses_date_before_placement_start(placement, unit, supervisor):
    week_before = date(2025, 12, 29)

    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_record_week(
            unit=unit,
            week_start=week_before,
            entries=_entries(placement, [4, 4], days=[date(2026, 1, 2), MONDAY]),
            acting_user=supervisor,
        )

    assert excinfo.value.messages == [
        "2026-01-02 is outside the placement (2026-01-05 – ).",
        "2026-01-05 is not in this week.",
    ]


@pytest.mark.django_db
def test_record_week_refuses_date_after_placement_end(placement, unit, manager):
    placement_end(
        placement=placement, ended_on=date(2026, 3, 4), outcome="studies", acting_user=manager
    )
    week = date(2026, 3, 2)

    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_record_week(
            unit=unit,
            week_start=week,
            entries=_entries(placement, [4, 4], days=[date(2026, 3, 4), date(2026, 3, 5)]),
            acting_user=manager,  # the supervisor no longer writes on an ended placement
        )

    assert excinfo.value.messages == [
        "2026-03-05 is outside the placement (2026-01-05 – 2026-03-04)."
    ]


@pytest.mark.django_db
def test_record_week_allows_last_day_of_ended_placement(placement, unit, manager):
    placement_end(
        placement=placement, ended_on=date(2026, 3, 4), outcome="studies", acting_user=manager
    )

    [row] = attendance_record_week(
        unit=unit,
        week_start=date(2026, 3, 2),
        entries=_entries(placement, [4], days=[date(2026, 3, 4)]),
        acting_user=manager,
    )

    assert row.date == date(2026, 3, 4)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entry_changes", "message"),
    [
        ({"attended_hours": Decimal("24.5")}, "Attended hours must be between 0 and 24."),
        ({"attended_hours": Decimal("-1")}, "Attended hours must be between 0 and 24."),
        ({"attended_hours": "fyra"}, "Enter hours as a number."),
        ({"attended_hours": "NaN"}, "Enter hours as a number."),
        ({"attended_hours": "Infinity"}, "Enter hours as a number."),
        ({"absence_reason": "vacation"}, "Choose a valid absence reason."),
        ({"date": date(2026, 1, 12)}, "2026-01-12 is not in this week."),
        ({"planned_hours": Decimal("25")}, "Planned hours must be between 0 and 24."),
        ({"planned_hours": Decimal("-1")}, "Planned hours must be between 0 and 24."),
    ],
)
def test_record_week_refuses_bad_entry_and_writes_none(
    placement, unit, supervisor, entry_changes, message
):
    """One bad cell among good ones: nothing of the week is written."""
    good = _entries(placement, [4, 4, 4, 4], days=WEEK[:4])
    values = {"placement_id": placement.pk, "date": WEEK[4], "attended_hours": Decimal("4")}
    values.update(entry_changes)

    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_record_week(
            unit=unit,
            week_start=MONDAY,
            entries=[*good, AttendanceEntry(**values)],
            acting_user=supervisor,
        )

    assert excinfo.value.messages == [message]


@pytest.mark.django_db
def test_record_week_refuses_placement_of_another_unit(
    placement, other_unit, other_supervisor, supervisor
):
    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_record_week(
            unit=other_unit,
            week_start=MONDAY,
            entries=_entries(placement, [4], days=[MONDAY]),
            acting_user=other_supervisor,
        )

    assert excinfo.value.messages == ["A placement in the list does not belong to this unit."]


@pytest.mark.django_db
def test_record_week_refuses_same_day_twice(placement, unit, supervisor):
    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_record_week(
            unit=unit,
            week_start=MONDAY,
            entries=_entries(placement, [4, 2], days=[MONDAY, MONDAY]),
            acting_user=supervisor,
        )

    assert excinfo.value.messages == ["2026-01-05 is entered twice for the same placement."]


# --- attendance that cannot lie: days ahead, absence means 0 h, paused, clearing a day

THIS_WEEK = date(2026, 11, 23)  # the Monday of TODAY's week; TODAY is Friday 27 November


@pytest.mark.django_db
def test_record_week_refuses_a_day_after_today(placement, unit, supervisor):
    """Hours for next week (or tomorrow) are refused; nothing of the week is written."""
    days = [date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 28)]

    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_record_week(
            unit=unit,
            week_start=THIS_WEEK,
            entries=_entries(placement, [4, 4, 4], days=days),
            acting_user=supervisor,
        )

    assert excinfo.value.message_dict == {
        f"{placement.pk}/2026-11-28": [
            "2026-11-28 has not happened yet: attendance is recorded on the day or afterwards."
        ]
    }


@pytest.mark.django_db
def test_record_week_today_is_the_stockholm_date(placement, unit, supervisor):
    """23:30 UTC on Friday is already Saturday in Stockholm: Saturday takes hours then."""
    saturday = date(2026, 11, 28)
    with time_machine.travel(datetime(2026, 11, 27, 23, 30, tzinfo=UTC)):
        [row] = attendance_record_week(
            unit=unit,
            week_start=THIS_WEEK,
            entries=_entries(placement, [2], days=[saturday]),
            acting_user=supervisor,
        )
    assert row.date == saturday
    with time_machine.travel(datetime(2026, 11, 27, 22, 30, tzinfo=UTC)):
        with pytest.raises(ValidationError, match="has not happened yet"):
            attendance_record_week(
                unit=unit,
                week_start=date(2026, 11, 30),
                entries=_entries(placement, [2], days=[date(2026, 11, 30)]),
                acting_user=supervisor,
            )


@pytest.mark.django_db
@pytest.mark.parametrize("reason", Attendance.AbsenceReason.values)
def test_record_week_refuses_hours_with_an_absence_reason(placement, unit, supervisor, reason):
    """ "Sick" with 5 hours attended is refused: an absence reason means 0 hours."""
    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_record_week(
            unit=unit,
            week_start=MONDAY,
            entries=[
                *_entries(placement, [4], days=[MONDAY]),
                *_entries(placement, [5], days=[WEEK[1]], absence_reason=reason),
            ],
            acting_user=supervisor,
        )

    assert excinfo.value.message_dict == {
        f"{placement.pk}/{WEEK[1].isoformat()}": [
            "A day with an absence reason has 0 hours attended. If the person was there "
            "part of the day, enter those hours and choose no absence reason."
        ]
    }


@pytest.mark.django_db
def test_record_week_partial_day_is_hours_without_a_reason(placement, unit, supervisor):
    [partial, sick] = attendance_record_week(
        unit=unit,
        week_start=MONDAY,
        entries=[
            *_entries(placement, [2.5], days=[MONDAY]),
            *_entries(placement, [0], days=[WEEK[1]], absence_reason="sick"),
        ],
        acting_user=supervisor,
    )

    assert (partial.attended_hours, partial.absence_reason) == (Decimal("2.5"), "")
    assert (sick.attended_hours, sick.absence_reason) == (0, "sick")


@pytest.mark.django_db
def test_record_week_refuses_a_paused_placement(placement, unit, supervisor, manager):
    placement_pause(placement=placement, reason="Sjukskriven två veckor", acting_user=manager)

    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_record_week(
            unit=unit,
            week_start=MONDAY,
            entries=_entries(placement, [4], days=[MONDAY]),
            acting_user=supervisor,
        )

    assert excinfo.value.messages == [
        "The placement is paused: resume it before recording attendance."
    ]


@pytest.fixture
def recorded_week(placement, unit, supervisor):
    """Monday–Friday of the placement's first week, 4 hours a day (the full scope)."""
    attendance_record_week(
        unit=unit, week_start=MONDAY, entries=_entries(placement, [4] * 5), acting_user=supervisor
    )
    return placement


@pytest.mark.django_db
def test_clear_a_day_deletes_it_and_keeps_its_history(recorded_week, unit, manager):
    placement = recorded_week
    wednesday = Attendance.objects.get(placement=placement, date=WEEK[2])

    rows = attendance_record_week(
        unit=unit,
        week_start=MONDAY,
        entries=[],
        cleared=[(placement.pk, WEEK[2])],
        clear_reason=AttendanceClearReason.WRONG_DAY,
        acting_user=manager,
    )

    assert rows == []
    assert not Attendance.objects.filter(pk=wednesday.pk).exists()
    assert Attendance.objects.filter(placement=placement).count() == 4
    deleted, recorded = Attendance.history.filter(id=wednesday.pk).order_by("-history_date")
    assert (deleted.history_type, deleted.history_user, deleted.history_change_reason) == (
        "-",
        manager,
        "attendance cleared: wrong_day",
    )
    # What was recorded stays readable in the history.
    assert (deleted.attended_hours, deleted.date) == (Decimal("4"), WEEK[2])
    assert recorded.history_change_reason == "attendance recorded"


@pytest.mark.django_db
def test_clear_frees_the_weekly_scope(recorded_week, unit, supervisor):
    """A day cleared no longer counts: its hours move to the right day in one save."""
    placement = recorded_week
    saturday = date(2026, 1, 10)

    attendance_record_week(
        unit=unit,
        week_start=MONDAY,
        entries=_entries(placement, [4], days=[saturday]),
        cleared=[(placement.pk, WEEK[4])],
        clear_reason=AttendanceClearReason.WRONG_DAY,
        acting_user=supervisor,
    )

    days = set(Attendance.objects.filter(placement=placement).values_list("date", flat=True))
    assert days == {*WEEK[:4], saturday}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("clear", "reason", "key", "message"),
    [
        (WEEK[2], "", "clear_reason", "Choose why the days are cleared."),
        (WEEK[2], "because", "clear_reason", "Choose why the days are cleared."),
        (date(2026, 1, 10), "mistake", "day", "Nothing is recorded on 2026-01-10 to clear."),
        (date(2026, 1, 12), "mistake", "day", "2026-01-12 is not in this week."),
    ],
)
def test_clear_refuses_bad_input_and_writes_none(
    recorded_week, unit, supervisor, clear, reason, key, message
):
    placement = recorded_week
    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_record_week(
            unit=unit,
            week_start=MONDAY,
            entries=[],
            cleared=[(placement.pk, clear)],
            clear_reason=reason,
            acting_user=supervisor,
        )

    key = f"{placement.pk}/{clear.isoformat()}" if key == "day" else key
    assert excinfo.value.message_dict == {key: [message]}


@pytest.mark.django_db
def test_clear_refuses_a_day_both_entered_and_cleared(recorded_week, unit, supervisor):
    placement = recorded_week
    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_record_week(
            unit=unit,
            week_start=MONDAY,
            entries=_entries(placement, [3], days=[WEEK[2]]),
            cleared=[(placement.pk, WEEK[2])],
            clear_reason="mistake",
            acting_user=supervisor,
        )

    assert excinfo.value.messages == ["2026-01-07 is both entered and cleared."]


@pytest.mark.django_db
def test_clear_works_on_a_paused_placement(recorded_week, unit, supervisor, manager):
    """A paused placement takes no hours, but a day recorded by mistake can still go."""
    placement = recorded_week
    placement_pause(placement=placement, reason="Sjukskriven två veckor", acting_user=manager)

    attendance_record_week(
        unit=unit,
        week_start=MONDAY,
        entries=[],
        cleared=[(placement.pk, WEEK[0])],
        clear_reason="mistake",
        acting_user=supervisor,
    )

    assert Attendance.objects.filter(placement=placement).count() == 4


@pytest.mark.django_db
def test_clear_needs_the_attendance_write(recorded_week, unit, other_supervisor):
    with nothing_written(Attendance), pytest.raises(PermissionDenied):
        attendance_record_week(
            unit=unit,
            week_start=MONDAY,
            entries=[],
            cleared=[(recorded_week.pk, WEEK[0])],
            clear_reason="mistake",
            acting_user=other_supervisor,
        )


@pytest.mark.django_db
def test_ending_on_the_real_last_day_after_clearing_the_wrong_days(
    placement, unit, supervisor, manager
):
    """The whole flow: days were recorded after the participant's real last day
    (Tuesday); ending on Tuesday is refused with the days to clear; the manager
    clears them with a reason; ending on Tuesday then works, and no day after it
    can be recorded again."""
    week = date(2026, 3, 2)
    tuesday = date(2026, 3, 3)
    attendance_record_week(
        unit=unit,
        week_start=week,
        entries=_entries(placement, [4, 4, 4, 4], days=[week + timedelta(d) for d in range(4)]),
        acting_user=supervisor,
    )

    with pytest.raises(ValidationError) as excinfo:
        placement_end(placement=placement, ended_on=tuesday, outcome="studies", acting_user=manager)
    [message] = excinfo.value.message_dict["ended_on"]
    assert "on 2026-03-04, 2026-03-05." in message
    assert "Clear those days in the unit's attendance grid first" in message
    assert Placement.objects.get(pk=placement.pk).status == Placement.Status.ACTIVE

    attendance_record_week(
        unit=unit,
        week_start=week,
        entries=[],
        cleared=[(placement.pk, date(2026, 3, 4)), (placement.pk, date(2026, 3, 5))],
        clear_reason=AttendanceClearReason.AFTER_END,
        acting_user=manager,
    )
    placement_end(placement=placement, ended_on=tuesday, outcome="studies", acting_user=manager)

    placement.refresh_from_db()
    assert (placement.status, placement.actual_end) == (Placement.Status.ENDED, tuesday)
    assert sorted(placement.attendance.values_list("date", flat=True)) == [week, tuesday]
    reasons = set(
        Attendance.history.filter(placement_id=placement.pk, history_type="-").values_list(
            "history_change_reason", flat=True
        )
    )
    assert reasons == {"attendance cleared: after_end"}
    with nothing_written(Attendance), pytest.raises(ValidationError, match="outside the placement"):
        attendance_record_week(
            unit=unit,
            week_start=week,
            entries=_entries(placement, [4], days=[date(2026, 3, 4)]),
            acting_user=manager,
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hours", "days", "reason", "message"),
    [
        (
            [4],
            [date(2026, 11, 28)],
            "",
            "2026-11-28 har inte varit än: närvaro registreras samma dag eller i efterhand.",
        ),
        (
            [5],
            [date(2026, 11, 27)],
            "sick",
            "En dag med frånvaroorsak har 0 närvarotimmar. Var personen där en del av "
            "dagen: ange de timmarna och ingen frånvaroorsak.",
        ),
        (
            [4.5] * 5,
            [THIS_WEEK + timedelta(days=offset) for offset in range(5)],
            "",
            "22,5 timmar på en vecka är mer än placeringens omfattning på 20 timmar.",
        ),
    ],
)
def test_refusals_are_in_swedish_with_swedish_numbers(
    placement, unit, supervisor, hours, days, reason, message
):
    """The product's language: decimal comma, no "20.0", each message once."""
    with (
        translation.override("sv"),
        nothing_written(Attendance),
        pytest.raises(ValidationError) as excinfo,
    ):
        attendance_record_week(
            unit=unit,
            week_start=THIS_WEEK,
            entries=_entries(placement, hours, days=days, absence_reason=reason),
            acting_user=supervisor,
        )

    assert excinfo.value.messages == [message]
