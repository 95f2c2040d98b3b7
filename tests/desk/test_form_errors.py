"""One helper puts a service's ValidationError on the form that sent the input."""

from django import forms
from django.core.exceptions import ValidationError

from desk.forms.errors import add_service_errors


class GoalForm(forms.Form):
    text = forms.CharField(required=False)
    on = forms.DateField(required=False)


def _form() -> GoalForm:
    form = GoalForm({"text": "x", "on": ""})
    assert form.is_valid()
    return form


def test_messages_go_next_to_the_fields_they_name_else_on_the_form():
    form = _form()
    add_service_errors(
        form, ValidationError({"text": "Write the goal.", "status": "Choose a valid status."})
    )
    assert form.errors["text"] == ["Write the goal."]
    assert form.non_field_errors() == ["Choose a valid status."]


def test_a_message_without_a_field_goes_on_the_form():
    form = _form()
    add_service_errors(form, ValidationError("The placement has not started."))
    assert form.non_field_errors() == ["The placement has not started."]


def test_renamed_service_fields_reach_the_form_field():
    form = _form()
    add_service_errors(form, ValidationError({"date": "Too early."}), renamed={"date": "on"})
    assert form.errors["on"] == ["Too early."]


def test_a_form_may_place_service_errors_itself():
    class ScoredForm(GoalForm):
        def field_for_service_error(self, name):
            return "on" if name == "date" else None

    form = ScoredForm({"text": "x"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"date": "Too early.", "text": "Not here."}))
    assert form.errors["on"] == ["Too early."]
    assert form.non_field_errors() == ["Not here."]
