"""Forms for erasure requests and decisions, retention decisions and the retention policy."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from desk.forms.placements import DateInput
from erasure.models import ErasureRequest

NO_PERSONAL_DATA = _("Do not write names or other personal data here.")


class ErasureRequestForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Ground for the erasure"),
        choices=ErasureRequest.Ground.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for the data-protection officer"),
        required=False,
        max_length=1000,
        help_text=NO_PERSONAL_DATA,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ErasureDecisionForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve: erase the record now")), (REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (required when rejecting)"),
        required=False,
        max_length=300,
        help_text=NO_PERSONAL_DATA,
    )
    confirm = forms.BooleanField(
        label=_("I have checked the legal basis. An erased record cannot be restored."),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.APPROVE and not cleaned.get("confirm"):
            self.add_error("confirm", _("Confirm that the record may be erased."))
        return cleaned


class RetentionConfirmForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="confirm")
    note = forms.CharField(
        label=_("Note for the data-protection officer"),
        required=False,
        max_length=300,
        help_text=NO_PERSONAL_DATA,
    )


class RetentionExtendForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="extend")
    until = forms.DateField(label=_("Keep until"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=NO_PERSONAL_DATA)


class RetentionPolicyForm(forms.Form):
    years_after_end = forms.IntegerField(
        label=_("Years after the last placement ended"), min_value=1, max_value=50
    )
    years_without_placement = forms.IntegerField(
        label=_("Years after registration, for a record that never had a placement"),
        min_value=1,
        max_value=50,
    )


class RetentionHoldForm(forms.Form):
    funder = forms.ModelChoiceField(
        label=_("Funder"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.FUNDER).order_by("name"),
    )
    keep_until = forms.DateField(label=_("Keep until"), widget=DateInput)
    basis = forms.CharField(
        label=_("Basis (project or programme reference)"),
        max_length=200,
        help_text=NO_PERSONAL_DATA,
    )
