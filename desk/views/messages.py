"""The messages of a placement: a short exchange between the enterprise (manager,
supervisors) and the case officer. Each read is an access event, as notes are."""

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from desk.forms.errors import add_service_errors
from desk.forms.referrals import CaseMessageForm
from desk.views.placements import record_placement_view
from placements.selectors import placement_get_for
from referrals.sections import ReferralSection
from referrals.selectors import case_message_list_for
from referrals.services import case_message_post


@require_http_methods(["GET", "POST"])
def placement_messages(request, placement_id):
    placement = placement_get_for(user=request.user, placement_id=placement_id)
    if not placement.access.can_read(ReferralSection.MESSAGES):
        raise PermissionDenied
    form = CaseMessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case_message_post(
                placement=placement, acting_user=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            flash.success(request, _("Your message has been sent."))
            return redirect("placements:messages", placement_id=placement.pk)
    record_placement_view(request, placement, ReferralSection.MESSAGES)
    return render(
        request,
        "desk/referrals/messages.html",
        {
            "placement": placement,
            "access": placement.access,
            "thread": case_message_list_for(placement=placement),
            "form": form,
            "can_write": placement.access.can_write(ReferralSection.MESSAGES),
        },
    )
