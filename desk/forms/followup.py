"""Forms for reviews, ending a placement and recording follow-ups."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import FollowUp, Outcome, Review
from desk.forms.placements import DateInput


class ReviewForm(forms.Form):
    date = forms.DateField(label=_("Date of the review"), widget=DateInput)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 6}))
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Review.Decision.choices, widget=forms.RadioSelect
    )
    next_review_on = forms.DateField(label=_("Next review"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate

    def clean(self):
        cleaned = super().clean()
        on, next_on = cleaned.get("date"), cleaned.get("next_review_on")
        if on and on > timezone.localdate():
            self.add_error("date", _("A review cannot be dated in the future."))
        if on and next_on and next_on <= on:
            self.add_error("next_review_on", _("The next review must be after this one."))
        return cleaned


class PlacementEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Last day"), widget=DateInput)
    outcome = forms.ChoiceField(label=_("Exit outcome"), choices=[("", "—")] + Outcome.choices)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate


class FollowUpRecordForm(forms.Form):
    status_found = forms.ChoiceField(
        label=_("Status found"), choices=[("", "—")] + FollowUp.Status.choices
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
