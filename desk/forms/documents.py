"""The upload form of the participant's Dokument tab. It only parses; the checks
on the file (size, type from content, active PDF content) are the service's."""

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desk.forms.progress import DateInput, PlacementChoiceField
from documents.models import Document, section_of

ACCEPT = ".pdf,.jpg,.jpeg,.png,.heic,.heif,application/pdf,image/jpeg,image/png,image/heic"


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG, PNG or HEIC (phone photo), at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    kind = forms.ChoiceField(label=_("Document type"), choices=Document.Kind.choices)
    document_date = forms.DateField(label=_("Date"), widget=DateInput())
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    placement = PlacementChoiceField(
        label=_("Placement"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )

    def __init__(self, *args, writable_sections, placements, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (value, label)
            for value, label in Document.Kind.choices
            if section_of(value) in writable_sections
        ]
        self.fields["document_date"].initial = timezone.localdate()
        field = cast(PlacementChoiceField, self.fields["placement"])
        field.queryset = placements
        rows = list(placements)
        field.choices = [("", field.empty_label)] + [
            (str(row.pk), field.label_from_instance(row)) for row in rows
        ]
