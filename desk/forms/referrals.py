"""Forms of the referral and message screens. They parse input; the services decide."""

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from participants.models import ConsentPurpose, Gender, LabourMarketStatus
from placements.models import Programme
from referrals.models import MESSAGE_MAX_LENGTH
from referrals.services import TEXT_MAX_LENGTH, ReferralConsentInput, ReferralPerson

from .placements import DateInput, UserChoiceField


def _set_choices(form: forms.Form, name: str, queryset) -> None:
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a choice of objects")
    field.queryset = queryset


class EnterpriseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.organisation.name} – {obj.name}"


class ReferralForm(forms.Form):
    """A case officer's referral. ``enterprises`` and ``units``: those with a current
    agreement with the case officer's agency (the service checks it again)."""

    personal_identity_number = forms.CharField(
        label=_("Personal identity number"),
        max_length=20,
        help_text=_(
            "YYYYMMDD-NNNN. Press “Find” to fill in a person your agency has referred before."
        ),
    )
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "–"), *Gender.choices])
    labour_market_status = forms.ChoiceField(
        label=_("Labour-market status"),
        choices=[("", "–"), *LabourMarketStatus.choices],
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    enterprise = EnterpriseChoiceField(label=_("Enterprise"), queryset=None)
    unit = UnitChoiceField(label=_("Unit"), queryset=None, required=False)
    programme = forms.ChoiceField(label=_("Programme"), choices=Programme.choices)
    decision_number = forms.CharField(
        label=_("Agency decision number"), max_length=40, required=False
    )
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"), min_value=0, max_digits=4, decimal_places=1
    )
    wanted_start = forms.DateField(label=_("Wanted start"), widget=DateInput())
    wanted_end = forms.DateField(label=_("Wanted end"), widget=DateInput(), required=False)
    reason = forms.CharField(
        label=_("Reason for the referral"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX_LENGTH,
    )
    goals = forms.CharField(
        label=_("Goals"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX_LENGTH,
        required=False,
    )
    contact = forms.CharField(
        label=_("Contact information"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        help_text=_("How the enterprise reaches you and the person."),
    )
    consents = forms.MultipleChoiceField(
        label=_("Consents given"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("As recorded with the person; the enterprise records them when it accepts."),
    )
    consents_given_on = forms.DateField(
        label=_("Consents given on"), widget=DateInput(), required=False
    )
    consent_evidence = forms.CharField(
        label=_("Consent evidence"),
        max_length=500,
        required=False,
        help_text=_("Where the signed consent is kept, e.g. a document number."),
    )
    confirm_already_placed = forms.BooleanField(
        label=_("Send it anyway: I know the person already has a placement there"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, enterprises, units, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "enterprise", enterprises)
        _set_choices(self, "unit", units)

    def offer_confirmation(self) -> None:
        self.fields["confirm_already_placed"].widget = forms.CheckboxInput()

    def person(self) -> ReferralPerson:
        data = self.cleaned_data
        return ReferralPerson(
            given_name=data["given_name"],
            family_name=data["family_name"],
            personal_identity_number=data["personal_identity_number"],
            gender=data["gender"],
            labour_market_status=data["labour_market_status"],
            phone=data["phone"],
            email=data["email"],
        )

    def consent_inputs(self) -> list[ReferralConsentInput]:
        data = self.cleaned_data
        given_on = data.get("consents_given_on") or timezone.localdate()
        given_at = (
            timezone.now()
            if given_on == timezone.localdate()
            else timezone.make_aware(datetime.combine(given_on, time(12)))
        )
        return [
            ReferralConsentInput(
                purpose=purpose, given_at=given_at, evidence=data["consent_evidence"]
            )
            for purpose in data["consents"]
        ]

    def field_for_service_error(self, name: str) -> str | None:
        return {"consents": "consents"}.get(name, name if name in self.fields else None)


class AcceptForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    supervisor = UserChoiceField(label=_("Supervisor"), queryset=None)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())

    def __init__(self, *args, units, supervisors, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "unit", units)
        _set_choices(self, "supervisor", supervisors)


class ReferralTextForm(forms.Form):
    """One text: a request for more information, an answer, a reason to decline."""

    text = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}), max_length=TEXT_MAX_LENGTH
    )

    def __init__(self, *args, label=None, required: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["text"].label = label
        self.fields["text"].required = required

    def field_for_service_error(self, name: str) -> str | None:
        return "text"


class CaseMessageForm(forms.Form):
    body = forms.CharField(
        label=_("New message"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_MAX_LENGTH}),
        help_text=_("Plain text, at most 4000 characters. Everyone on the placement reads it."),
        # The service's limit and message: the form lets a longer text through to it.
        strip=False,
    )
