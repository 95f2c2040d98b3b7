"""What goes into a participant's copy of their data, gathered once for the PDF and the JSON.

Everything Stegvis holds about the person: the record's personal data, each
placement with its plan and supervisors, attendance and its confirmations, progress notes, goals,
assessments with their scores, reviews and plan decisions, exits, follow-ups,
consents, who has read the record (the recipients, from the access log) and how
long the record is kept.

**Internal notes** are shown, in full, marked as internal. The rule: the right
of access (GDPR Art. 15(1)) covers every personal datum, an assessment or
observation written about the person included. The enterprise is not a public
authority, so secrecy under offentlighets- och sekretesslagen (dataskyddslagen
2018:218, 5 kap. 1 §) does not apply; the exemption for drafts and memory notes
(5 kap. 2 §) does not fit a progress note saved in the record, which is final
and is read by others at the enterprise. What remains, Art. 15(4) (the rights
and freedoms of others, e.g. a note that names another person), needs a human
judgement: the manager or data-protection officer reads the package before
handing it over (docs/subject_copy.md). No note is withheld automatically.

The history tables (earlier versions of the same values) are not repeated: the
copy shows the data as it is now, and the access extract (audit) shows who
changed what.

The gathering runs a fixed number of queries, whatever the size of the record
(tests/subject_copy/test_package.py).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role
from audit.models import AccessEvent
from casework.models import Assessment, Exit, FollowUp, Goal, ProgressNote, Review, Score
from encryption import keycache
from funding.models import ProjectPlacement, SensitiveAnswer
from participants.consents import consent_permits, consents_of
from participants.models import Participant
from placements.models import Attendance, Placement, PlacementSupervisor
from referrals.models import CaseMessage
from timesheets.models import TimeConfirmation

FORMAT = "stegvis-subject-copy/1"


def _plain(value: Any) -> Any:
    """A value as JSON holds it: dates as ISO 8601, decimals as text."""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None:
        return ""
    return value


def _person(user) -> str:
    return str(user) if user is not None else ""


@dataclass
class Section:
    """One part of the copy: a heading, columns and rows (values already plain)."""

    key: str
    title: str
    #: (key in the JSON rows, column heading in the PDF)
    columns: list[tuple[str, str]]
    rows: list[dict] = field(default_factory=list)
    explanation: str = ""


@dataclass
class Package:
    participant_id: str
    produced_at: datetime
    controller: dict
    sections: list[Section]

    def as_json(self) -> dict:
        return {
            "format": FORMAT,
            "participant_id": self.participant_id,
            "produced_at": _plain(self.produced_at),
            "controller": self.controller,
            "sections": {
                section.key: {
                    "title": section.title,
                    "explanation": section.explanation,
                    "rows": section.rows,
                }
                for section in self.sections
            },
        }


def _personal_data(participant: Participant) -> Section:
    fields = [
        ("given_name", _("Given name")),
        ("family_name", _("Family name")),
        ("personal_identity_number", _("Personal identity or co-ordination number")),
        ("phone", _("Phone")),
        ("email", _("Email")),
        ("address", _("Address")),
        ("emergency_contact", _("Emergency contact")),
        ("support_needs", _("Support needs and health notes")),
        ("gender", _("Gender")),
        ("birth_year", _("Birth year")),
        ("municipality", _("Municipality of residence")),
        ("education_level", _("Education level")),
        ("labour_market_status", _("Labour-market status at entry")),
        ("has_disability", _("Disability or reduced working capacity")),
        ("foreign_background", _("Foreign background")),
        ("newly_arrived", _("Newly arrived")),
        ("protected_identity", _("Protected identity")),
        ("status", _("Status")),
        ("created_at", _("Registered")),
    ]
    displays = {
        "gender": participant.get_gender_display,
        "education_level": participant.get_education_level_display,
        "labour_market_status": participant.get_labour_market_status_display,
        "status": participant.get_status_display,
    }
    rows = []
    for name, label in fields:
        value = getattr(participant, name)
        row: dict[str, object] = {"field": name, "label": label}
        if name in displays:
            row.update(value=str(displays[name]()), code=value)
        elif isinstance(value, bool):
            row.update(value=_("Yes") if value else _("No"), code=value)
        else:
            row["value"] = _plain(value)
        rows.append(row)
    return Section(
        key="personal_data",
        title=_("Personal data in the record"),
        columns=[("label", _("Item")), ("value", _("Value"))],
        rows=rows,
    )


def _placements(placements: list[Placement], supervisors: dict) -> Section:
    rows = []
    for placement in placements:
        rows.append(
            {
                "placement_id": str(placement.pk),
                "unit": placement.unit.name if placement.unit else "",
                "programme": placement.get_programme_display(),
                "referring_organisation": (
                    placement.referring_organisation.name
                    if placement.referring_organisation
                    else ""
                ),
                "case_officer": _person(placement.case_officer),
                "referred_on": _plain(placement.referred_on),
                "start_date": _plain(placement.start_date),
                "planned_end": _plain(placement.planned_end),
                "actual_end": _plain(placement.actual_end),
                "hours_per_week": _plain(placement.hours_per_week),
                "status": placement.get_status_display(),
                "supervisors": ", ".join(supervisors.get(placement.pk, [])),
                "plan_goals": placement.plan_goals,
                "plan_tasks": placement.plan_tasks,
                "plan_support": placement.plan_support,
                "plan_status": placement.get_plan_status_display(),
                "plan_decided_at": _plain(placement.plan_decided_at),
                "plan_decided_by": _person(placement.plan_decided_by),
                "plan_comment": placement.plan_comment,
            }
        )
    return Section(
        key="placements",
        title=_("Placements and plans"),
        columns=[
            ("unit", _("Unit")),
            ("programme", _("Programme")),
            ("referring_organisation", _("Referred by")),
            ("case_officer", _("Case officer")),
            ("start_date", _("Start")),
            ("actual_end", _("End")),
            ("status", _("Status")),
            ("supervisors", _("Supervisors")),
            ("plan_goals", _("Plan: goals")),
            ("plan_tasks", _("Plan: tasks")),
            ("plan_support", _("Plan: support")),
            ("plan_status", _("Plan decision")),
            ("plan_comment", _("Case officer's comment on the plan")),
        ],
        rows=rows,
    )


def _unit_of(placements_by_id: dict, placement_id) -> str:
    placement = placements_by_id[placement_id]
    return placement.unit.name if placement.unit else ""


def _time_confirmations(participant, placements_by_id: dict) -> Section:
    """The participant's confirmations of their time, their comments and the decisions."""
    confirmations = (
        TimeConfirmation.objects.filter(placement__participant=participant)
        .select_related("recorded_by", "resolved_by")
        .order_by("month", "pk")
    )
    return Section(
        key="time_confirmations",
        title=_("Time confirmations"),
        columns=[
            ("month", _("Month")),
            ("unit", _("Unit")),
            ("status", _("Status")),
            ("channel", _("How")),
            ("recorded_at", _("Recorded")),
            ("disputed_days", _("Disputed days")),
            ("comment", _("Your comment")),
            ("resolution", _("Decision")),
            ("resolution_comment", _("Reason for the decision")),
        ],
        rows=[
            {
                "month": row.month.strftime("%Y-%m"),
                "unit": _unit_of(placements_by_id, row.placement_id),
                "status": row.get_status_display(),
                "channel": row.get_channel_display(),
                "recorded_at": _plain(row.recorded_at),
                "recorded_by": _person(row.recorded_by),
                "disputed_days": ", ".join(row.disputed_days),
                "comment": row.comment,
                "resolution": row.get_resolution_display(),
                "resolution_comment": row.resolution_comment,
                "resolved_by": _person(row.resolved_by),
            }
            for row in confirmations
        ],
    )


