from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AccessEvent


class EventFilterForm(forms.Form):
    participant = forms.UUIDField(label=_("Participant id"), required=False)
    user = forms.CharField(label=_("User name"), max_length=150, required=False)
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All"))] + list(AccessEvent.Action.choices),
    )
    flagged = forms.BooleanField(label=_("Only flagged"), required=False)
