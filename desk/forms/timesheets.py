"""Forms of the time confirmation screens: they only parse; the services decide."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from placements.models import Attendance
from placements.selectors import hours_display
from timesheets.models import TimeConfirmation
from timesheets.services import COMMENT_MAX_LENGTH, AttendanceCorrection


def day_label(day: date, hours: Decimal | None = None) -> str:
    """ "tis 6 jan" (and the hours recorded, if any)."""
    label = formats.date_format(day, "D j M")
    return label if hours is None else f"{label} ({hours_display(hours)} h)"


class TimeConfirmationForm(forms.Form):
    """The participant's answer, recorded on screen or from the signed sheet."""

    CHANNELS = [
        (TimeConfirmation.Channel.ON_SCREEN, TimeConfirmation.Channel.ON_SCREEN.label),
        (TimeConfirmation.Channel.PAPER, TimeConfirmation.Channel.PAPER.label),
    ]

    channel = forms.ChoiceField(
        label=_("How the participant answered"),
        choices=CHANNELS,
        widget=forms.RadioSelect,
        initial=TimeConfirmation.Channel.ON_SCREEN,
    )
    control_code = forms.CharField(
        label=_("Control code on the signed sheet"),
        required=False,
        max_length=9,
        help_text=_("Only for a signed paper sheet: the code printed under its totals."),
    )
    disputed_days = forms.MultipleChoiceField(
        label=_("Days the participant says are wrong"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty when the participant confirms the whole month."),
    )
    comment = forms.CharField(
        label=_("The participant's comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX_LENGTH}),
        help_text=_("Needed for a dispute: what is wrong, in the participant's words."),
    )
    #: The digest of the attendance the screen showed.
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, days: list[tuple[date, Decimal | None]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disputed_days"].choices = [  # type: ignore[attr-defined]
            (day.isoformat(), day_label(day, hours)) for day, hours in days
        ]

    def clean_disputed_days(self) -> list[date]:
        return [date.fromisoformat(value) for value in self.cleaned_data["disputed_days"]]

    def seen(self) -> str:
        """What the participant saw: the sheet's control code, or the screen's digest."""
        if self.cleaned_data["channel"] == TimeConfirmation.Channel.PAPER:
            return self.cleaned_data["control_code"]
        return self.cleaned_data["digest"]

    def field_for_service_error(self, name: str) -> str:
        return {"seen": "control_code"}.get(name, name)


class DisputeResolveForm(forms.Form):
    """The manager's decision, with the corrected hours of the disputed days."""

    resolution = forms.ChoiceField(
        label=_("Decision"), choices=TimeConfirmation.Resolution.choices, widget=forms.RadioSelect
    )
    resolution_comment = forms.CharField(
        label=_("Reason for the decision"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX_LENGTH}),
    )

    def __init__(self, *args, days: list[date], **kwargs):
        super().__init__(*args, **kwargs)
        self.days = days
        reasons = [("", _("No absence")), *Attendance.AbsenceReason.choices]
        for day in days:
            self.fields[f"hours_{day.isoformat()}"] = forms.DecimalField(
                label=_("Hours attended, %(day)s") % {"day": day_label(day)},
                required=False,
                min_value=0,
                max_value=24,
                decimal_places=2,
                localize=True,
                help_text=_("Only if the attendance is corrected."),
            )
            self.fields[f"reason_{day.isoformat()}"] = forms.ChoiceField(
                label=_("Absence reason, %(day)s") % {"day": day_label(day)},
                choices=reasons,
                required=False,
            )

    def corrections(self) -> dict[date, AttendanceCorrection]:
        found = {}
        for day in self.days:
            hours = self.cleaned_data.get(f"hours_{day.isoformat()}")
            reason = self.cleaned_data.get(f"reason_{day.isoformat()}", "")
            if hours is not None or reason:
                found[day] = AttendanceCorrection(
                    attended_hours=hours or Decimal(0), absence_reason=reason
                )
        return found
