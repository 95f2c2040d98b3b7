"""The participant list's filter form: it filters by placement fields, so it
lives above participants and placements."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from desk.forms.participants import SORT_CHOICES
from participants.models import Participant
from participants.selectors import ParticipantFilters
from placements.models import Programme


class OptionsSelect(forms.Select):
    """A ``<select>`` whose options are written in Python, not one template each.

    The filter form has one option per unit and per supervisor of the
    enterprise (~140 at 10,000 participants); through Django's option templates
    they were most of the list page's rendering time (docs/performance.md).
    Same markup and attributes as ``forms.Select``; grouped choices fall back
    to it.
    """

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        selected = next(iter(self.format_value(value)), None)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    "" if option is None else option,
                    " selected" if str("" if option is None else option) == selected else "",
                    label,
                )
                for option, label in choices
            ),
        )
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), options)


class ParticipantFilterForm(forms.Form):
    """The list's search box, filters and sort (GET)."""

    q = forms.CharField(label=_("Name or personal identity number"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, widget=OptionsSelect)
    unit = forms.ChoiceField(label=_("Unit"), required=False, widget=OptionsSelect)
    programme = forms.ChoiceField(label=_("Programme"), required=False, widget=OptionsSelect)
    supervisor = forms.ChoiceField(label=_("Supervisor"), required=False, widget=OptionsSelect)
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=SORT_CHOICES, widget=OptionsSelect
    )

    def __init__(self, *args, units=(), supervisors=(), **kwargs) -> None:
        """``units`` and ``supervisors``: (value, label) choices, as
        desk.selectors.participant_list.participant_filter_choices_for gives them."""
        super().__init__(*args, **kwargs)
        everyone = [("", _("All"))]
        self.fields["status"].choices = everyone + Participant.Status.choices
        self.fields["programme"].choices = everyone + Programme.choices
        self.fields["unit"].choices = everyone + list(units)
        self.fields["supervisor"].choices = everyone + list(supervisors)

    def filters(self) -> ParticipantFilters:
        """The valid values; an invalid one is shown as an error and not applied."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return ParticipantFilters(
            term=data.get("q", ""),
            status=data.get("status", ""),
            unit_id=data.get("unit") or None,
            programme=data.get("programme", ""),
            supervisor_id=data.get("supervisor") or None,
            sort=data.get("sort") or "name",
        )
