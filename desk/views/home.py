"""The home page: every role's work lists, gathered from placements and casework."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from accounts.models import Role
from accounts.roles import current_memberships
from audit.events import record_shown
from desk.selectors.home import (
    home_case_officer_for,
    home_manager_for,
    home_supervisor_for,
    participants_on_home,
)
from placements.selectors import names_visible_in_lists


class HomeView(LoginRequiredMixin, TemplateView):
    """What each of the user's roles has to do now, a few items per section."""

    template_name = "desk/home.html"
    sections = {
        Role.SUPERVISOR: home_supervisor_for,
        Role.CASE_OFFICER: home_case_officer_for,
        Role.MANAGER: home_manager_for,
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        memberships = sorted(current_memberships(user), key=lambda m: (m.organisation.name, m.role))
        roles = {membership.role for membership in memberships}
        context["memberships"] = memberships
        context["roles"] = sorted(roles)
        context["show_names"] = names_visible_in_lists()
        for role, selector in self.sections.items():
            if role in roles:
                context[str(role)] = selector(user=user)
        if roles & set(self.sections):
            shown = participants_on_home(
                [context[str(role)] for role in self.sections if role in roles]
            )
            record_shown(
                self.request,
                participant_ids=shown,
                section="",
                object_type="home",
                result_count=len(shown),
            )
        return context
