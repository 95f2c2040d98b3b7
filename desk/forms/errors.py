"""A service's ValidationError shown on the form that sent the input."""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(
    form: forms.Form, error: ValidationError, *, renamed: Mapping[str, str] | None = None
) -> None:
    """Put each message next to the field it names, else on the form as a whole.

    A service names its own fields (``date``, ``goals``); ``renamed`` maps them to
    the form's, and a form may answer ``field_for_service_error(name)`` itself.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    field_for = getattr(form, "field_for_service_error", None)
    for name, messages in error.error_dict.items():
        name = (renamed or {}).get(name, name)
        field = field_for(name) if field_for is not None else name
        form.add_error(field if field in form.fields else None, messages)
