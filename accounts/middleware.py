"""Enforce the access table before any view runs."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.cache import add_never_cache_headers

from .access import rule_for
from .roles import current_roles


class AccessTableMiddleware:
    """Default deny: a URL without a rule is refused, loudly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        rule = getattr(request, "access_rule", None)
        if rule is None or not rule.public:
            # Pages behind sign-in may hold person data: never cache them.
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        rule = rule_for(match.view_name if match else None)
        if rule is None:
            if settings.DEBUG:
                raise ImproperlyConfigured(
                    f"URL {match.view_name if match else request.path!r} has no rule in "
                    "accounts.access.ACCESS_TABLE"
                )
            raise PermissionDenied("no access rule")
        request.access_rule = rule
        if rule.public:
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if rule.staff and not user.is_staff:
            raise PermissionDenied
        if rule.roles and not (current_roles(user) & rule.roles):
            raise PermissionDenied
        return None
