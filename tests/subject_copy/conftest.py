"""A participant whose every encrypted value is a planted, distinctive word, and a
second participant at the same enterprise with words of their own."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from casework.models import FollowUp, ProgressNote
from casework.services import (
    assessment_record,
    follow_up_record,
    goal_add,
    placement_end,
    progress_note_add,
    review_record,
)
from participants.services import consent_record
from placements.services import (
    AttendanceEntry,
    attendance_record_week,
    placement_plan_decide,
    placement_plan_submit,
    placement_plan_update,
)
from referrals.services import case_message_post
from tests.factories import make_active_placement, make_participant, valid_identity_number
from tests.timesheets.conftest import confirm
from timesheets.services import time_dispute_resolve

#: Field → planted word. Short, so no PDF table cell breaks one across lines.
PLANTED = {
    "given_name": "Qzgivenaa",
    "family_name": "Qzfamilyaa",
    "phone": "Qzphoneaa",
    "email": "qzemailaa@example.org",
    "address": "Qzaddressaa",
    "emergency_contact": "Qzemergaa",
    "support_needs": "Qzhealthaa",
    "plan_goals": "Qzplangoal",
    "plan_tasks": "Qzplantask",
    "plan_support": "Qzplansupp",
    "plan_comment": "Qzplancomm",
    "attendance_note": "Qzattendaa",
    "internal_note": "Qzinternal",
    "shared_note": "Qzsharedaa",
    "goal": "Qzgoalaaaa",
    "assessment_comment": "Qzassessaa",
    "review_summary": "Qzreviewaa",
    "exit_comment": "Qzexitaaaa",
    "follow_up_note": "Qzfollowaa",
    "consent_evidence": "Qzevidence",
    "time_comment": "Qztimeaaaa",
    "time_decision": "Qzdecision",
    "message": "Qzmessage",
    "project": "Qzprojekt",
}
OTHER = {"given_name": "Qxothergiv", "note": "Qxothernote", "health": "Qxotherhealth"}


@dataclass
class Planted:
    participant: object
    other: object
    identity_number: str
    words: dict


def monday(day):
    return day - timedelta(days=day.weekday())


def plant_record(
    *, enterprise, manager, unit, supervisor, agency, case_officer, instrument, weeks=1
):
    today = timezone.localdate()
    identity_number = valid_identity_number(1985)
    participant = make_participant(
        organisation=enterprise,
        acting_user=manager,
        personal_identity_number=identity_number,
        **{
            name: PLANTED[name]
            for name in (
                "given_name",
                "family_name",
                "phone",
                "email",
                "address",
                "emergency_contact",
                "support_needs",
            )
        },
    )
    start = monday(today) - timedelta(weeks=weeks + 2)
    placement = make_active_placement(
        participant=participant,
        unit=unit,
        supervisors=[supervisor],
        acting_user=manager,
        start_date=start,
        agency=agency,
        case_officer=case_officer,
    )
    placement_plan_update(
        placement=placement,
        goals=PLANTED["plan_goals"],
        tasks=PLANTED["plan_tasks"],
        support=PLANTED["plan_support"],
        acting_user=manager,
    )
    placement_plan_submit(placement=placement, acting_user=manager)
    placement_plan_decide(
        placement=placement,
        approve=False,
        comment=PLANTED["plan_comment"],
        acting_user=case_officer,
    )
    for week in range(weeks):
        week_start = start + timedelta(weeks=week)
        attendance_record_week(
            unit=unit,
            week_start=week_start,
            entries=[
                AttendanceEntry(
                    placement_id=placement.pk,
                    date=week_start + timedelta(days=offset),
                    attended_hours=Decimal(4),
                    note=PLANTED["attendance_note"] if (week, offset) == (0, 0) else "",
                )
                for offset in range(5)
            ],
            acting_user=supervisor,
        )
    dispute = confirm(
        placement,
        supervisor,
        month=start.replace(day=1),
        disputed_days=[start],
        comment=PLANTED["time_comment"],
    )
    time_dispute_resolve(
        confirmation=dispute,
        resolution="kept",
        comment=PLANTED["time_decision"],
        acting_user=manager,
    )
    for visibility, word in (
        (ProgressNote.Visibility.INTERNAL, PLANTED["internal_note"]),
        (ProgressNote.Visibility.SHARED, PLANTED["shared_note"]),
    ):
        progress_note_add(
            placement=placement,
            text=word,
            kind=ProgressNote.Kind.OBSERVATION,
            visibility=visibility,
            on=start + timedelta(days=1),
            acting_user=supervisor,
        )
    goal_add(placement=placement, text=PLANTED["goal"], acting_user=manager)
    assessment_record(
        placement=placement,
        instrument=instrument,
        scores={item.code: 6 for item in instrument.items.all()},
        kind="intake",
        on=start,
        comment=PLANTED["assessment_comment"],
        acting_user=supervisor,
    )
    review_record(
        placement=placement,
        summary=PLANTED["review_summary"],
        decision="continue",
        on=start + timedelta(days=7),
        acting_user=case_officer,
    )
    exit_record = placement_end(
        placement=placement,
        ended_on=today - timedelta(days=1),
        outcome="studies",
        comment=PLANTED["exit_comment"],
        acting_user=manager,
    )
    follow_up = FollowUp.objects.filter(exit=exit_record).order_by("due_on").first()
    follow_up_record(
        follow_up=follow_up,
        status_found="studies",
        note=PLANTED["follow_up_note"],
        acting_user=manager,
    )
    consent_record(
        participant=participant,
        purpose="share_with_agency",
        agency=agency,
        evidence=PLANTED["consent_evidence"],
        acting_user=manager,
    )
    case_message_post(placement=placement, body=PLANTED["message"], acting_user=manager)
    _funded_project(enterprise, manager, placement, start)
    return participant, participant.personal_identity_number


def _funded_project(enterprise, manager, placement, start):
    """The placement in a funded project, its data at entry recorded (disability "yes")."""
    from funding.services import (
        ProjectInput,
        project_create,
        project_entry_record,
        project_placement_add,
    )
    from tests.factories import OrganisationFactory
    from tests.funding.conftest import full_entry

    project = project_create(
        enterprise=enterprise,
        data=ProjectInput(
            kind="esf",
            name=PLANTED["project"],
            reference=f"P-{placement.pk.hex[:8]}",
            funder=OrganisationFactory(kind="funder", name=f"Finansiär {placement.pk.hex[:8]}"),
            starts_on=start,
        ),
        acting_user=manager,
    )
    membership = project_placement_add(
        project=project, placement=placement, joined_on=start, acting_user=manager
    )
    project_entry_record(membership=membership, data=full_entry(), acting_user=manager)


@pytest.fixture
def planted(enterprise, manager, unit, supervisor, agency, case_officer, instrument):
    participant, identity_number = plant_record(
        enterprise=enterprise,
        manager=manager,
        unit=unit,
        supervisor=supervisor,
        agency=agency,
        case_officer=case_officer,
        instrument=instrument,
    )
    other = make_participant(
        organisation=enterprise,
        acting_user=manager,
        given_name=OTHER["given_name"],
        support_needs=OTHER["health"],
    )
    other_placement = make_active_placement(
        participant=other, unit=unit, supervisors=[supervisor], acting_user=manager
    )
    progress_note_add(
        placement=other_placement,
        text=OTHER["note"],
        kind=ProgressNote.Kind.OBSERVATION,
        on=other_placement.start_date,
        acting_user=supervisor,
    )
    consent_record(participant=other, purpose="media", evidence="Qxotherevid", acting_user=manager)
    return Planted(
        participant=participant,
        other=other,
        identity_number=identity_number,
        words={**PLANTED, "personal_identity_number": identity_number},
    )
