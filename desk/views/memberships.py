"""The manager's approvals: memberships that wait for a second person (four eyes).

An administrator asks for a role that sees participants (accounts.services.
membership_request); it grants nothing until another administrator or a
manager of the organisation approves it here. Refusing ends it unused.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.selectors import membership_pending_list_for
from accounts.services import membership_approve, membership_refuse

DECISIONS = {"approve": membership_approve, "refuse": membership_refuse}


@require_http_methods(["GET", "POST"])
def pending_memberships(request):
    """GET: the pending memberships at the user's enterprises. POST: approve or
    refuse one (``membership``, ``decision``); the service checks who may."""
    pending = membership_pending_list_for(user=request.user)
    if request.method == "POST":
        decide = DECISIONS.get(request.POST.get("decision", ""))
        if decide is None:
            raise PermissionDenied
        try:
            membership = pending.get(pk=request.POST.get("membership", ""))
        except (pending.model.DoesNotExist, ValidationError):
            raise Http404 from None
        try:
            decide(membership=membership, acting_user=request.user)
        except (PermissionDenied, ValidationError) as error:
            for message in getattr(error, "messages", None) or [str(error)]:
                messages.error(request, message)
        else:
            done = (
                _("Approved: %(membership)s.")
                if decide is membership_approve
                else _("Refused: %(membership)s.")
            )
            messages.success(request, done % {"membership": membership})
        return redirect("memberships:pending")
    rows = [
        {
            "membership": membership,
            # The service refuses the member and the one who asked; say so up front.
            "may_decide": request.user.pk not in (membership.user_id, membership.requested_by_id),
        }
        for membership in pending
    ]
    return render(request, "desk/memberships/pending.html", {"rows": rows})
