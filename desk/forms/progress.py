"""Forms for progress notes, goals and assessments.

The placement a note, goal or assessment belongs to is chosen among the
running placements the user may record progress on (hidden when there is
only one). Rules are checked by the services.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Assessment, Goal, Item, ProgressNote

SCORE_FIELD_PREFIX = "score_"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PlacementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, placement) -> str:
        unit = placement.unit.name if placement.unit else "—"
        return f"{unit} · {placement.get_programme_display()} ({placement.start_date:%Y-%m-%d})"


class PlacementFormMixin:
    """A ``placement`` field over the given placements; hidden when there is one."""

    def set_placements(self, placements) -> None:
        field = self.fields["placement"]
        field.queryset = placements  # validation looks the choice up in this scoped set
        rows = list(placements)
        field.choices = [(str(row.pk), field.label_from_instance(row)) for row in rows]
        if len(rows) == 1:
            field.widget = forms.HiddenInput()
            field.initial = str(rows[0].pk)

    def field_for_service_error(self, name: str) -> str | None:
        """The form field a service's error key belongs to (None: the whole form)."""
        if name in self.fields:
            return name
        if SCORE_FIELD_PREFIX + name in self.fields:
            return SCORE_FIELD_PREFIX + name
        if name == "date" and "on" in self.fields:
            return "on"
        return None


class NoteForm(PlacementFormMixin, forms.Form):
    placement = PlacementChoiceField(
        label=_("Placement"), queryset=ProgressNote.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ProgressNote.Kind.choices,
        initial=ProgressNote.Kind.OBSERVATION,
        widget=forms.RadioSelect,
    )
    visibility = forms.ChoiceField(
        label=_("Who can read it"),
        choices=ProgressNote.Visibility.choices,
        initial=ProgressNote.Visibility.INTERNAL,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    on = forms.DateField(label=_("Date"), required=False, widget=DateInput())

    def __init__(self, *args, placements, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.set_placements(placements)


class GoalForm(PlacementFormMixin, forms.Form):
    placement = PlacementChoiceField(
        label=_("Placement"), queryset=Goal.objects.none(), empty_label=None
    )
    text = forms.CharField(
        label=_("Goal"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    target_date = forms.DateField(label=_("Target date"), required=False, widget=DateInput())

    def __init__(self, *args, placements, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.set_placements(placements)


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)


class ScoreWidget(forms.RadioSelect):
    template_name = "desk/widgets/score_scale.html"


class AssessmentForm(PlacementFormMixin, forms.Form):
    """The instrument's areas, each scored 1–10 together with the participant."""

    placement = PlacementChoiceField(
        label=_("Placement"), queryset=Assessment.objects.none(), empty_label=None
    )
    on = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(
        label=_("Kind of assessment"),
        choices=Assessment.Kind.choices,
        initial=Assessment.Kind.PERIODIC,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, placements, items: list[Item], **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.set_placements(placements)
        self.items = items
        for item in items:
            self.fields[SCORE_FIELD_PREFIX + item.code] = forms.TypedChoiceField(
                label=item.label,
                help_text=item.description,
                choices=[
                    (value, str(value)) for value in range(item.min_score, item.max_score + 1)
                ],
                coerce=int,
                widget=ScoreWidget,
            )

    def score_fields(self):
        return [self[SCORE_FIELD_PREFIX + item.code] for item in self.items]

    def scores(self) -> dict[str, int]:
        return {item.code: self.cleaned_data[SCORE_FIELD_PREFIX + item.code] for item in self.items}
