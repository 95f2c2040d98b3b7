"""Forms for the participant screens: the list's search and filters, create and edit.

Forms only parse and check types; the rules (a valid personnummer, no duplicate
at the enterprise, plausible birth year) live in the services, whose
``ValidationError`` messages are put next to the fields by
``desk.forms.errors.add_service_errors``.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from participants.identity import format_identity_number, normalise_identity_number
from participants.models import EducationLevel, Gender, LabourMarketStatus, Participant
from participants.policy import Section
from participants.services import ParticipantInput, participant_birth_year_validate

SORT_CHOICES = [
    ("name", _("Name (A–Ö)")),
    ("-name", _("Name (Ö–A)")),
    ("birth_year", _("Birth year, oldest first")),
    ("-birth_year", _("Birth year, youngest first")),
    ("status", _("Status")),
    ("-created_at", _("Newest first")),
]


#: The form fields each section of the record covers (the coded fields go with identity).
FIELDS_BY_SECTION = {
    Section.IDENTITY: (
        "given_name",
        "family_name",
        "personal_identity_number",
        "gender",
        "birth_year",
        "municipality",
        "education_level",
        "labour_market_status",
        "has_disability",
        "foreign_background",
        "newly_arrived",
        "protected_identity",
    ),
    Section.CONTACT: ("phone", "email", "address", "emergency_contact"),
    Section.HEALTH: ("support_needs",),
}


class ParticipantForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Enterprise"))
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    personal_identity_number = forms.CharField(
        label=_("Personal identity or co-ordination number"),
        max_length=20,
        help_text=_("For example 19121212-1212."),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    birth_year = forms.IntegerField(label=_("Birth year"))
    municipality = forms.CharField(
        label=_("Municipality of residence"), max_length=100, required=False
    )
    education_level = forms.ChoiceField(
        label=_("Education level"), choices=EducationLevel.choices, initial=EducationLevel.UNKNOWN
    )
    labour_market_status = forms.ChoiceField(
        label=_("Labour-market status at entry"), choices=LabourMarketStatus.choices
    )
    has_disability = forms.BooleanField(
        label=_("Disability or reduced working capacity"), required=False
    )
    foreign_background = forms.BooleanField(label=_("Foreign background"), required=False)
    newly_arrived = forms.BooleanField(label=_("Newly arrived"), required=False)
    protected_identity = forms.BooleanField(
        label=_("Protected identity (skyddad identitet)"),
        required=False,
        help_text=_("The address is then never shown, to anyone."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    address = forms.CharField(
        label=_("Address"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    emergency_contact = forms.CharField(
        label=_("Emergency contact"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    support_needs = forms.CharField(
        label=_("Support needs and health notes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(
        self,
        *args,
        organisations=(),
        writable: frozenset = frozenset(FIELDS_BY_SECTION),
        keep_address_hidden: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        organisations = list(organisations)
        if len(organisations) > 1:
            self.fields["organisation"].choices = [("", "—")] + [
                (str(organisation.pk), organisation.name) for organisation in organisations
            ]
        else:
            del self.fields["organisation"]
        for section, names in FIELDS_BY_SECTION.items():
            if section not in writable:
                for name in names:
                    self.fields.pop(name, None)
        if keep_address_hidden:
            # Protected identity: the stored address is never put on a page.
            self.fields.pop("address", None)

    @classmethod
    def initial_from(cls, participant: Participant, *, writable: frozenset) -> dict:
        """The current values of the fields the user may edit (never the address of a
        participant with protected identity)."""
        names = [name for section in writable for name in FIELDS_BY_SECTION.get(section, ())]
        if participant.protected_identity:
            names = [name for name in names if name != "address"]
        return {name: getattr(participant, name) for name in names}

    def clean_personal_identity_number(self) -> str:
        """Checked here as well as in the service, so that a wrong check digit shows
        together with the form's other errors instead of after they are fixed."""
        value = self.cleaned_data["personal_identity_number"]
        return format_identity_number(normalise_identity_number(value))

    def clean(self):
        cleaned = super().clean()
        number, birth_year = cleaned.get("personal_identity_number"), cleaned.get("birth_year")
        if number and birth_year is not None and "birth_year" not in self.errors:
            try:
                participant_birth_year_validate(identity_number=number, birth_year=birth_year)
            except ValidationError as error:
                self.add_error("birth_year", error)
        return cleaned

    def to_input(self) -> ParticipantInput:
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name in ParticipantInput.__dataclass_fields__
        }
        return ParticipantInput(**data)

    def changes(self) -> dict:
        """Only what the user changed, so untouched encrypted values are not rewritten."""
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in self.cleaned_data and name != "organisation"
        }