#: What a funded project holds of the participant, in the order of the project's form.
PROJECT_FIELDS = (
    "age_at_entry",
    "entry_status",
    "education_level",
    "disability",
    "foreign_background",
    "third_country_national",
    "minority",
    "homeless",
    "rural_area",
    "income_before",
    "job_searching",
    "in_education",
    "gained_qualification",
    "employed_on_leaving",
    "income_after",
)
SENSITIVE_LABELS = dict(SensitiveAnswer.choices)


def _project_label(name: str) -> str:
    field = ProjectPlacement._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _project_value(row: ProjectPlacement, name: str) -> Any:
    field = ProjectPlacement._meta.get_field(name)
    value = getattr(row, name)
    if getattr(field, "choices", None):
        return getattr(row, f"get_{name}_display")()
    if isinstance(value, str):  # an encrypted special-category answer (a code)
        return str(SENSITIVE_LABELS.get(value, value))
    return _plain(value)


def _funded_projects(participant) -> Section:
    """The data recorded for funded projects (at entry, on leaving), as the funder gets it."""
    rows = (
        ProjectPlacement.objects.filter(placement__participant=participant)
        .select_related("project", "project__funder")
        .order_by("joined_on", "pk")
    )
    return Section(
        key="funded_projects",
        title=_("Funded projects"),
        columns=[
            ("project", _("Project")),
            ("funder", _("Funder")),
            ("joined_on", _("Entered")),
            ("left_on", _("Left")),
            ("data", _("Data reported")),
        ],
        rows=[
            {
                "project": row.project.name,
                "funder": row.project.funder.name,
                "joined_on": _plain(row.joined_on),
                "left_on": _plain(row.left_on),
                "data": "; ".join(
                    f"{_project_label(name)}: {value}"
                    for name in PROJECT_FIELDS
                    if (value := _project_value(row, name)) not in ("", None)
                ),
            }
            for row in rows
        ],
    )


