"""A small fixed data set built through the services, with hand-computed statistics.

Period 2026-01 – 2026-06 at enterprise "Kaffekvarnen ASF" (units Caféet, Bageriet);
report date 2026-11-27. See test_statistics.py for every expected value.

P1 woman 1996 ISCED 3–4 long-term unemployed, disability; work training, Caféet,
   2026-01-05 → 2026-03-02 (56 days), employed. 28 d: employed; 6 m: with subsidy.
P2 man 2000 ISCED 0–2 unemployed, foreign background, newly arrived; work training,
   Caféet, 2026-01-12 → 2026-04-13 (91 days), studies. 28 d: studies; 6 m: not made.
P3 non-binary 1965 ISCED 5–8 inactive; internship, Bageriet, from 2026-02-02, running.
P4 woman 2009 ISCED 0–2 inactive, foreign background; internship, Bageriet,
   2025-11-03 → 2026-05-04 (182 days), job seeking. 28 d: not reached; 6 m: job seeking.
P5 not stated 1980 unknown education, employed; work training, Caféet, 2026-03-02 →
   2026-07-06 (after the period: active at its end).
P6 man 1990; starts 2026-07-06 (after the period: not counted).
P7 woman at another enterprise (not in scope).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accounts.models import Organisation
from casework.models import FollowUp
from casework.services import (
    assessment_record,
    follow_up_record,
    instrument_ensure_default,
    placement_end,
)
from participants.models import EducationLevel, Gender, LabourMarketStatus
from placements.models import Attendance, Programme
from placements.services import (
    AttendanceEntry,
    attendance_record_week,
    placement_start,
    referral_register,
)
from tests.factories import UnitFactory, make_participant, user_with_role

AS_OF = date(2026, 11, 27)
AREAS = (
    "work_skills",
    "motivation",
    "job_seeking",
    "stability",
    "basic_skills",
    "cooperation",
    "health",
)


@dataclass
class Dataset:
    enterprise: Organisation
    other_enterprise: Organisation
    manager: object
    placements: dict


def _start(participant, unit, programme, start, manager, supervisor):
    placement = referral_register(
        participant=participant, programme=programme, referred_on=start, acting_user=manager
    )
    return placement_start(
        placement=placement,
        unit=unit,
        supervisors=[supervisor],
        start_date=start,
        hours_per_week=20,
        weekdays="12345",
        acting_user=manager,
    )


def _week(unit, placement, monday, hours, manager, reasons=None):
    reasons = reasons or {}
    entries = [
        AttendanceEntry(
            placement_id=placement.pk,
            date=monday.replace(day=monday.day)
            + (date.fromordinal(monday.toordinal() + offset) - monday),
            attended_hours=Decimal(str(value)),
            absence_reason=reasons.get(offset, ""),
        )
        for offset, value in enumerate(hours)
    ]
    attendance_record_week(unit=unit, week_start=monday, entries=entries, acting_user=manager)


def _scores(value, **overrides):
    scores = dict.fromkeys(AREAS, value)
    scores.update(overrides)
    return scores


def build_dataset(enterprise, other_enterprise, manager, supervisor, other_supervisor) -> Dataset:
    instrument = instrument_ensure_default()
    cafe = UnitFactory(organisation=enterprise, name="Caféet")
    bakery = UnitFactory(organisation=enterprise, name="Bageriet")
    workshop = UnitFactory(organisation=other_enterprise, name="Verkstaden")
    other_manager = user_with_role("manager", other_enterprise, username="other_manager")

    def person(**fields):
        return make_participant(organisation=enterprise, acting_user=manager, **fields)

    p1 = person(
        gender=Gender.WOMAN,
        birth_year=1996,
        education_level=EducationLevel.ISCED_3_4,
        labour_market_status=LabourMarketStatus.LONG_TERM_UNEMPLOYED,
        has_disability=True,
    )
    p2 = person(
        gender=Gender.MAN,
        birth_year=2000,
        education_level=EducationLevel.ISCED_0_2,
        labour_market_status=LabourMarketStatus.UNEMPLOYED,
        foreign_background=True,
        newly_arrived=True,
    )
    p3 = person(
        gender=Gender.NON_BINARY,
        birth_year=1965,
        education_level=EducationLevel.ISCED_5_8,
        labour_market_status=LabourMarketStatus.INACTIVE,
    )
    p4 = person(
        gender=Gender.WOMAN,
        birth_year=2009,
        education_level=EducationLevel.ISCED_0_2,
        labour_market_status=LabourMarketStatus.INACTIVE,
        foreign_background=True,
    )
    p5 = person(
        gender=Gender.NOT_STATED,
        birth_year=1980,
        education_level=EducationLevel.UNKNOWN,
        labour_market_status=LabourMarketStatus.EMPLOYED,
    )
    p6 = person(gender=Gender.MAN, birth_year=1990)
    p7 = make_participant(organisation=other_enterprise, acting_user=other_manager)

    w = Programme.WORK_TRAINING
    pl1 = _start(p1, cafe, w, date(2026, 1, 5), manager, supervisor)
    pl2 = _start(p2, cafe, w, date(2026, 1, 12), manager, supervisor)
    pl3 = _start(p3, bakery, Programme.INTERNSHIP, date(2026, 2, 2), manager, supervisor)
    pl4 = _start(p4, bakery, Programme.INTERNSHIP, date(2025, 11, 3), manager, supervisor)
    pl5 = _start(p5, cafe, w, date(2026, 3, 2), manager, supervisor)
    pl6 = _start(p6, cafe, w, date(2026, 7, 6), manager, supervisor)
    pl7 = _start(p7, workshop, w, date(2026, 1, 5), other_manager, other_supervisor)

    sick, invalid, holiday = (
        Attendance.AbsenceReason.SICK,
        Attendance.AbsenceReason.INVALID,
        Attendance.AbsenceReason.HOLIDAY,
    )
    _week(cafe, pl1, date(2026, 1, 5), (4, 4, 4, 0, 2), manager, {3: sick})
    _week(cafe, pl2, date(2026, 1, 12), (4, 4, 4, 4, 4), manager)
    _week(bakery, pl3, date(2026, 2, 2), (4, 0, 4, 0, 4), manager, {1: invalid, 3: sick})
    _week(bakery, pl4, date(2025, 12, 1), (4, 4, 4, 4, 4), manager)  # before the period
    _week(bakery, pl4, date(2026, 1, 5), (4, 4, 0, 4, 4), manager, {2: holiday})
    _week(cafe, pl5, date(2026, 3, 2), (3, 4, 4, 4, 4), manager)
    _week(workshop, pl7, date(2026, 1, 5), (4, 4, 4, 4, 4), other_manager)

    def assess(placement, on, kind, scores):
        assessment_record(
            placement=placement,
            instrument=instrument,
            scores=scores,
            kind=kind,
            on=on,
            acting_user=manager,
        )

    assess(pl1, date(2026, 1, 5), "intake", _scores(4))
    assess(pl1, date(2026, 3, 2), "exit", _scores(6, health=4))
    assess(pl2, date(2026, 1, 12), "intake", _scores(5))
    assess(pl2, date(2026, 2, 16), "periodic", _scores(7))
    assess(pl2, date(2026, 4, 13), "exit", _scores(5, work_skills=3))
    assess(pl3, date(2026, 2, 2), "intake", _scores(8))
    assess(pl5, date(2026, 3, 2), "intake", _scores(3))
    assess(pl5, date(2026, 6, 1), "periodic", _scores(3, motivation=5))
    assess(pl5, date(2026, 7, 1), "periodic", _scores(9))  # after the period

    ends = {}
    for placement, on, outcome in (
        (pl1, date(2026, 3, 2), "employed"),
        (pl2, date(2026, 4, 13), "studies"),
        (pl4, date(2026, 5, 4), "job_seeking"),
        (pl5, date(2026, 7, 6), "employed"),
    ):
        ends[placement.pk] = placement_end(
            placement=placement, ended_on=on, outcome=outcome, acting_user=manager
        )

    def record(placement, kind, status):
        follow_up = FollowUp.objects.get(exit=ends[placement.pk], kind=kind)
        follow_up_record(follow_up=follow_up, status_found=status, acting_user=manager)

    record(pl1, "day_28", "employed")
    record(pl1, "month_6", "employed_subsidised")
    record(pl2, "day_28", "studies")
    record(pl4, "day_28", "not_reached")
    record(pl4, "month_6", "job_seeking")
    return Dataset(
        enterprise=enterprise,
        other_enterprise=other_enterprise,
        manager=manager,
        placements={
            "p1": pl1,
            "p2": pl2,
            "p3": pl3,
            "p4": pl4,
            "p5": pl5,
            "p6": pl6,
            "p7": pl7,
        },
    )
