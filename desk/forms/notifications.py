"""The notification preferences form: one choice of delivery per kind."""

from django import forms

from notifications.kinds import Delivery, Kind


class PreferencesForm(forms.Form):
    def __init__(self, *args, initial_deliveries: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=initial_deliveries[kind.value],
            )
