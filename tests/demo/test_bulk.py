"""The bulk paths: every row checked as the single-row service checks it, a
refusal names its row, and a refused batch writes nothing."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from casework.models import Exit, ProgressNote
from demo.bulk import (
    ExitInput,
    ProgressNoteInput,
    attendance_bulk_create,
    exit_bulk_create,
    participant_bulk_create,
    placement_bulk_create,
    progress_note_bulk_create,
)
from encryption.models import DataKey
from participants.models import Participant
from participants.services import participant_create
from placements.models import Attendance, Placement, Programme
from placements.services import AttendanceEntry
from tests.factories import nothing_written, participant_input

TODAY = datetime(2026, 11, 27, 12, tzinfo=UTC)
INVALID_NUMBER = (
    "Enter a valid personal identity number or co-ordination number, e.g. 19121212-1212."
)
DUPLICATE = (
    "A participant with this personal identity number is already registered at this enterprise."
)
BORN_1985 = "19850312-1231"  # Luhn-correct


@pytest.fixture(autouse=True)
def _today_in_english():
    with time_machine.travel(TODAY), translation.override("en"):
        yield


def _create(enterprise, manager, **overrides):
    return participant_create(
        organisation=enterprise, data=participant_input(**overrides), acting_user=manager
    )


# --- participant_bulk_create (assertions as they were in tests/participants)


@pytest.mark.django_db
def test_bulk_create_registers_each_with_own_key_and_history(enterprise, manager):
    keys_before = DataKey.objects.count()
    records = [participant_input() for _ in range(3)]

    created = participant_bulk_create(organisation=enterprise, records=records, acting_user=manager)

    assert len(created) == 3
    assert DataKey.objects.count() == keys_before + 3
    assert len({participant.data_key_id for participant in created}) == 3
    for participant, record in zip(created, records, strict=True):
        loaded = Participant.objects.get(pk=participant.pk)
        assert loaded.given_name == record.given_name
        [history] = loaded.history.all()
        assert history.history_user == manager
        assert history.history_change_reason == "participant registered"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        pytest.param([BORN_1985, "19850312-1232"], f"Row 2: {INVALID_NUMBER}", id="bad-number"),
        pytest.param(
            [BORN_1985, "8503121231"],
            "Row 2: the personal identity number appears twice.",
            id="twice-in-batch",
        ),
    ],
)
def test_bulk_create_refuses_bad_rows(enterprise, manager, numbers, message):
    records = [participant_input(personal_identity_number=number) for number in numbers]

    with nothing_written(Participant, DataKey), pytest.raises(ValidationError) as excinfo:
        participant_bulk_create(organisation=enterprise, records=records, acting_user=manager)

    assert excinfo.value.messages == [message]


@pytest.mark.django_db
def test_bulk_create_refuses_number_already_registered(enterprise, manager):
    _create(enterprise, manager, personal_identity_number=BORN_1985)
    records = [participant_input(), participant_input(personal_identity_number="850312-1231")]

    with nothing_written(Participant, DataKey), pytest.raises(ValidationError) as excinfo:
        participant_bulk_create(organisation=enterprise, records=records, acting_user=manager)

    assert excinfo.value.message_dict == {"personal_identity_number": [DUPLICATE]}


@pytest.mark.django_db
def test_bulk_create_refuses_bad_profile(enterprise, manager):
    records = [participant_input(), participant_input(gender="female")]

    with nothing_written(Participant, DataKey), pytest.raises(ValidationError) as excinfo:
        participant_bulk_create(organisation=enterprise, records=records, acting_user=manager)

    assert excinfo.value.message_dict == {"gender": ["Choose a valid gender."]}


# --- the casework and placement paths share the services' messages


@pytest.mark.django_db
def test_progress_notes_refuse_a_row_as_progress_note_add_does(placement, supervisor):
    good = ProgressNoteInput(
        placement=placement, on=date(2026, 3, 2), kind="observation", text="Bra"
    )
    blank = ProgressNoteInput(
        placement=placement, on=date(2026, 3, 3), kind="observation", text=" "
    )

    with nothing_written(ProgressNote), pytest.raises(ValidationError) as excinfo:
        progress_note_bulk_create(records=[good, blank], acting_user=supervisor)

    assert excinfo.value.messages == ["Row 2: Write the note."]


@pytest.mark.django_db
def test_placements_refuse_a_row_as_placement_start_does(
    participant, other_unit, supervisor, manager
):
    placement = Placement(
        participant=participant,
        data_key_id=participant.data_key_id,
        unit=other_unit,
        programme=Programme.WORK_TRAINING,
        referred_on=date(2026, 1, 5),
        start_date=date(2026, 1, 5),
        status=Placement.Status.ACTIVE,
    )

    with nothing_written(Placement), pytest.raises(ValidationError) as excinfo:
        placement_bulk_create(
            placements=[placement], supervisors={placement.pk: [supervisor]}, acting_user=manager
        )

    assert excinfo.value.messages == [
        "Row 1: The unit must belong to the participant's enterprise."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"attended_hours": Decimal("25")}, "Row 2: Attended hours must be between 0 and 24."),
        ({"attended_hours": "NaN"}, "Row 2: Enter hours as a number."),
        ({"date": date(2026, 1, 2)}, "Row 2: 2026-01-02 is outside the placement (2026-01-05 – )."),
        ({"date": date(2026, 3, 2)}, "Row 2: the day appears twice"),
    ],
)
def test_attendance_refuses_a_row_as_attendance_record_week_does(
    placement, supervisor, changes, message
):
    first = AttendanceEntry(placement_id=placement.pk, date=date(2026, 3, 2), attended_hours=4)
    values = {"placement_id": placement.pk, "date": date(2026, 3, 3), "attended_hours": 4}
    values.update(changes)

    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_bulk_create(
            placements=[placement],
            entries=[first, AttendanceEntry(**values)],
            acting_user=supervisor,
        )

    assert excinfo.value.messages == [message]


@pytest.mark.django_db
def test_attendance_refuses_more_than_the_weekly_scope(placement, supervisor):
    week = [date(2026, 3, day) for day in range(2, 7)]  # Monday to Friday, 20 hours of scope
    entries = [AttendanceEntry(placement.pk, day, Decimal(5)) for day in week]

    with nothing_written(Attendance), pytest.raises(ValidationError) as excinfo:
        attendance_bulk_create(placements=[placement], entries=entries, acting_user=supervisor)

    assert excinfo.value.messages == [
        "Row 5: 25 hours in one week is more than the placement's scope of 20 hours."
    ]


@pytest.mark.django_db
def test_exits_only_for_ended_placements(placement, manager):
    with nothing_written(Exit), pytest.raises(ValidationError) as excinfo:
        exit_bulk_create(
            records=[ExitInput(placement=placement, outcome="employed")], acting_user=manager
        )

    assert excinfo.value.messages == ["Row 1: only an ended placement has an exit"]
