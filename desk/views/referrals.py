"""Referral screens: the case officer's "New referral" and "My referrals", the
manager's "Referrals waiting" with accept / ask for more information / decline,
and the referral's page with its thread. Thin: parse, call a service or a
selector, render. A referral holds person data before any participant record
exists, so each page records an access event about the referral itself (and
about the participant once the referral is accepted)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Organisation, Role
from accounts.roles import organisations_with_role
from audit.events import record_access
from desk.forms.errors import add_service_errors
from desk.forms.referrals import AcceptForm, ReferralForm, ReferralTextForm
from placements.selectors import placement_list_for, supervisor_choices, unit_choices
from referrals import services
from referrals.models import Referral
from referrals.selectors import (
    agreement_enterprises,
    agreement_exists,
    agreement_units,
    referral_get_for,
    referral_person_known,
    referral_received_by,
    referral_sent_by,
)

#: What "Find" fills in from the agency's earlier referral of the person.
PERSON_FIELDS = ("given_name", "family_name", "gender", "labour_market_status", "phone", "email")

#: Rows per list on the referrals page; the rest behind "show all".
LIST_LIMIT = 50


def _record(request, referral: Referral, *, action: str = "view") -> None:
    record_access(
        request,
        action=action,
        participant_id=referral.placement.participant_id
        if referral.placement is not None
        else None,
        section="referral",
        object_type="referral",
        object_id=referral.pk,
    )


@require_http_methods(["GET"])
def referral_list(request):
    """Case officer: every referral they sent. Manager: the referrals to their enterprise."""
    user = request.user
    is_case_officer = bool(organisations_with_role(user, Role.CASE_OFFICER))
    is_manager = bool(organisations_with_role(user, Role.MANAGER))
    sent = list(referral_sent_by(user=user)[:LIST_LIMIT]) if is_case_officer else []
    received = list(referral_received_by(user=user)[:LIST_LIMIT]) if is_manager else []
    waiting = [referral for referral in received if referral.waiting]
    others = [referral for referral in received if not referral.waiting]
    record_access(
        request,
        action="view",
        section="referral",
        object_type="referral_list",
        result_count=len({referral.pk for referral in sent + received}),
    )
    return render(
        request,
        "desk/referrals/list.html",
        {
            "sent": sent,
            "waiting": waiting,
            "others": others,
            "is_case_officer": is_case_officer,
            "is_manager": is_manager,
            "limit": LIST_LIMIT,
        },
    )


def _agency_for(user, enterprise) -> object:
    """The user's agency that has an agreement with the enterprise (else their first)."""
    agencies = organisations_with_role(user, Role.CASE_OFFICER)
    today = timezone.localdate()
    for agency_id in agencies:
        if enterprise is not None and agreement_exists(
            agency_id=agency_id, enterprise_id=enterprise.pk, on=today
        ):
            return agency_id
    return agencies[0]


