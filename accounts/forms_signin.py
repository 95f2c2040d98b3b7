"""Forms for the second factor, enrolment and re-authentication."""

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .services import second_factor_verify, totp_device_confirm

INVALID_CODE = _("The code is not valid or has already been used. Try the next code.")


def _code_field(*, label, help_text, numeric: bool) -> forms.CharField:
    attrs = {"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
    if numeric:
        attrs["inputmode"] = "numeric"
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=32,
        strip=True,
        widget=forms.TextInput(attrs=attrs),
    )


class SecondFactorForm(forms.Form):
    """A TOTP code from the app, or one recovery code."""

    code = _code_field(
        label=_("Code"),
        help_text=_("Six digits from your authenticator app, or one of your recovery codes."),
        numeric=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device: Device | None = None

    def clean_code(self):
        code = self.cleaned_data["code"]
        self.device = second_factor_verify(user=self.user, code=code)
        if self.device is None:
            raise forms.ValidationError(INVALID_CODE, code="invalid_code")
        return code


class EnrolForm(forms.Form):
    """Confirm the new authenticator app with its current code."""

    code = _code_field(
        label=_("Code from the app"),
        help_text=_("The six digits the app shows for Stegvis."),
        numeric=True,
    )

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not totp_device_confirm(device=self.device, code=code):
            raise forms.ValidationError(INVALID_CODE, code="invalid_code")
        self.device.refresh_from_db()
        return code


class ReauthForm(forms.Form):
    """Password and second factor again, for a sensitive action."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = _code_field(
        label=_("Code"),
        help_text=_("Six digits from your authenticator app, or one of your recovery codes."),
        numeric=False,
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.device: Device | None = None

    def clean(self):
        cleaned_data = super().clean()
        password = cleaned_data.get("password")
        code = cleaned_data.get("code")
        if not password or not code:
            return cleaned_data
        user = self.request.user
        # authenticate() so that a wrong password counts towards the lockout.
        authenticated = authenticate(self.request, username=user.get_username(), password=password)
        if authenticated is None or authenticated.pk != user.pk:
            self.add_error("password", _("The password is not correct."))
            return cleaned_data
        self.device = second_factor_verify(user=user, code=code)
        if self.device is None:
            self.add_error("code", INVALID_CODE)
        return cleaned_data
