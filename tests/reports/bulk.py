"""Many participants through the bulk paths (participant, placement, attendance and exit)."""

from datetime import date, timedelta
from decimal import Decimal

from casework.services import instrument_ensure_default
from demo.bulk import (
    AssessmentInput,
    ExitInput,
    assessment_bulk_create,
    attendance_bulk_create,
    exit_bulk_create,
    participant_bulk_create,
    placement_bulk_create,
)
from participants.models import Gender
from placements.models import Placement, Programme
from placements.services import AttendanceEntry
from tests.factories import participant_input


def _identity_number(index: int, year: int) -> str:
    from stdnum import luhn

    stem = f"{year % 100:02d}{1 + (index // 1000) % 12:02d}{1 + (index // 12000) % 28:02d}"
    stem += f"{index % 1000:03d}"
    return f"{year}{stem[2:]}{luhn.calc_check_digit(stem)}"


def build_bulk(count, *, enterprise, unit, manager, supervisor, days=10):
    genders = list(Gender.values)
    participants = participant_bulk_create(
        organisation=enterprise,
        records=[
            participant_input(
                gender=genders[i % 4],
                birth_year=1960 + i % 45,
                personal_identity_number=_identity_number(i, 1960 + i % 45),
            )
            for i in range(count)
        ],
        acting_user=manager,
    )
    placements = []
    for index, participant in enumerate(participants):
        start = date(2026, 1, 5) + timedelta(weeks=index % 10)
        ended = index % 3 == 0
        placements.append(
            Placement(
                participant=participant,
                data_key_id=participant.data_key_id,
                unit=unit,
                programme=list(Programme.values)[index % 6],
                referred_on=start,
                start_date=start,
                actual_end=start + timedelta(days=30 + index % 40) if ended else None,
                status=Placement.Status.ENDED if ended else Placement.Status.ACTIVE,
            )
        )
    placements = placement_bulk_create(
        placements=placements,
        supervisors={placement.pk: [supervisor] for placement in placements},
        acting_user=manager,
    )
    entries = [
        AttendanceEntry(placement.pk, placement.start_date + timedelta(days=day), Decimal(3))
        for placement in placements
        for day in range(days)
        if (placement.start_date + timedelta(days=day)).isoweekday() <= 5
    ]
    attendance_bulk_create(placements=placements, entries=entries, acting_user=manager)
    instrument = instrument_ensure_default()
    codes = list(instrument.items.values_list("code", flat=True))
    assessment_bulk_create(
        instrument=instrument,
        records=[
            AssessmentInput(
                placement=placement,
                on=placement.start_date + timedelta(days=offset),
                kind="periodic",
                scores=dict.fromkeys(codes, score + index % 3),
            )
            for index, placement in enumerate(placements)
            for offset, score in ((0, 3), (7, 4))
        ],
        acting_user=manager,
    )
    exit_bulk_create(
        records=[
            ExitInput(placement=placement, outcome="employed")
            for placement in placements
            if placement.status == Placement.Status.ENDED
        ],
        acting_user=manager,
    )
    return placements
