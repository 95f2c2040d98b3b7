from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from .selectors import membership_list_for


class HomeView(LoginRequiredMixin, TemplateView):
    """A minimal signed-in home: the user's roles, per organisation."""

    template_name = "accounts/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        memberships = list(membership_list_for(user=self.request.user))
        context["memberships"] = memberships
        context["roles"] = sorted({membership.role for membership in memberships})
        return context
