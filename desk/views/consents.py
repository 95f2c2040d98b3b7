"""The record's consent tab: the consents held, what each permits, recording and
withdrawing one (the participant's manager only: ``consent_record``,
``consent_withdraw`` and ``config.access``). Every page records an access event."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit.events import record_access
from desk.forms.consents import ConsentForm
from desk.forms.errors import add_service_errors
from desk.selectors.record import record_summary_for
from participants.access import withhold_protected_address
from participants.consents import consent_get_for, consent_list_for
from participants.models import ConsentTemplate
from participants.policy import Section
from participants.selectors import participant_get_for
from participants.services import consent_record, consent_withdraw


def _participant(request, participant_id, *, writing: bool = False):
    participant = participant_get_for(user=request.user, participant_id=participant_id)
    found = participant.access  # type: ignore[attr-defined]
    if not found.can_read(Section.CONSENTS):
        raise PermissionDenied
    if writing and not found.can_write(Section.CONSENTS):
        raise PermissionDenied
    withhold_protected_address(participant)
    record_access(
        request,
        action="view",
        participant_id=participant.pk,
        section=Section.CONSENTS,
        relations=found.relations,
    )
    return participant


def _page(participant, **context):
    return {
        "participant": participant,
        "access": participant.access,
        "current": "consents",
        "can_write": participant.access.can_write(Section.CONSENTS),
        **context,
    }


@require_GET
def consents(request, participant_id):
    participant = _participant(request, participant_id)
    rows = consent_list_for(participant=participant)
    return render(
        request,
        "desk/participants/consents.html",
        _page(
            participant,
            summary=record_summary_for(user=request.user, participant=participant),
            active=[row for row in rows if row.active],
            withdrawn=[row for row in rows if not row.active],
        ),
    )


def current_wordings() -> list[ConsentTemplate]:
    """The newest wording of each purpose (one query; no person data)."""
    newest: dict[str, ConsentTemplate] = {}
    for template in ConsentTemplate.objects.order_by("purpose", "-version"):
        newest.setdefault(template.purpose, template)
    return list(newest.values())


@require_http_methods(["GET", "POST"])
def consent_add(request, participant_id):
    participant = _participant(request, participant_id, writing=True)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(
                participant=participant,
                purpose=form.cleaned_data["purpose"],
                agency=form.cleaned_data["agency"],
                funder=form.cleaned_data["funder"],
                recipient_system=form.cleaned_data["recipient_system"],
                given_at=form.given_at(),
                evidence=form.cleaned_data["evidence"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consent has been recorded."))
            return redirect("participants:consents", participant_id=participant.pk)
    return render(
        request,
        "desk/participants/consent_form.html",
        _page(participant, form=form, wordings=current_wordings(), parent="consents"),
    )


@require_http_methods(["GET", "POST"])
def consent_withdraw_view(request, participant_id, consent_id):
    participant = _participant(request, participant_id, writing=True)
    consent = consent_get_for(participant=participant, consent_id=consent_id)
    error = None
    if request.method == "POST":
        try:
            consent_withdraw(consent=consent, acting_user=request.user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(
                request, _("The consent has been withdrawn. It permits nothing from now on.")
            )
            return redirect("participants:consents", participant_id=participant.pk)
    return render(
        request,
        "desk/participants/consent_withdraw.html",
        _page(participant, consent=consent, error=error, parent="consents"),
    )
