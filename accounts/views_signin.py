"""Sign-in: password (with lockout), then the second factor; enrolment; re-authentication."""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView, RedirectURLMixin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView, View
from django_otp import login as otp_login

from .forms_signin import EnrolForm, ReauthForm, SecondFactorForm
from .reauth import RecentAuthRequiredMixin, reauth_record
from .services import recovery_codes_generate, totp_enrolment_start, user_has_totp_device

#: Session key for the recovery codes between enrolment and the page that shows them once.
RECOVERY_CODES_ONCE = "stegvis_recovery_codes_once"


class _NextMixin(RedirectURLMixin):
    """Carry a safe ``next`` URL through the sign-in steps."""

    next_page = settings.LOGIN_REDIRECT_URL

    def url_with_next(self, view_name: str) -> str:
        return f"{reverse(view_name)}?{urlencode({'next': self.get_success_url()})}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context[self.redirect_field_name] = self.get_redirect_url()
        return context


class SignInView(LoginView):
    """Step 1: username and password (django-axes counts the failures)."""

    template_name = "registration/login.html"

    def form_valid(self, form):
        # A new sign-in always starts a fresh session, so nothing (a second
        # factor, a re-authentication) carries over from an earlier one.
        if SESSION_KEY in self.request.session:
            self.request.session.flush()
        return super().form_valid(form)

    def get_success_url(self):
        return f"{reverse('signin_verify')}?{urlencode({'next': super().get_success_url()})}"


@method_decorator([sensitive_post_parameters("code"), never_cache], name="dispatch")
class SecondFactorView(LoginRequiredMixin, _NextMixin, FormView):
    """Step 2: a code from the authenticator app, or a recovery code."""

    template_name = "registration/verify.html"
    form_class = SecondFactorForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.user.is_verified():
            return HttpResponseRedirect(self.get_success_url())
        if not user_has_totp_device(user=request.user):
            return HttpResponseRedirect(self.url_with_next("signin_enrol"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        otp_login(self.request, form.device)
        # Privilege changes: a new session key, as at the password step.
        self.request.session.cycle_key()
        return HttpResponseRedirect(self.get_success_url())


@method_decorator([sensitive_post_parameters("code"), never_cache], name="dispatch")
class EnrolView(LoginRequiredMixin, _NextMixin, FormView):
    """First sign-in: set up the authenticator app by QR code, confirm it with a code."""

    template_name = "registration/enrol.html"
    form_class = EnrolForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # Only a user without an app may enrol one: otherwise the password
        # alone would be enough to add a second way in.
        if user_has_totp_device(user=request.user):
            return HttpResponseRedirect(self.url_with_next("signin_verify"))
        self.device, self.secret = totp_enrolment_start(user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "device": self.device}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        qr = segno.make(self.device.config_url, error="m")
        context["qr_data_uri"] = qr.svg_data_uri(scale=5, dark="#000", light="#fff")
        context["secret_groups"] = [self.secret[i : i + 4] for i in range(0, len(self.secret), 4)]
        return context

    def form_valid(self, form):
        codes = recovery_codes_generate(user=self.request.user)
        otp_login(self.request, form.device)
        self.request.session.cycle_key()
        self.request.session[RECOVERY_CODES_ONCE] = codes
        return HttpResponseRedirect(self.url_with_next("signin_recovery_codes"))


@method_decorator(never_cache, name="dispatch")
class RecoveryCodesView(LoginRequiredMixin, _NextMixin, TemplateView):
    """The new recovery codes, shown once and then dropped from the session."""

    template_name = "registration/recovery_codes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recovery_codes"] = self.request.session.pop(RECOVERY_CODES_ONCE, None)
        context["continue_url"] = self.get_success_url()
        return context


class RecoveryCodesRegenerateView(RecentAuthRequiredMixin, LoginRequiredMixin, _NextMixin, View):
    """Replace the recovery codes (the old ones stop working); needs a fresh re-auth."""

    http_method_names = ["post"]

    def get_reauth_next_url(self) -> str:
        return reverse("signin_recovery_codes")

    def post(self, request, *args, **kwargs):
        request.session[RECOVERY_CODES_ONCE] = recovery_codes_generate(user=request.user)
        return HttpResponseRedirect(self.url_with_next("signin_recovery_codes"))


@method_decorator([sensitive_post_parameters("password", "code"), never_cache], name="dispatch")
class ReauthView(LoginRequiredMixin, _NextMixin, FormView):
    """Confirm password and code again before a sensitive action (bulk export)."""

    template_name = "registration/reauth.html"
    form_class = ReauthForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        reauth_record(self.request)
        return HttpResponseRedirect(self.get_success_url())
