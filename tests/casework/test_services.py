"""Casework services: happy paths, every refusal, no half writes."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from accounts.models import Role
from casework.due import add_months
from casework.models import (
    Assessment,
    Exit,
    FollowUp,
    Goal,
    Instrument,
    Item,
    Outcome,
    ProgressNote,
    Review,
    Score,
)
from casework.services import (
    DEFAULT_AREAS,
    assessment_record,
    follow_up_record,
    goal_add,
    goal_set_status,
    instrument_ensure_default,
    placement_end,
    progress_note_add,
    review_record,
)
from placements.models import Attendance, Placement, Programme
from placements.services import (
    AttendanceEntry,
    attendance_record_week,
    placement_pause,
    referral_register,
)
from tests.factories import nothing_written, user_with_role

TODAY = datetime(2026, 11, 27, 12, tzinfo=UTC)
START = date(2026, 1, 5)  # the fixture placement's first day


@pytest.fixture(autouse=True)
def _today_in_english():
    # The clock ticks from TODAY so that history rows written one after another
    # keep their order (history ids are UUIDs; the date is the only order).
    with time_machine.travel(TODAY), translation.override("en"):
        yield


@pytest.fixture
def referral(participant, manager):
    return referral_register(
        participant=participant,
        programme=Programme.WORK_TRAINING,
        referred_on=START,
        acting_user=manager,
    )


@pytest.fixture
def ended_placement(placement, manager):
    placement_end(
        placement=placement, ended_on=date(2026, 6, 30), outcome="studies", acting_user=manager
    )
    return placement


def _history(instance):
    """History rows of one object, newest first."""
    return list(instance.history.all())


def _assert_written_by(instance, user, reason):
    latest = _history(instance)[0]
    assert latest.history_user == user
    assert latest.history_change_reason == reason


def _all_fives(instrument):
    return {item.code: 5 for item in instrument.items.all()}


# --- progress_note_add


@pytest.mark.django_db
def test_note_add(placement, supervisor):
    note = progress_note_add(
        placement=placement,
        text="  Kom i tid alla dagar.  ",
        kind=ProgressNote.Kind.OBSERVATION,
        visibility=ProgressNote.Visibility.SHARED,
        on=date(2026, 11, 20),
        acting_user=supervisor,
    )

    loaded = ProgressNote.objects.get(pk=note.pk)
    assert loaded.text == "Kom i tid alla dagar."
    assert (loaded.kind, loaded.visibility, loaded.date) == (
        "observation",
        "shared",
        date(2026, 11, 20),
    )
    assert loaded.author == supervisor
    assert loaded.data_key_id == placement.data_key_id
    [history] = _history(loaded)
    assert (history.history_user, history.history_change_reason) == (supervisor, "note added")


@pytest.mark.django_db
def test_note_defaults_to_today_and_internal(placement, supervisor):
    note = progress_note_add(
        placement=placement, text="Samtal om mål", kind="conversation", acting_user=supervisor
    )

    assert note.date == date(2026, 11, 27)
    assert note.visibility == ProgressNote.Visibility.INTERNAL


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"text": ""}, "text", "Write the note."),
        ({"text": " \n\t "}, "text", "Write the note."),
        ({"on": date(2026, 11, 28)}, "date", "A note cannot be dated in the future."),
        ({"kind": "gossip"}, "kind", "Choose a valid kind of note."),
        ({"visibility": "public"}, "visibility", "Choose who can see the note."),
        (
            {"on": START - timedelta(days=1)},
            "date",
            "The date cannot be before the placement started.",
        ),
    ],
)
def test_note_refuses_bad_input(placement, supervisor, changes, field, message):
    arguments = {"text": "Bra dag", "kind": "observation", "on": date(2026, 11, 20)}
    arguments.update(changes)

    with nothing_written(ProgressNote), pytest.raises(ValidationError) as excinfo:
        progress_note_add(placement=placement, acting_user=supervisor, **arguments)

    assert excinfo.value.message_dict == {field: [message]}


@pytest.mark.django_db
def test_note_refuses_date_after_placement_ended(ended_placement, manager):
    with nothing_written(ProgressNote), pytest.raises(ValidationError) as excinfo:
        progress_note_add(
            placement=ended_placement,
            text="Sent",
            kind="observation",
            on=date(2026, 7, 1),
            acting_user=manager,  # the supervisor no longer writes on an ended placement
        )

    assert excinfo.value.message_dict == {"date": ["The date cannot be after the placement ended."]}


@pytest.mark.django_db
def test_note_refuses_placement_not_started(referral, manager):
    with (
        nothing_written(ProgressNote),
        pytest.raises(ValidationError, match="The placement has not started."),
    ):
        progress_note_add(placement=referral, text="Hej", kind="observation", acting_user=manager)


# --- goal_add and goal_set_status


@pytest.mark.django_db
def test_goal_add_and_achieve(placement, supervisor, manager):
    goal = goal_add(
        placement=placement,
        text=" Ta truckkort ",
        target_date=date(2026, 12, 31),
        acting_user=supervisor,
    )

    loaded = Goal.objects.get(pk=goal.pk)
    assert (loaded.text, loaded.target_date, loaded.status) == (
        "Ta truckkort",
        date(2026, 12, 31),
        Goal.Status.OPEN,
    )
    _assert_written_by(loaded, supervisor, "goal added")

    goal_set_status(goal=goal, status=Goal.Status.ACHIEVED, acting_user=manager)

    loaded = Goal.objects.get(pk=goal.pk)
    assert (loaded.status, loaded.achieved_on) == (Goal.Status.ACHIEVED, date(2026, 11, 27))
    _assert_written_by(loaded, manager, "goal achieved")

    goal_set_status(goal=goal, status=Goal.Status.IN_PROGRESS, acting_user=manager)

    loaded = Goal.objects.get(pk=goal.pk)
    assert (loaded.status, loaded.achieved_on) == (Goal.Status.IN_PROGRESS, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"text": "  "}, "text", "Write the goal."),
        (
            {"target_date": START - timedelta(days=1)},
            "target_date",
            "The target date cannot be before the start.",
        ),
    ],
)
def test_goal_add_refuses_bad_input(placement, supervisor, changes, field, message):
    arguments = {"text": "Ta truckkort", "target_date": None}
    arguments.update(changes)

    with nothing_written(Goal), pytest.raises(ValidationError) as excinfo:
        goal_add(placement=placement, acting_user=supervisor, **arguments)

    assert excinfo.value.message_dict == {field: [message]}


@pytest.mark.django_db
def test_goal_set_status_refuses_unknown_status(placement, supervisor):
    goal = goal_add(placement=placement, text="Ta truckkort", acting_user=supervisor)

    with nothing_written(Goal), pytest.raises(ValidationError) as excinfo:
        goal_set_status(goal=goal, status="forgotten", acting_user=supervisor)

    assert excinfo.value.message_dict == {"status": ["Choose a valid status."]}


# --- assessment_record


@pytest.mark.django_db
def test_assessment_record(placement, instrument, supervisor):
    scores = {area.code: position for position, area in enumerate(DEFAULT_AREAS, start=1)}

    assessment = assessment_record(
        placement=placement,
        instrument=instrument,
        scores=scores,
        kind=Assessment.Kind.INTAKE,
        on=START,
        comment="Gjord tillsammans",
        acting_user=supervisor,
    )

    loaded = Assessment.objects.get(pk=assessment.pk)
    assert (loaded.kind, loaded.date, loaded.assessed_by) == ("intake", START, supervisor)
    assert loaded.comment == "Gjord tillsammans"
    assert {
        score.item.code: score.value for score in loaded.scores.select_related("item")
    } == scores
    _assert_written_by(loaded, supervisor, "assessment recorded")
    for score in loaded.scores.all():
        _assert_written_by(score, supervisor, "assessment recorded")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("score_changes", "field", "message"),
    [
        ({"health": None}, "health", "Score Hälsa och välmående."),
        ({"motivation": 0}, "motivation", "A score must be between 1 and 10."),
        ({"motivation": 11}, "motivation", "A score must be between 1 and 10."),
        ({"motivation": "hög"}, "motivation", "A score must be between 1 and 10."),
        ({"humour": 5}, "scores", "Unknown areas: humour."),
    ],
)
def test_assessment_refuses_bad_scores(
    placement, instrument, supervisor, score_changes, field, message
):
    scores = _all_fives(instrument)
    scores.update(score_changes)
    scores = {code: value for code, value in scores.items() if value is not None}

    with nothing_written(Assessment, Score), pytest.raises(ValidationError) as excinfo:
        assessment_record(
            placement=placement,
            instrument=instrument,
            scores=scores,
            kind="periodic",
            on=START,
            acting_user=supervisor,
        )

    assert excinfo.value.message_dict == {field: [message]}


@pytest.mark.django_db
@pytest.mark.parametrize(("score", "stored"), [(1, 1), (10, 10), ("7", 7)])
def test_assessment_accepts_score_bounds(placement, instrument, supervisor, score, stored):
    scores = _all_fives(instrument) | {"motivation": score}

    assessment = assessment_record(
        placement=placement,
        instrument=instrument,
        scores=scores,
        kind="periodic",
        on=START,
        acting_user=supervisor,
    )

    assert assessment.scores.get(item__code="motivation").value == stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "weekly"}, "kind", "Choose a valid kind of assessment."),
        (
            {"on": START - timedelta(days=1)},
            "date",
            "The date cannot be before the placement started.",
        ),
    ],
)
def test_assessment_refuses_bad_kind_or_date(
    placement, instrument, supervisor, changes, field, message
):
    arguments = {"kind": "intake", "on": START}
    arguments.update(changes)

    with nothing_written(Assessment, Score), pytest.raises(ValidationError) as excinfo:
        assessment_record(
            placement=placement,
            instrument=instrument,
            scores=_all_fives(instrument),
            acting_user=supervisor,
            **arguments,
        )

    assert excinfo.value.message_dict == {field: [message]}


# --- review_record


@pytest.mark.django_db
def test_review_record(placement, case_officer):
    review = review_record(
        placement=placement,
        summary=" Går bra, fortsätt. ",
        decision=Review.Decision.CONTINUE,
        on=date(2026, 11, 2),
        next_review_on=date(2027, 2, 1),
        acting_user=case_officer,
    )

    loaded = Review.objects.get(pk=review.pk)
    assert loaded.summary == "Går bra, fortsätt."
    assert (loaded.decision, loaded.date, loaded.next_review_on) == (
        "continue",
        date(2026, 11, 2),
        date(2027, 2, 1),
    )
    assert loaded.case_officer == case_officer
    [history] = _history(loaded)
    assert (history.history_user, history.history_change_reason) == (
        case_officer,
        "review recorded",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("reviewer", ["manager", "supervisor", "other_case_officer"])
def test_review_refused_for_anyone_but_the_case_officer(request, placement, agency, reviewer):
    if reviewer == "other_case_officer":
        user = user_with_role(Role.CASE_OFFICER, agency, username="another_officer")
    else:
        user = request.getfixturevalue(reviewer)

    # None of them holds the case officer's relationship, so the service refuses.
    with nothing_written(Review), pytest.raises(PermissionDenied):
        review_record(placement=placement, summary="Bra", decision="continue", acting_user=user)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"summary": " "}, "summary", "Write a summary of the review."),
        ({"decision": "maybe"}, "decision", "Choose a decision."),
        (
            {"next_review_on": date(2026, 11, 2)},
            "next_review_on",
            "The next review must be after this one.",
        ),
        (
            {"on": START - timedelta(days=1)},
            "date",
            "The date cannot be before the placement started.",
        ),
    ],
)
def test_review_refuses_bad_input(placement, case_officer, changes, field, message):
    arguments = {"summary": "Bra", "decision": "continue", "on": date(2026, 11, 2)}
    arguments.update(changes)

    with nothing_written(Review), pytest.raises(ValidationError) as excinfo:
        review_record(placement=placement, acting_user=case_officer, **arguments)

    assert excinfo.value.message_dict == {field: [message]}


# --- placement_end and the follow-ups it schedules


@pytest.mark.django_db
def test_placement_end(placement, manager):
    exit_record = placement_end(
        placement=placement,
        ended_on=date(2026, 8, 31),
        outcome=Outcome.EMPLOYED_SUBSIDISED,
        comment="Lönestöd hos caféet",
        acting_user=manager,
    )

    loaded = Placement.objects.get(pk=placement.pk)
    assert (loaded.status, loaded.actual_end) == (Placement.Status.ENDED, date(2026, 8, 31))
    _assert_written_by(loaded, manager, "placement ended")
    stored_exit = Exit.objects.get(placement=placement)
    assert stored_exit == exit_record
    assert (stored_exit.date, stored_exit.outcome, stored_exit.recorded_by) == (
        date(2026, 8, 31),
        "employed_subsidised",
        manager,
    )
    assert stored_exit.comment == "Lönestöd hos caféet"
    _assert_written_by(stored_exit, manager, "exit recorded")
    follow_ups = list(FollowUp.objects.filter(exit=stored_exit).order_by("due_on"))
    assert [(f.kind, f.due_on) for f in follow_ups] == [
        (FollowUp.Kind.DAY_28, date(2026, 9, 28)),
        (FollowUp.Kind.MONTH_6, date(2027, 2, 28)),  # 31 August + 6 months, clamped
    ]
    for follow_up in follow_ups:
        assert follow_up.participant_id == placement.participant_id
        assert (follow_up.done_at, follow_up.status_found) == (None, "")
        _assert_written_by(follow_up, manager, "follow-up scheduled")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("today", "ended_on", "day_28", "month_6"),
    [
        ("2026-11-27", date(2026, 1, 31), date(2026, 2, 28), date(2026, 7, 31)),
        ("2026-11-27", date(2026, 3, 31), date(2026, 4, 28), date(2026, 9, 30)),
        ("2026-11-27", date(2026, 6, 15), date(2026, 7, 13), date(2026, 12, 15)),
        ("2026-11-27", date(2026, 7, 31), date(2026, 8, 28), date(2027, 1, 31)),
        ("2026-11-27", date(2026, 12, 28), date(2027, 1, 25), date(2027, 6, 28)),
        ("2027-09-01", date(2027, 8, 31), date(2027, 9, 28), date(2028, 2, 29)),  # leap year
    ],
)
def test_follow_up_due_dates(placement, manager, today, ended_on, day_28, month_6):
    with time_machine.travel(datetime.fromisoformat(f"{today}T12:00+00:00")):
        exit_record = placement_end(
            placement=placement, ended_on=ended_on, outcome="job_seeking", acting_user=manager
        )

    due = dict(exit_record.follow_ups.values_list("kind", "due_on"))
    assert due == {"day_28": day_28, "month_6": month_6}


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 10, 31), 1, date(2026, 11, 30)),
        (date(2026, 7, 15), 6, date(2027, 1, 15)),
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.django_db
def test_placement_end_from_paused(placement, manager):
    placement_pause(placement=placement, reason="Sjukskriven två veckor", acting_user=manager)

    placement_end(
        placement=placement, ended_on=date(2026, 11, 27), outcome="moved", acting_user=manager
    )

    assert Placement.objects.get(pk=placement.pk).status == Placement.Status.ENDED


@pytest.mark.django_db
@pytest.mark.parametrize("placement_fixture", ["referral", "ended_placement"])
def test_placement_end_refuses_placement_not_running(request, manager, placement_fixture):
    placement = request.getfixturevalue(placement_fixture)
    status_before = Placement.objects.get(pk=placement.pk).status

    with (
        nothing_written(Placement, Exit, FollowUp),
        pytest.raises(ValidationError, match="Only an active or paused placement can be ended."),
    ):
        placement_end(
            placement=placement, ended_on=date(2026, 11, 2), outcome="studies", acting_user=manager
        )

    assert Placement.objects.get(pk=placement.pk).status == status_before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"outcome": "retired"}, "outcome", "Choose an exit outcome."),
        (
            {"ended_on": START - timedelta(days=1)},
            "ended_on",
            "The end date cannot be before the start date.",
        ),
        ({"ended_on": date(2026, 12, 29)}, "ended_on", "The end date is too far in the future."),
    ],
)
def test_placement_end_refuses_bad_input(placement, manager, changes, field, message):
    arguments = {"ended_on": date(2026, 11, 2), "outcome": "studies"}
    arguments.update(changes)

    with nothing_written(Placement, Exit, FollowUp), pytest.raises(ValidationError) as excinfo:
        placement_end(placement=placement, acting_user=manager, **arguments)

    assert excinfo.value.message_dict == {field: [message]}
    loaded = Placement.objects.get(pk=placement.pk)
    assert (loaded.status, loaded.actual_end) == (Placement.Status.ACTIVE, None)


@pytest.mark.django_db
def test_placement_end_refuses_end_before_recorded_attendance(placement, unit, supervisor, manager):
    attendance_record_week(
        unit=unit,
        week_start=date(2026, 3, 2),
        entries=[
            AttendanceEntry(placement_id=placement.pk, date=date(2026, 3, 5), attended_hours=4)
        ],
        acting_user=supervisor,
    )

    with (
        nothing_written(Placement, Exit, FollowUp, Attendance),
        pytest.raises(ValidationError) as excinfo,
    ):
        placement_end(
            placement=placement, ended_on=date(2026, 3, 4), outcome="studies", acting_user=manager
        )

    # The message names the days to clear (placements' attendance grid), not only the last.
    assert excinfo.value.message_dict == {
        "ended_on": [
            "Attendance is recorded after this date, on 2026-03-05. Clear those days in the "
            "unit's attendance grid first (tick “Clear the day” and choose why), then end "
            "the placement."
        ]
    }


@pytest.mark.django_db
def test_placement_end_on_last_attended_day(placement, unit, supervisor, manager):
    attendance_record_week(
        unit=unit,
        week_start=date(2026, 3, 2),
        entries=[
            AttendanceEntry(placement_id=placement.pk, date=date(2026, 3, 5), attended_hours=4)
        ],
        acting_user=supervisor,
    )

    placement_end(
        placement=placement, ended_on=date(2026, 3, 5), outcome="studies", acting_user=manager
    )

    assert Placement.objects.get(pk=placement.pk).actual_end == date(2026, 3, 5)


# --- follow_up_record


@pytest.fixture
def follow_up(ended_placement):
    return FollowUp.objects.get(exit__placement=ended_placement, kind=FollowUp.Kind.DAY_28)


@pytest.mark.django_db
def test_follow_up_record(follow_up, manager):
    follow_up_record(
        follow_up=follow_up,
        status_found=FollowUp.Status.EMPLOYED,
        note="Anställd på lagret",
        acting_user=manager,
    )

    loaded = FollowUp.objects.get(pk=follow_up.pk)
    assert (loaded.status_found, loaded.done_by, loaded.note) == (
        "employed",
        manager,
        "Anställd på lagret",
    )
    assert TODAY <= loaded.done_at < TODAY + timedelta(minutes=5)
    _assert_written_by(loaded, manager, "follow-up recorded")


@pytest.mark.django_db
def test_follow_up_record_refuses_unknown_status(follow_up, manager):
    with nothing_written(FollowUp), pytest.raises(ValidationError) as excinfo:
        follow_up_record(follow_up=follow_up, status_found="unknown", acting_user=manager)

    assert excinfo.value.message_dict == {"status_found": ["Choose the status found."]}
    assert FollowUp.objects.get(pk=follow_up.pk).done_at is None


@pytest.mark.django_db
def test_follow_up_record_refuses_second_recording(follow_up, manager):
    follow_up_record(follow_up=follow_up, status_found="studies", acting_user=manager)

    with (
        nothing_written(FollowUp),
        pytest.raises(ValidationError, match="This follow-up has already been recorded."),
    ):
        follow_up_record(follow_up=follow_up, status_found="employed", acting_user=manager)

    assert FollowUp.objects.get(pk=follow_up.pk).status_found == "studies"


# --- instrument_ensure_default


@pytest.mark.django_db
def test_instrument_ensure_default_creates_once(admin_user):
    instrument = instrument_ensure_default(acting_user=admin_user)

    assert instrument.code == "steg-mot-arbete"
    items = list(instrument.items.order_by("position"))
    assert [item.code for item in items] == [area.code for area in DEFAULT_AREAS]
    assert all((item.min_score, item.max_score) == (1, 10) for item in items)
    _assert_written_by(instrument, admin_user, "default instrument created")
    _assert_written_by(items[0], admin_user, "default instrument created")

    with nothing_written(Instrument, Item):
        again = instrument_ensure_default(acting_user=admin_user)

    assert again == instrument