def _messages(participant, placements_by_id: dict) -> Section:
    """The messages between the enterprise and the case officer on a placement."""
    messages = (
        CaseMessage.objects.filter(placement__participant=participant)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return Section(
        key="messages",
        title=_("Messages"),
        columns=[
            ("created_at", _("Sent")),
            ("unit", _("Unit")),
            ("author", _("From")),
            ("body", _("Message")),
        ],
        rows=[
            {
                "created_at": _plain(row.created_at),
                "unit": _unit_of(placements_by_id, row.placement_id),
                "author": _person(row.author),
                "body": row.body,
            }
            for row in messages
        ],
    )


def package_build(*, participant_id, now: datetime | None = None) -> Package:
    """Gather the copy of one participant's data. Unscoped: the caller has checked
    that the acting user may produce it (``subject_copy.services``)."""
    now = now or timezone.now()
    participant = Participant.objects.select_related("organisation", "data_key").get(
        pk=participant_id
    )
    # Every row of the record is under this key: no query per row to find it.
    keycache.remember(participant.data_key)
    placements = list(
        Placement.objects.filter(participant=participant)
        .select_related("unit", "referring_organisation", "case_officer", "plan_decided_by")
        .order_by("referred_on", "pk")
    )
    by_id = {placement.pk: placement for placement in placements}
    supervisors: dict = defaultdict(list)
    for assignment in (
        PlacementSupervisor.objects.filter(placement__participant=participant)
        .select_related("supervisor")
        .order_by("assigned_on", "pk")
    ):
        supervisors[assignment.placement_id].append(_person(assignment.supervisor))

    sections = [_personal_data(participant), _placements(placements, supervisors)]

    attendance = (
        Attendance.objects.filter(placement__participant=participant)
        .select_related("recorded_by")
        .order_by("date", "pk")
    )
    sections.append(
        Section(
            key="attendance",
            title=_("Attendance"),
            columns=[
                ("date", _("Date")),
                ("unit", _("Unit")),
                ("planned_hours", _("Planned hours")),
                ("attended_hours", _("Attended hours")),
                ("absence_reason", _("Absence reason")),
                ("note", _("Note")),
            ],
            rows=[
                {
                    "date": _plain(row.date),
                    "unit": _unit_of(by_id, row.placement_id),
                    "planned_hours": _plain(row.planned_hours),
                    "attended_hours": _plain(row.attended_hours),
                    "absence_reason": row.get_absence_reason_display(),
                    "note": row.note,
                    "recorded_by": _person(row.recorded_by),
                }
                for row in attendance
            ],
        )
    )

    sections.append(_time_confirmations(participant, by_id))

    notes = (
        ProgressNote.objects.filter(placement__participant=participant)
        .select_related("author")
        .order_by("date", "created_at", "pk")
    )
    sections.append(
        Section(
            key="notes",
            title=_("Progress notes"),
            explanation=_(
                "All notes are included: those shared with the case officer and those "
                "internal to the enterprise (marked internal). The right of access covers "
                "every note written about you; no note has been withheld."
            ),
            columns=[
                ("date", _("Date")),
                ("kind", _("Kind")),
                ("visibility", _("Visibility")),
                ("author", _("Written by")),
                ("text", _("Text")),
            ],
            rows=[
                {
                    "date": _plain(note.date),
                    "kind": note.get_kind_display(),
                    "visibility": note.get_visibility_display(),
                    "internal": note.visibility == ProgressNote.Visibility.INTERNAL,
                    "author": _person(note.author),
                    "text": note.text,
                }
                for note in notes
            ],
        )
    )

    goals = Goal.objects.filter(placement__participant=participant).order_by("pk")
    sections.append(
        Section(
            key="goals",
            title=_("Goals"),
            columns=[
                ("text", _("Goal")),
                ("target_date", _("Target date")),
                ("status", _("Status")),
                ("achieved_on", _("Achieved on")),
            ],
            rows=[
                {
                    "text": goal.text,
                    "target_date": _plain(goal.target_date),
                    "status": goal.get_status_display(),
                    "achieved_on": _plain(goal.achieved_on),
                }
                for goal in goals
            ],
        )
    )

    assessments = list(
        Assessment.objects.filter(placement__participant=participant)
        .select_related("instrument", "assessed_by")
        .order_by("date", "pk")
    )
    scores: dict = defaultdict(list)
    for score in (
        Score.objects.filter(assessment__placement__participant=participant)
        .select_related("item")
        .order_by("item__position")
    ):
        scores[score.assessment_id].append(f"{score.item.label}: {score.value}")
    sections.append(
        Section(
            key="assessments",
            title=_("Assessments"),
            columns=[
                ("date", _("Date")),
                ("kind", _("Kind")),
                ("instrument", _("Instrument")),
                ("assessed_by", _("Assessed by")),
                ("scores", _("Scores")),
                ("comment", _("Comment")),
            ],
            rows=[
                {
                    "date": _plain(assessment.date),
                    "kind": assessment.get_kind_display(),
                    "instrument": assessment.instrument.name,
                    "assessed_by": _person(assessment.assessed_by),
                    "scores": "; ".join(scores.get(assessment.pk, [])),
                    "comment": assessment.comment,
                }
                for assessment in assessments
            ],
        )
    )

    reviews = (
        Review.objects.filter(placement__participant=participant)
        .select_related("case_officer")
        .order_by("date", "pk")
    )
    exits = Exit.objects.filter(placement__participant=participant).select_related("recorded_by")
    sections.append(
        Section(
            key="decisions",
            title=_("Reviews and decisions"),
            columns=[
                ("date", _("Date")),
                ("what", _("What")),
                ("decision", _("Decision")),
                ("by", _("By")),
                ("text", _("Summary or comment")),
            ],
            rows=[
                {
                    "date": _plain(review.date),
                    "what": _("Review"),
                    "decision": review.get_decision_display(),
                    "by": _person(review.case_officer),
                    "text": review.summary,
                }
                for review in reviews
            ]
            + [
                {
                    "date": _plain(placement_exit.date),
                    "what": _("Exit"),
                    "decision": placement_exit.get_outcome_display(),
                    "by": _person(placement_exit.recorded_by),
                    "text": placement_exit.comment,
                }
                for placement_exit in exits
            ],
        )
    )

    follow_ups = (
        FollowUp.objects.filter(participant=participant)
        .select_related("done_by")
        .order_by("due_on", "pk")
    )
    sections.append(
        Section(
            key="follow_ups",
            title=_("Follow-ups after exit"),
            columns=[
                ("kind", _("Kind")),
                ("due_on", _("Due")),
                ("status_found", _("Status found")),
                ("done_at", _("Done")),
                ("note", _("Note")),
            ],
            rows=[
                {
                    "kind": follow_up.get_kind_display(),
                    "due_on": _plain(follow_up.due_on),
                    "status_found": follow_up.get_status_found_display(),
                    "done_at": _plain(follow_up.done_at),
                    "note": follow_up.note,
                }
                for follow_up in follow_ups
            ],
        )
    )

    sections.append(_messages(participant, by_id))
    sections.append(_funded_projects(participant))
    sections.append(_consents(participant))
    sections.append(_recipients(participant))
    sections.append(_retention(participant, placements))
    return Package(
        participant_id=str(participant.pk),
        produced_at=now,
        controller={
            "name": participant.organisation.name,
            "organisation_number": participant.organisation.organisation_number,
        },
        sections=sections,
    )


def _consents(participant: Participant) -> Section:
    rows = []
    for consent in consents_of(participant.pk):
        recipient = ""
        if consent.agency is not None:
            recipient = consent.agency.name
        elif consent.funder is not None:
            recipient = consent.funder.name
            if consent.recipient_system:
                recipient += f" ({consent.recipient_system})"
        rows.append(
            {
                "purpose": consent.get_purpose_display(),
                "recipient": recipient,
                "given_at": _plain(consent.given_at),
                "withdrawn_at": _plain(consent.withdrawn_at),
                "wording_version": consent.template.version if consent.template else "",
                "wording": consent.template.wording if consent.template else "",
                "recorded_by": _person(consent.recorded_by),
                "evidence": consent.evidence,
                "permits": consent_permits(consent),
            }
        )
    return Section(
        key="consents",
        title=_("Consents"),
        columns=[
            ("purpose", _("Purpose")),
            ("recipient", _("To whom")),
            ("given_at", _("Given")),
            ("withdrawn_at", _("Withdrawn")),
            ("evidence", _("Evidence")),
            ("permits", _("Permits now")),
        ],
        rows=rows,
    )


def _recipients(participant: Participant) -> Section:
    """Who has read the record: organisations and roles from the access log (two queries)."""
    grouped = list(
        AccessEvent.objects.filter(participant_id=participant.pk)
        .values("organisation_id", "role")
        .annotate(count=Count("id"), first=Min("occurred_at"), last=Max("occurred_at"))
        .order_by("organisation_id", "role")
    )
    organisation_ids = [row["organisation_id"] for row in grouped if row["organisation_id"]]
    names: dict = dict(
        Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name")
    )
    roles = dict(Role.choices)
    rows = [
        {
            "organisation": names.get(row["organisation_id"], ""),
            "role": str(roles.get(row["role"], row["role"])),
            "count": row["count"],
            "first": _plain(row["first"]),
            "last": _plain(row["last"]),
        }
        for row in grouped
    ]
    rows.sort(key=lambda row: (row["organisation"], row["role"]))
    return Section(
        key="recipients",
        title=_("Who has read the record"),
        explanation=_(
            "From the access log: each organisation and role whose users opened, printed "
            "or exported the record, how many times, and when first and last."
        ),
        columns=[
            ("organisation", _("Organisation")),
            ("role", _("Role")),
            ("count", _("Times")),
            ("first", _("First")),
            ("last", _("Last")),
        ],
        rows=rows,
    )


def retention_years(participant: Participant) -> int:
    """Years after the last placement ended, by the enterprise's retention policy."""
    from erasure.selectors import policies_for

    policy = policies_for([participant.organisation_id])[participant.organisation_id]
    return policy.years_after_end


def _kept_longer_until(participant: Participant):
    """The latest date a funder's requirement or a manager's extension keeps the record to."""
    from erasure.models import RetentionDecision, RetentionHold

    dates = [
        *RetentionHold.objects.filter(participant=participant).values_list("keep_until", flat=True),
        *RetentionDecision.objects.filter(
            participant_id=participant.pk, kind=RetentionDecision.Kind.EXTEND
        ).values_list("extended_until", flat=True),
    ]
    return max((day for day in dates if day), default=None)


def _retention(participant: Participant, placements: list[Placement]) -> Section:
    from erasure.selectors import add_years

    years = retention_years(participant)
    ended = [placement.actual_end for placement in placements if placement.actual_end]
    running = any(placement.actual_end is None for placement in placements)
    longer = _kept_longer_until(participant)
    if ended and not running:
        last = max(ended)
        until = add_years(last, years)
        if longer and longer > until:
            until = longer
        text = _(
            "The record is kept until %(until)s: %(years)s years after your last placement "
            "ended (%(last)s), unless a funder's rules require it to be kept longer. Then it "
            "is erased."
        ) % {"until": until.isoformat(), "years": years, "last": last.isoformat()}
    else:
        text = _(
            "The record is kept while a placement runs and then %(years)s years after your "
            "last placement ended, unless a funder's rules require it to be kept longer. "
            "Then it is erased."
        ) % {"years": years}
    return Section(
        key="retention",
        title=_("How long the record is kept"),
        columns=[("text", _("Retention"))],
        rows=[{"text": text, "years": years}],
    )