@require_http_methods(["GET", "POST"])
def referral_create(request):
    user = request.user
    agencies = organisations_with_role(user, Role.CASE_OFFICER)
    if not agencies:
        raise PermissionDenied
    today = timezone.localdate()
    choices = {
        "enterprises": agreement_enterprises(agency_ids=agencies, on=today),
        "units": agreement_units(agency_ids=agencies, on=today),
    }
    already_placed = None
    found = None
    find_error = None
    if request.method == "POST" and "find" in request.POST:
        # A lookup, not a submission: the form comes back unbound, filled in.
        initial = {
            name: request.POST.get(name, "")
            for name in ReferralForm.base_fields
            if name != "consents"
        }
        initial["consents"] = request.POST.getlist("consents")
        try:
            found = referral_person_known(
                user=user, personal_identity_number=initial["personal_identity_number"]
            )
        except ValidationError as error:
            find_error = " ".join(error.messages)
        else:
            record_access(
                request,
                action="search",
                section="referral",
                object_type="referral",
                object_id=found.pk if found is not None else None,
                result_count=int(found is not None),
            )
            if found is not None:
                for name in PERSON_FIELDS:
                    initial[name] = getattr(found, name)
        form = ReferralForm(initial=initial, **choices)
    elif request.method == "POST":
        form = ReferralForm(request.POST, **choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                referral = services.referral_create(
                    acting_user=user,
                    agency=Organisation.objects.get(pk=_agency_for(user, data["enterprise"])),
                    enterprise=data["enterprise"],
                    unit=data["unit"],
                    programme=data["programme"],
                    decision_number=data["decision_number"],
                    hours_per_week=data["hours_per_week"],
                    wanted_start=data["wanted_start"],
                    wanted_end=data["wanted_end"],
                    person=form.person(),
                    reason=data["reason"],
                    goals=data["goals"],
                    contact=data["contact"],
                    consents=form.consent_inputs(),
                    confirm_already_placed=data["confirm_already_placed"],
                )
            except services.AlreadyPlaced as warning:
                already_placed = warning.placement
                # The link only for the placement's own case officer: to anyone else
                # it would disclose a record they have no relationship with.
                already_placed.visible = (
                    placement_list_for(user=user).filter(pk=already_placed.pk).exists()
                )
                form.offer_confirmation()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The referral has been sent to the enterprise."))
                return redirect(referral.get_absolute_url())
    else:
        form = ReferralForm(**choices)
    return render(
        request,
        "desk/referrals/form.html",
        {
            "form": form,
            "already_placed": already_placed,
            "found": found,
            "find_error": find_error,
        },
    )


@require_http_methods(["GET"])
def referral_detail(request, referral_id):
    referral = referral_get_for(user=request.user, referral_id=referral_id)
    _record(request, referral)
    return render(request, "desk/referrals/detail.html", {"referral": referral})


def _answer_screen(request, referral_id, *, role: str, form_factory, perform, title, button):
    """A form page about one referral: GET shows it, POST calls the service."""
    referral = referral_get_for(user=request.user, referral_id=referral_id)
    if role == Role.MANAGER and not referral.as_manager:
        raise PermissionDenied
    if role == Role.CASE_OFFICER and not referral.as_case_officer:
        raise PermissionDenied
    form = form_factory(referral, request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            message = perform(referral, form)
        except ValidationError as refused:
            if getattr(refused, "code", None) == "already_answered" or not hasattr(
                refused, "error_dict"
            ):
                error = " ".join(refused.messages)
            else:
                add_service_errors(form, refused)
        else:
            messages.success(request, message)
            return redirect(referral.get_absolute_url())
    _record(request, referral)
    return render(
        request,
        "desk/referrals/answer.html",
        {"referral": referral, "form": form, "title": title, "button": button, "error": error},
    )


@require_http_methods(["GET", "POST"])
def referral_accept(request, referral_id):
    def form_factory(referral, data):
        return AcceptForm(
            data,
            units=unit_choices(organisation_id=referral.enterprise_id),
            supervisors=supervisor_choices(organisation_id=referral.enterprise_id),
            initial={"unit": referral.unit_id, "start_date": referral.wanted_start},
        )

    def perform(referral, form):
        placement = services.referral_accept(
            referral=referral,
            acting_user=request.user,
            unit=form.cleaned_data["unit"],
            supervisor=form.cleaned_data["supervisor"],
            start_date=form.cleaned_data["start_date"],
        )
        return _("The referral is accepted: the placement is planned from %(day)s.") % {
            "day": placement.proposed_start
        }

    return _answer_screen(
        request,
        referral_id,
        role=Role.MANAGER,
        form_factory=form_factory,
        perform=perform,
        title=_("Accept the referral"),
        button=_("Accept and plan the placement"),
    )


@require_http_methods(["GET", "POST"])
def referral_request_information(request, referral_id):
    def perform(referral, form):
        services.referral_request_information(
            referral=referral, acting_user=request.user, message=form.cleaned_data["text"]
        )
        return _("Your question has been sent to the case officer.")

    return _answer_screen(
        request,
        referral_id,
        role=Role.MANAGER,
        form_factory=lambda referral, data: ReferralTextForm(
            data, label=_("What do you need to know?")
        ),
        perform=perform,
        title=_("Ask for more information"),
        button=_("Send the question"),
    )


@require_http_methods(["GET", "POST"])
def referral_decline(request, referral_id):
    def perform(referral, form):
        services.referral_decline(
            referral=referral, acting_user=request.user, reason=form.cleaned_data["text"]
        )
        return _("The referral has been declined.")

    return _answer_screen(
        request,
        referral_id,
        role=Role.MANAGER,
        form_factory=lambda referral, data: ReferralTextForm(data, label=_("Reason for declining")),
        perform=perform,
        title=_("Decline the referral"),
        button=_("Decline"),
    )


@require_http_methods(["GET", "POST"])
def referral_supplement(request, referral_id):
    def perform(referral, form):
        services.referral_supplement(
            referral=referral, acting_user=request.user, message=form.cleaned_data["text"]
        )
        return _("Your answer has been sent; the referral waits for the enterprise again.")

    return _answer_screen(
        request,
        referral_id,
        role=Role.CASE_OFFICER,
        form_factory=lambda referral, data: ReferralTextForm(data, label=_("Your answer")),
        perform=perform,
        title=_("Answer with more information"),
        button=_("Send the answer"),
    )


@require_http_methods(["GET", "POST"])
def referral_withdraw(request, referral_id):
    def perform(referral, form):
        services.referral_withdraw(
            referral=referral, acting_user=request.user, reason=form.cleaned_data["text"]
        )
        return _("The referral has been withdrawn.")

    return _answer_screen(
        request,
        referral_id,
        role=Role.CASE_OFFICER,
        form_factory=lambda referral, data: ReferralTextForm(
            data, label=_("Why is it withdrawn?"), required=False
        ),
        perform=perform,
        title=_("Withdraw the referral"),
        button=_("Withdraw"),
    )
