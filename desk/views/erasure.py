"""Erasure and retention screens: requests awaiting the data-protection officer's
decision, a manager's request, the records due for retention review, the policy.

Roles are enforced by the access table (managers request and review retention,
the data-protection officer decides), the enterprise by the selectors (404), and
the rest by the services (four eyes, the legal basis).
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation, Role
from accounts.roles import current_roles, organisations_with_role
from audit.events import client_address, record_access, record_access_many
from audit.models import AccessEvent
from desk.forms.erasure import (
    ErasureDecisionForm,
    ErasureRequestForm,
    RetentionConfirmForm,
    RetentionExtendForm,
    RetentionHoldForm,
    RetentionPolicyForm,
)
from desk.forms.errors import add_service_errors
from erasure import selectors, services
from erasure.models import ErasureRequest, RetentionRun

RECENT = 20


def erasure_list(request):
    """Pending requests first, then the latest decisions (ids and codes, no person data)."""
    requests = selectors.erasure_list_for(user=request.user)
    pending = list(requests.filter(status=ErasureRequest.Status.PENDING))
    decided = list(requests.exclude(status=ErasureRequest.Status.PENDING)[:RECENT])
    roles = current_roles(request.user)
    return render(
        request,
        "desk/erasure/list.html",
        {
            "pending": pending,
            "decided": decided,
            "is_manager": Role.MANAGER in roles,
            "is_dpo": Role.AUDITOR in roles,
        },
    )


def _detail_context(request, erasure, form=None) -> dict:
    participant = None
    refusals: list[str] = []
    if erasure.status == ErasureRequest.Status.PENDING:
        participant = selectors.erasure_subject(erasure=erasure)
        if participant is not None:
            refusals = services.erasure_refusals(participant=participant)
    may_decide = (
        erasure.status == ErasureRequest.Status.PENDING
        and erasure.requested_by_id != request.user.pk
        and erasure.organisation_id in organisations_with_role(request.user, Role.AUDITOR)
    )
    return {
        "erasure": erasure,
        "refusals": refusals,
        "may_decide": may_decide,
        "form": form or (ErasureDecisionForm() if may_decide else None),
        "is_manager": erasure.organisation_id
        in organisations_with_role(request.user, Role.MANAGER),
    }


def erasure_detail(request, erasure_id):
    erasure = selectors.erasure_get_for(user=request.user, erasure_id=erasure_id)
    return render(request, "desk/erasure/detail.html", _detail_context(request, erasure))


@require_POST
def erasure_decide(request, erasure_id):
    erasure = selectors.erasure_get_for(user=request.user, erasure_id=erasure_id)
    form = ErasureDecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == ErasureDecisionForm.APPROVE:
                services.erasure_approve(
                    erasure=erasure,
                    acting_user=request.user,
                    ip_address=client_address(request),
                    request_id=getattr(request, "request_id", ""),
                )
                messages.success(request, _("The record has been erased."))
            else:
                services.erasure_reject(
                    erasure=erasure, reason=form.cleaned_data["reason"], acting_user=request.user
                )
                messages.success(request, _("The erasure request has been rejected."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("erasure:list")
    erasure.refresh_from_db()
    context = _detail_context(request, erasure, form)
    return render(request, "desk/erasure/detail.html", context, status=200)


def _managed_participant(request, participant_id):
    """A participant at an enterprise the user manages, the read recorded (section erasure)."""
    participant = selectors.managed_participant_get(
        user=request.user, participant_id=participant_id
    )
    record_access(
        request,
        action=AccessEvent.Action.VIEW,
        participant_id=participant.pk,
        section="erasure",
        relations=("manager",),
    )
    return participant


def erasure_request_create(request, participant_id):
    participant = _managed_participant(request, participant_id)
    refusals = services.erasure_refusals(participant=participant)
    form = ErasureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure = services.erasure_request(
                participant=participant,
                ground=form.cleaned_data["ground"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The erasure has been requested; the data-protection officer decides.")
            )
            return redirect(erasure.get_absolute_url())
    pending = ErasureRequest.objects.filter(
        participant_id=participant.pk, status=ErasureRequest.Status.PENDING
    ).first()
    return render(
        request,
        "desk/erasure/request.html",
        {
            "participant": participant,
            "refusals": refusals,
            "form": form,
            "pending": pending,
            "holds": participant.retention_holds.select_related("funder").order_by("keep_until"),
        },
    )


def hold_add(request, participant_id):
    participant = _managed_participant(request, participant_id)
    form = RetentionHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_hold_add(
                participant=participant, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The funder's retention requirement has been recorded."))
            return redirect("erasure:request", participant_id=participant.pk)
    return render(
        request, "desk/erasure/hold_form.html", {"participant": participant, "form": form}
    )


def retention_due(request):
    organisation_ids = organisations_with_role(request.user, Role.MANAGER)
    policies = selectors.policies_for(organisation_ids)
    due = selectors.retention_due_for(user=request.user, policies=policies)
    # One event per person listed (their access extract shows it), or one list
    # event when nobody is due.
    record_access_many(
        request,
        action=AccessEvent.Action.VIEW,
        participant_ids=[record.participant.pk for record in due] or [None],
        section="retention",
        relations=("manager",),
        result_count=len(due),
    )
    organisations = Organisation.objects.filter(pk__in=organisation_ids).order_by("name")
    return render(
        request,
        "desk/erasure/retention.html",
        {
            "due": due,
            "policies": [
                (organisation, policies[organisation.pk]) for organisation in organisations
            ],
            "last_run": RetentionRun.objects.first(),
        },
    )


def retention_decide(request, participant_id):
    record = selectors.retention_due_get(user=request.user, participant_id=participant_id)
    participant = (
        record.participant
        if record
        else selectors.managed_participant_get(user=request.user, participant_id=participant_id)
    )
    record_access(
        request,
        action=AccessEvent.Action.VIEW,
        participant_id=participant.pk,
        section="retention",
        relations=("manager",),
    )
    action = request.POST.get("action") if request.method == "POST" else None
    confirm_form = RetentionConfirmForm(request.POST if action == "confirm" else None)
    extend_form = RetentionExtendForm(request.POST if action == "extend" else None)
    if record is not None and action in ("confirm", "extend"):
        form = confirm_form if action == "confirm" else extend_form
        if form.is_valid():
            try:
                if action == "confirm":
                    decision = services.retention_confirm(
                        participant=participant,
                        due_on=record.due_on,
                        note=form.cleaned_data["note"],
                        acting_user=request.user,
                    )
                    messages.success(
                        request,
                        _("Erasure confirmed; the data-protection officer approves it."),
                    )
                    return redirect(decision.erasure.get_absolute_url())
                services.retention_extend(
                    participant=participant,
                    due_on=record.due_on,
                    until=form.cleaned_data["until"],
                    reason=form.cleaned_data["reason"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The record is kept longer."))
                return redirect("erasure:retention")
    return render(
        request,
        "desk/erasure/retention_decide.html",
        {
            "participant": participant,
            "record": record,
            "refusals": services.erasure_refusals(participant=participant) if record else [],
            "confirm_form": confirm_form,
            "extend_form": extend_form,
        },
    )


def retention_policy(request):
    organisations = Organisation.objects.filter(
        pk__in=organisations_with_role(request.user, Role.MANAGER)
    ).order_by("name")
    chosen = request.GET.get("organisation") or request.POST.get("organisation")
    try:
        organisation = (
            organisations.filter(pk=uuid.UUID(chosen)).first() if chosen else organisations.first()
        )
    except ValueError:
        raise Http404 from None
    if organisation is None:
        raise Http404
    policy = services.retention_policy_for(organisation)
    form = RetentionPolicyForm(
        request.POST or None,
        initial={
            "years_after_end": policy.years_after_end,
            "years_without_placement": policy.years_without_placement,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_policy_update(
                organisation=organisation, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The retention policy has been saved."))
            return redirect("erasure:retention")
    return render(
        request,
        "desk/erasure/policy_form.html",
        {"form": form, "organisation": organisation},
    )
