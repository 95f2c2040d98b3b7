"""Forms of the placement screens. They parse and check input; the services decide."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.utils import ErrorList
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from placements.models import Attendance, Placement, Programme
from placements.selectors import (
    AttendanceWeek,
    GridCell,
    GridRow,
    agency_choices,
    case_officer_choices,
    hours_display,
    supervisor_choices,
    unit_choices,
    weekdays_display,
)
from placements.services import AttendanceClearReason, AttendanceEntry, attendance_error_key

WEEKDAY_CHOICES = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class ParticipantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name


class CaseOfficerField(forms.ModelChoiceField):
    """A case officer, chosen by membership so the agency shows beside the name."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.user.get_full_name() or obj.user.username} – {obj.organisation.name}"


class PlacementFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + Placement.Status.choices
    )
    plan_status = forms.ChoiceField(
        label=_("Plan"), required=False, choices=[("", _("All"))] + Placement.PlanStatus.choices
    )
    organisation = forms.UUIDField(required=False, widget=forms.HiddenInput)
    unit = forms.UUIDField(required=False, widget=forms.HiddenInput)


class ReferralForm(forms.Form):
    participant = ParticipantChoiceField(
        label=_("Participant"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Search for the participant and choose them.")},
    )
    programme = forms.ChoiceField(
        label=_("Programme"), choices=[("", _("Choose…")), *Programme.choices]
    )
    referring_organisation = forms.ModelChoiceField(
        label=_("Referring agency"), queryset=None, required=False, empty_label=_("None")
    )
    case_officer = CaseOfficerField(
        label=_("Case officer"), queryset=None, required=False, empty_label=_("None")
    )
    decision_number = forms.CharField(
        label=_("Agency decision number"),
        max_length=40,
        required=False,
        help_text=_("The referring agency's decision (beslut) number, if there is one."),
    )
    referred_on = forms.DateField(label=_("Referred on"), widget=DateInput)
    proposed_start = forms.DateField(label=_("Proposed start"), required=False, widget=DateInput)

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants
        self.fields["referring_organisation"].queryset = agency_choices()
        self.fields["case_officer"].queryset = case_officer_choices()
        self.fields["referred_on"].initial = timezone.localdate
        # Nobody is listed until a search (or the record's link) names them.
        self.fields["participant"].widget.choices = []

    def show_participants(self, participants) -> None:
        """The people the picker offers: a search's matches, or the one chosen."""
        self.fields["participant"].widget.choices = [
            (str(participant.pk), participant.full_name) for participant in participants
        ]

    def clean(self):
        cleaned = super().clean()
        officer = cleaned.get("case_officer")
        agency = cleaned.get("referring_organisation")
        if officer is not None and agency is not None and officer.organisation_id != agency.pk:
            self.add_error(
                "case_officer", _("This person is not a case officer at the referring agency.")
            )
        return cleaned


class StartForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, empty_label=_("Choose…"))
    supervisors = UserMultipleChoiceField(
        label=_("Supervisors"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DateInput)
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"),
        min_value=Decimal("0.5"),
        max_value=Decimal("40"),
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Weekdays"), choices=WEEKDAY_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, placement: Placement, **kwargs):
        super().__init__(*args, **kwargs)
        organisation_id = placement.participant.organisation_id
        self.fields["unit"].queryset = unit_choices(organisation_id=organisation_id)
        self.fields["supervisors"].queryset = supervisor_choices(organisation_id=organisation_id)
        self.fields["start_date"].initial = placement.proposed_start or timezone.localdate()
        self.fields["hours_per_week"].initial = placement.hours_per_week
        self.fields["weekdays"].initial = list(placement.weekdays)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The planned end cannot be before the start date."))
        return cleaned


class PlanForm(forms.Form):
    goals = forms.CharField(
        label=_("Goals"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    tasks = forms.CharField(
        label=_("Tasks"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    support = forms.CharField(
        label=_("Support needs"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class PlanDecisionForm(forms.Form):
    APPROVE, CHANGES = "approve", "changes"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve the plan")), (CHANGES, _("Ask for changes"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.CHANGES and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what should change in the plan."))
        return cleaned


class SupervisorsForm(forms.Form):
    supervisors = UserMultipleChoiceField(
        label=_("Supervisors"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, placement: Placement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = supervisor_choices(
            organisation_id=placement.participant.organisation_id
        )


class ChangeUnitForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("New unit"), queryset=None, empty_label=_("Choose…"))

    def __init__(self, *args, placement: Placement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices(
            organisation_id=placement.participant.organisation_id
        ).exclude(pk=placement.unit_id)


class ConfirmForm(forms.Form):
    """A button that changes a state (pause, resume, submit the plan): nothing to fill in."""


class PauseForm(forms.Form):
    """Why and from when a placement is paused (the service requires the reason)."""

    reason = forms.CharField(
        label=_("Reason for the pause"),
        # The service refuses a blank reason too; the same words either way.
        error_messages={"required": _("Say why the placement is paused.")},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example sick leave, parental leave or a break agreed with the agency."),
    )
    on = forms.DateField(label=_("Paused from"), widget=DateInput, initial=timezone.localdate)


@dataclass(frozen=True)
class GridInput:
    """One input of the attendance grid, as the grid template renders it."""

    name: str
    id: str
    value: str | None  # hours: the posted or recorded text; reason: the chosen code
    errors: ErrorList | None

    @property
    def described_by(self) -> str:
        return f"{self.id}_error" if self.errors else ""


@dataclass(frozen=True)
class GridCellInputs:
    cell: GridCell
    key: str
    day: str  # ISO date, for the data attributes the grid's shortcuts select on
    day_label: str  # "måndag 2 mars", for labels read out with each input
    hours: GridInput | None  # None: the day takes no hours (cell.closed says why)
    reason: GridInput | None
    reason_options: str = ""
    clear: GridInput | None = None  # a recorded day: "clear the day" checkbox
    recorded: str = ""  # a recorded day that takes no hours: its hours or reason, as text
    planned: str = ""  # the cell's planned hours as text ("" when none)


@dataclass(frozen=True)
class GridFormRow:
    row: GridRow
    name: str  # the participant's name when lists show names, else ""
    errors: list[str]
    planned: str  # the daily hours the shortcuts fill in, as the language writes them
    scope: str  # "20 h/week, Mon–Fri"
    planned_total: str
    attended_total: str
    cells: list[GridCellInputs]


@dataclass(frozen=True)
class GridDay:
    """A column of the grid: its heading, its day-picker entry and its totals."""

    index: int
    day: date
    iso: str
    label: str  # "måndag 2 mars"
    fillable: bool  # some scheduled day in this column takes hours: "All present" is offered
    planned_total: str
    attended_total: str


class AttendanceWeekForm(forms.Form):
    """The unit-week grid: one hours field and one absence-reason field per open cell,
    one "clear the day" box per recorded day, and one reason for clearing.

    Field names are ``h-<placement>-<iso date>``, ``r-<placement>-<iso date>`` and
    ``c-<placement>-<iso date>``; only the cells of the placements the selector
    returned exist, so a posted placement the user may not record for is ignored,
    never written. A cell is open when the selector says so (inside the placement,
    not ahead of today, not paused); the service applies the same rules.

    The fields only parse and check input. The grid template renders the inputs
    itself from ``grid_rows()``: a widget per cell rendered through Django's form
    templates made a 16-person week cost ~100 ms (docs/performance.md).
    """

    HOURS_ERROR = _("Enter hours between 0 and 24, in steps of at most two decimals.")

    clear_reason = forms.ChoiceField(
        label=_("Why are the ticked days cleared?"),
        required=False,
        choices=[("", _("Choose a reason")), *AttendanceClearReason.choices],
    )

    def __init__(self, *args, week: AttendanceWeek, **kwargs):
        super().__init__(*args, **kwargs)
        self.week = week
        self.row_errors: dict = {}
        self.initial = dict(self.initial)
        # Fields hold no per-cell state here (the recorded values are the form's
        # initial data, the inputs are rendered by the template), so one field of
        # each kind serves every cell instead of 2 × 7 field and widget objects
        # per person. The hours are localised: "4,5" in Swedish ("4.5" is read too).
        hours_field = forms.DecimalField(
            label=_("Hours"),
            required=False,
            min_value=Decimal("0"),
            max_value=Decimal("24"),
            max_digits=4,
            decimal_places=2,
            localize=True,
            error_messages={"invalid": self.HOURS_ERROR},
        )
        reason_field = forms.ChoiceField(
            label=_("Absence"), required=False, choices=self.reason_choices()
        )
        clear_field = forms.BooleanField(label=_("Clear the day"), required=False)
        # Service error key (attendance_error_key) → the field that shows it.
        self.error_fields: dict[str, str] = {}
        for row in week.rows:
            for cell in row.cells:
                key = self.cell_key(row.placement.pk, cell.day)
                service_key = attendance_error_key(row.placement.pk, cell.day)
                if cell.attendance is not None:
                    self.fields[f"c-{key}"] = clear_field
                    self.error_fields[service_key] = f"c-{key}"
                if not cell.open:
                    continue
                self.fields[f"h-{key}"] = hours_field
                self.fields[f"r-{key}"] = reason_field
                self.error_fields[service_key] = f"h-{key}"
                if cell.attendance is not None:
                    self.initial.setdefault(f"h-{key}", cell.attendance.attended_hours)
                    self.initial.setdefault(f"r-{key}", cell.attendance.absence_reason)

    @property
    def can_clear(self) -> bool:
        """Some day of the week is recorded, so a "clear the day" box is shown."""
        return any(name.startswith("c-") for name in self.fields)

    @staticmethod
    def reason_choices() -> list[tuple[str, str]]:
        return [("", _("Present"))] + Attendance.AbsenceReason.choices

    def _input(self, name: str) -> GridInput:
        """The input's value as a widget would show it: posted data, else initial."""
        if self.is_bound:
            value = self.data.get(name)
        else:
            value = self.initial.get(name)
            if isinstance(value, Decimal):
                value = hours_display(value)
        return GridInput(
            name=name,
            id=self.auto_id % name if self.auto_id else name,
            value=None if value is None or value == "" else str(value),
            errors=self.errors.get(name),
        )

    def grid_rows(self, *, show_names: bool) -> list[GridFormRow]:
        """Everything the grid template shows per row and cell, computed once per request."""
        choices = [(code, str(label)) for code, label in self.reason_choices()]
        reason_labels = dict(choices)
        options: dict[str, str] = {}

        def options_html(selected: str | None) -> str:
            # Built once per selected value (six at most), not once per cell.
            selected = selected or ""
            if selected not in options:
                options[selected] = format_html_join(
                    "",
                    '<option value="{}"{}>{}</option>',
                    (
                        (code, " selected" if code == selected else "", label)
                        for code, label in choices
                    ),
                )
            return options[selected]

        days = {day: (day.isoformat(), date_format(day, "l j F")) for day in self.week.days}
        rows = []
        for row in self.week.rows:
            cells = []
            for cell in row.cells:
                key = self.cell_key(row.placement.pk, cell.day)
                iso_day, day_label = days[cell.day]
                attendance = cell.attendance
                clear = self._input(f"c-{key}") if attendance is not None else None
                planned = hours_display(cell.planned) if cell.planned else ""
                if not cell.open:
                    recorded = ""
                    if attendance is not None:
                        recorded = (
                            reason_labels.get(attendance.absence_reason, "")
                            if attendance.absence_reason
                            else _("%(hours)s h")
                            % {"hours": hours_display(attendance.attended_hours)}
                        )
                    cells.append(
                        GridCellInputs(
                            cell,
                            key,
                            iso_day,
                            day_label,
                            None,
                            None,
                            clear=clear,
                            recorded=recorded,
                            planned=planned,
                        )
                    )
                    continue
                reason = self._input(f"r-{key}")
                cells.append(
                    GridCellInputs(
                        cell=cell,
                        key=key,
                        day=iso_day,
                        day_label=day_label,
                        hours=self._input(f"h-{key}"),
                        reason=reason,
                        reason_options=options_html(reason.value),
                        clear=clear,
                        planned=planned,
                    )
                )
            placement = row.placement
            rows.append(
                GridFormRow(
                    row=row,
                    name=placement.participant.full_name if show_names else "",
                    errors=self.row_errors.get(placement.pk, []),
                    planned=hours_display(row.fill_hours),
                    scope=_("%(hours)s h/week, %(days)s")
                    % {
                        "hours": hours_display(placement.hours_per_week),
                        "days": weekdays_display(placement.weekdays),
                    },
                    planned_total=hours_display(row.planned_total),
                    attended_total=hours_display(row.attended_total),
                    cells=cells,
                )
            )
        return rows

    def grid_days(self) -> list[GridDay]:
        """The grid's columns, with the day totals as text."""
        fillable = {
            index
            for row in self.week.rows
            for index, cell in enumerate(row.cells)
            if cell.open and cell.scheduled
        }
        return [
            GridDay(
                index=index,
                day=day,
                iso=day.isoformat(),
                label=date_format(day, "l j F"),
                fillable=index in fillable,
                planned_total=hours_display(planned),
                attended_total=hours_display(attended),
            )
            for index, (day, planned, attended) in enumerate(self.week.day_totals())
        ]

    def shown_day(self, requested: str | None = None) -> int:
        """The column the narrow (one day at a time) layout shows: the one chosen
        before a refused save, else ``requested`` (the day shown before a save),
        else today in this week, else Monday."""
        days = {str(index) for index in range(7)}
        if self.is_bound and str(self.data.get("show_day", "")) in days:
            return int(self.data["show_day"])
        if requested in days:
            return int(requested)
        if self.week.days[0] <= self.week.today <= self.week.days[-1]:
            return self.week.days.index(self.week.today)
        return 0

    @staticmethod
    def cell_key(placement_id, day: date) -> str:
        return f"{placement_id}-{day.isoformat()}"

    def clean(self):
        cleaned = super().clean()
        any_cleared = False
        for row in self.week.rows:
            for cell in row.cells:
                key = self.cell_key(row.placement.pk, cell.day)
                cleared = cell.attendance is not None and cleaned.get(f"c-{key}", False)
                any_cleared = any_cleared or cleared
                if not cell.open or cleared or f"h-{key}" in self.errors:
                    continue
                hours, reason = cleaned.get(f"h-{key}"), cleaned.get(f"r-{key}", "")
                if hours == 0 and not reason:
                    self.add_error(f"r-{key}", _("Choose why the day was not attended."))
                if hours is None and cell.attendance is not None and not reason:
                    self.add_error(
                        f"h-{key}",
                        _("A recorded day is removed with “Clear the day” and a reason."),
                    )
        if any_cleared and not cleaned.get("clear_reason"):
            self.add_error("clear_reason", _("Choose why the days are cleared."))
        return cleaned

    def add_service_errors(self, error: ValidationError) -> None:
        """A refusal of attendance_record_week, each message once, where it belongs:
        a day's next to its cell, the weekly scope's on its row, the rest on top."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        rows = {attendance_error_key(row.placement.pk): row.placement.pk for row in self.week.rows}
        for key, messages in error.error_dict.items():
            if key in rows:
                self.row_errors.setdefault(rows[key], []).extend(
                    message for item in messages for message in item.messages
                )
            elif key in self.error_fields:
                self.add_error(self.error_fields[key], messages)
            elif key in self.fields and key != NON_FIELD_ERRORS:
                self.add_error(key, messages)
            else:
                self.add_error(None, messages)

    def entries(self) -> list[AttendanceEntry]:
        """The open cells filled in and not cleared, as entries for attendance_record_week
        (notes kept)."""
        entries = []
        for row in self.week.rows:
            for cell in row.cells:
                if not cell.open:
                    continue
                key = self.cell_key(row.placement.pk, cell.day)
                if cell.attendance is not None and self.cleaned_data.get(f"c-{key}"):
                    continue
                hours = self.cleaned_data.get(f"h-{key}")
                reason = self.cleaned_data.get(f"r-{key}", "")
                if hours is None and not reason:
                    continue
                entries.append(
                    AttendanceEntry(
                        placement_id=row.placement.pk,
                        date=cell.day,
                        attended_hours=hours if hours is not None else Decimal(0),
                        absence_reason=reason,
                        note=cell.attendance.note if cell.attendance else "",
                    )
                )
        return entries

    def cleared(self) -> list[tuple]:
        """The recorded days ticked "clear the day": (placement id, day)."""
        return [
            (row.placement.pk, cell.day)
            for row in self.week.rows
            for cell in row.cells
            if cell.attendance is not None
            and self.cleaned_data.get(f"c-{self.cell_key(row.placement.pk, cell.day)}")
        ]
