from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AccessEvent


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class EventFilterForm(forms.Form):
    #: Sent by POST only (a name or personal identity number never lands in a URL);
    #: the view turns it into ``participant``.
    person = forms.CharField(
        label=_("Participant (name or personal identity number)"), max_length=100, required=False
    )
    participant = forms.UUIDField(widget=forms.HiddenInput, required=False)
    user = forms.CharField(label=_("User name"), max_length=150, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All"))] + list(AccessEvent.Action.choices),
    )
    flagged = forms.BooleanField(label=_("Only flagged"), required=False)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
