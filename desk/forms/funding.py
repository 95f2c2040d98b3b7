"""Forms of the funded-project screens: they parse input; funding.services validates."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from funding.models import (
    Answer,
    EntryStatus,
    FileKind,
    IncomeSource,
    ProjectKind,
    SensitiveAnswer,
)
from participants.models import EducationLevel

from .placements import DateInput


def _blank(choices, label=None):
    return [("", label or "—"), *choices]


class ProjectForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    reference = forms.CharField(label=_("Project id or decision number"), max_length=60)
    funder = forms.ModelChoiceField(label=_("Funder"), queryset=Organisation.objects.none())
    starts_on = forms.DateField(label=_("Starts"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends"), widget=DateInput(), required=False)
    obligations = forms.MultipleChoiceField(
        label=_("Files the project must deliver"),
        choices=FileKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, funders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders


class PlacementAddForm(forms.Form):
    placement = forms.ChoiceField(label=_("Placement"))
    joined_on = forms.DateField(label=_("Entered the project"), widget=DateInput())

    def __init__(self, *args, placements, **kwargs):
        super().__init__(*args, **kwargs)
        self.placements = {str(placement.pk): placement for placement in placements}
        self.fields["placement"].choices = [
            (pk, f"{placement.participant.full_name} – {placement.unit.name}")
            for pk, placement in self.placements.items()
        ]


class EntryForm(forms.Form):
    entry_status = forms.ChoiceField(
        label=_("Labour-market status at entry"), choices=_blank(EntryStatus.choices)
    )
    education_level = forms.ChoiceField(
        label=_("Education level (ISCED)"), choices=EducationLevel.choices
    )
    disability = forms.ChoiceField(
        label=_("Participant with disabilities"),
        choices=_blank(SensitiveAnswer.choices),
        required=False,
    )
    foreign_background = forms.ChoiceField(
        label=_("Foreign background"), choices=_blank(SensitiveAnswer.choices), required=False
    )
    third_country_national = forms.ChoiceField(
        label=_("Third-country national"), choices=_blank(SensitiveAnswer.choices), required=False
    )
    minority = forms.ChoiceField(
        label=_("Minority (including marginalised communities such as the Roma)"),
        choices=_blank(SensitiveAnswer.choices),
        required=False,
    )
    homeless = forms.ChoiceField(
        label=_("Homeless or affected by housing exclusion"),
        choices=_blank(SensitiveAnswer.choices),
        required=False,
    )
    rural_area = forms.ChoiceField(
        label=_("From a rural area"), choices=_blank(Answer.choices), required=False
    )
    income_before = forms.ChoiceField(
        label=_("Main income source before"), choices=_blank(IncomeSource.choices), required=False
    )


class LeavingForm(forms.Form):
    left_on = forms.DateField(label=_("Left the project"), widget=DateInput())
    job_searching = forms.ChoiceField(
        label=_("Job searching on leaving"), choices=Answer.choices, widget=forms.RadioSelect
    )
    in_education = forms.ChoiceField(
        label=_("In education or training on leaving"),
        choices=Answer.choices,
        widget=forms.RadioSelect,
    )
    gained_qualification = forms.ChoiceField(
        label=_("Gaining a qualification on leaving"),
        choices=Answer.choices,
        widget=forms.RadioSelect,
    )
    employed_on_leaving = forms.ChoiceField(
        label=_("In employment, including self-employment, on leaving"),
        choices=Answer.choices,
        widget=forms.RadioSelect,
    )
    income_after = forms.ChoiceField(
        label=_("Main income source after"), choices=_blank(IncomeSource.choices), required=False
    )


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=_("File"), choices=FileKind.choices)
    first_month = forms.RegexField(
        label=_("From month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7
    )
    last_month = forms.RegexField(
        label=_("To month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (code, label) for code, label in FileKind.choices if code in kinds
        ]

    def clean(self):
        from datetime import date

        cleaned = super().clean()
        for name in ("first_month", "last_month"):
            if name in cleaned:
                year, month = cleaned[name].split("-")
                cleaned[name] = date(int(year), int(month), 1)
        return cleaned
