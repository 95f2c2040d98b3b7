"""The participant list's filter form: it filters by placement fields, so it
lives above participants and placements."""

from django import forms
from django.utils.translation import gettext_lazy as _

from participants.forms import SORT_CHOICES
from participants.models import Participant
from participants.selectors import ParticipantFilters
from placements.models import Programme


class ParticipantFilterForm(forms.Form):
    """The list's search box, filters and sort (GET)."""

    q = forms.CharField(label=_("Name or personal identity number"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    supervisor = forms.ChoiceField(label=_("Supervisor"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, units=(), supervisors=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        everyone = [("", _("All"))]
        self.fields["status"].choices = everyone + Participant.Status.choices
        self.fields["programme"].choices = everyone + Programme.choices
        self.fields["unit"].choices = everyone + [
            (str(unit.pk), f"{unit.name} ({unit.organisation.name})") for unit in units
        ]
        self.fields["supervisor"].choices = everyone + [
            (str(user.pk), user.get_full_name() or user.username) for user in supervisors
        ]

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
