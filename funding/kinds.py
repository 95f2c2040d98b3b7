"""The registry of funder files: each file's columns, what it requires at each step,
and its pre-flight rules, in one place.

``docs/funder-files.md`` documents the same columns (a test reads both); the CSV
and XLSX writers, the pre-flight screen and the completeness figures all read
them from here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Answer, EntryStatus, FileKind, ProjectPlacement, SensitiveAnswer

#: Six-month follow-up statuses that count as "in employment, including self-employment".
EMPLOYED_STATUSES = frozenset({"employed", "employed_subsidised", "self_employed"})


@dataclass
class Row:
    """One placement in a project, as the files read it (built in batches by funding.files)."""

    membership: ProjectPlacement
    #: Status found at the six-month follow-up ("" when not done), and whether one is due.
    six_month_status: str = ""
    six_month_due: date | None = None
    six_month_id: object = None
    consent: bool = False

    @property
    def participant(self):
        return self.membership.placement.participant


def _yes_no(value: bool) -> str:
    return Answer.YES if value else Answer.NO


def _entry(code: str):
    return lambda row: row.membership.entry_status and _yes_no(row.membership.entry_status == code)


def _entry_any(*codes: str):
    return lambda row: row.membership.entry_status and _yes_no(row.membership.entry_status in codes)


def _six_months(row: Row) -> str:
    if not row.six_month_status or row.six_month_status == "not_reached":
        return ""
    return _yes_no(row.six_month_status in EMPLOYED_STATUSES)


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class Column:
    code: str
    value: Callable[[Row], str | int]


COMMON_START = (
    Column("personal_identity_number", lambda row: row.participant.personal_identity_number),
    Column("project_id", lambda row: row.membership.project.reference),
    Column("start_date", lambda row: _date(row.membership.joined_on)),
    Column("end_date", lambda row: _date(row.membership.left_on)),
    Column("gender", lambda row: row.participant.gender),
)

ESF_COLUMNS = (
    *COMMON_START,
    Column("age_at_entry", lambda row: row.membership.age_at_entry),
    Column("entry_status", lambda row: row.membership.entry_status),
    Column(
        "unemployed",
        _entry_any(EntryStatus.UNEMPLOYED, EntryStatus.LONG_TERM_UNEMPLOYED),
    ),
    Column("long_term_unemployed", _entry(EntryStatus.LONG_TERM_UNEMPLOYED)),
    Column(
        "inactive",
        _entry_any(EntryStatus.INACTIVE, EntryStatus.INACTIVE_NOT_IN_EDUCATION),
    ),
    Column("inactive_not_in_education", _entry(EntryStatus.INACTIVE_NOT_IN_EDUCATION)),
    Column("employed", _entry(EntryStatus.EMPLOYED)),
    Column("under_30", lambda row: _yes_no(row.membership.age_at_entry < 30)),
    Column("aged_55_or_over", lambda row: _yes_no(row.membership.age_at_entry >= 55)),
    Column(
        "isced",
        lambda row: (
            "" if row.membership.education_level == "unknown" else row.membership.education_level
        ),
    ),
    Column("disability", lambda row: row.membership.disability),
    Column("third_country_national", lambda row: row.membership.third_country_national),
    Column("foreign_background", lambda row: row.membership.foreign_background),
    Column("minority", lambda row: row.membership.minority),
    Column("homeless", lambda row: row.membership.homeless),
    Column("rural_area", lambda row: row.membership.rural_area),
    Column("job_searching_on_leaving", lambda row: row.membership.job_searching),
    Column("in_education_on_leaving", lambda row: row.membership.in_education),
    Column("qualification_on_leaving", lambda row: row.membership.gained_qualification),
    Column("employed_on_leaving", lambda row: row.membership.employed_on_leaving),
    Column("employed_six_months_after", _six_months),
)

SUS_COLUMNS = (
    *COMMON_START,
    Column("income_before", lambda row: row.membership.income_before),
    Column("income_after", lambda row: row.membership.income_after),
)


# --- Pre-flight: what each file requires, and where to fix it ---------------------------


@dataclass(frozen=True)
class Problem:
    """Missing or inconsistent data of one participant for one file, and where to fix it."""

    message: str
    fix_url: str


def _entry_url(row: Row) -> str:
    return row.membership.get_absolute_url() + "#entry"


def _leaving_url(row: Row) -> str:
    return row.membership.get_absolute_url() + "#leaving"


def _missing(row: Row, names: tuple[str, ...]) -> list[str]:
    return [name for name in names if not getattr(row.membership, name)]


ENTRY_REQUIRED = (
    "entry_status",
    "disability",
    "foreign_background",
    "third_country_national",
    "minority",
    "homeless",
)
LEAVING_REQUIRED = ("job_searching", "in_education", "gained_qualification", "employed_on_leaving")


def _esf_entry(row: Row, today: date) -> list[Problem]:
    problems = []
    if _missing(row, ENTRY_REQUIRED) or row.membership.education_level == "unknown":
        problems.append(Problem(str(_("Data at entry is incomplete.")), _entry_url(row)))
    return problems


def _leaving(names: tuple[str, ...]):
    def rule(row: Row, today: date) -> list[Problem]:
        if row.membership.left_on and _missing(row, names):
            return [
                Problem(str(_("End date without the situation on leaving.")), _leaving_url(row))
            ]
        return []

    return rule


def _follow_up(row: Row, today: date) -> list[Problem]:
    if row.six_month_due and row.six_month_due <= today and not row.six_month_status:
        url = reverse(
            "participants:follow_up_record",
            kwargs={
                "participant_id": row.membership.placement.participant_id,
                "follow_up_id": row.six_month_id,
            },
        )
        return [Problem(str(_("The six-month follow-up is not done.")), url)]
    return []


def _dates(row: Row, today: date) -> list[Problem]:
    placement = row.membership.placement
    if placement.start_date and row.membership.joined_on < placement.start_date:
        return [
            Problem(str(_("Entered the project before the placement started.")), _entry_url(row))
        ]
    if row.membership.left_on is None and placement.actual_end is not None:
        return [
            Problem(
                str(_("The placement has ended but not its time in the project.")),
                _leaving_url(row),
            )
        ]
    return []


def _sus_entry(row: Row, today: date) -> list[Problem]:
    if not row.membership.income_before:
        return [Problem(str(_("Income source before is missing.")), _entry_url(row))]
    return []


def _decision_number(row: Row, today: date) -> list[Problem]:
    if not row.membership.placement.decision_number:
        url = reverse("placements:detail", kwargs={"placement_id": row.membership.placement_id})
        return [Problem(str(_("The placement has no decision number.")), url)]
    return []


@dataclass(frozen=True)
class Kind:
    code: str
    columns: tuple[Column, ...]
    formats: tuple[str, ...]
    rules: tuple[Callable[[Row, date], list[Problem]], ...]
    #: Fields required at entry and on leaving (completeness counts them).
    entry_required: tuple[str, ...] = field(default=())
    leaving_required: tuple[str, ...] = field(default=())

    @property
    def header(self) -> list[str]:
        return [column.code for column in self.columns]

    def values(self, row: Row) -> list:
        return [column.value(row) for column in self.columns]

    def problems(self, row: Row, today: date) -> list[Problem]:
        found = []
        for rule in self.rules:
            found.extend(rule(row, today))
        return found


KINDS: dict[str, Kind] = {
    FileKind.ESF_PARTICIPANTS: Kind(
        code=FileKind.ESF_PARTICIPANTS,
        columns=ESF_COLUMNS,
        formats=("csv", "xlsx"),
        rules=(_dates, _esf_entry, _leaving(LEAVING_REQUIRED), _follow_up),
        entry_required=(*ENTRY_REQUIRED, "education_level"),
        leaving_required=LEAVING_REQUIRED,
    ),
    FileKind.SUS: Kind(
        code=FileKind.SUS,
        columns=SUS_COLUMNS,
        formats=("csv", "xlsx"),
        rules=(_dates, _sus_entry, _leaving(("income_after",))),
        entry_required=("income_before",),
        leaving_required=("income_after",),
    ),
    FileKind.ATTENDANCE: Kind(
        code=FileKind.ATTENDANCE,
        columns=(),
        formats=("pdf",),
        rules=(_dates, _decision_number),
    ),
}

#: Labels of the sensitive answers, for the screens.
SENSITIVE_CHOICES = SensitiveAnswer.choices
