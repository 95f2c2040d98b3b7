"""The form for recording a consent on the participant's record.

The agency and the funder are chosen among organisations of that kind; which
one the purpose needs, and whether it is given, is checked by ``consent_record``.
"""

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from participants.models import Consent

from .progress import DateInput


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.AGENCY).order_by("name"),
        required=False,
        help_text=_("For sharing health and support needs: the referring agency."),
    )
    funder = forms.ModelChoiceField(
        label=_("Funder"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.FUNDER).order_by("name"),
        required=False,
        help_text=_("For registration in a funder's follow-up system."),
    )
    recipient_system = forms.CharField(
        label=_("Follow-up system"),
        max_length=100,
        required=False,
        help_text=_("For example SUS."),
    )
    given_on = forms.DateField(label=_("Given on"), widget=DateInput())
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=500,
        required=False,
        help_text=_("Where the signed or scanned consent is kept, e.g. a document number."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["given_on"].initial = timezone.localdate()

    def given_at(self) -> datetime:
        """Today's consent is given now; an earlier one at noon that day (local time)."""
        given_on = self.cleaned_data["given_on"]
        if given_on == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(given_on, time(12)))

    def field_for_service_error(self, name: str) -> str | None:
        if name == "given_at":
            return "given_on"
        return name if name in self.fields else None
