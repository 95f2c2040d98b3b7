"""Outcome report views: the report page (HTML with charts), its PDF/CSV/XLSX, and the
anonymised export (request → background task → status with progress → download).

The named report (aggregates, but with small cells) is for managers of the
enterprises; the anonymised export for analysts and managers. Every file
download records an access event, and every export (the named report's files,
the anonymised export) needs a recent re-authentication (accounts.reauth).
"""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.reauth import has_recent_auth, require_recent_auth
from accounts.roles import current_roles, organisations_with_role
from audit.events import record_access
from reports.anonymised import AUTOMATIC, DETAILED, MERGED
from reports.charts import render as render_chart
from reports.charts import report_charts
from reports.exports import to_csv, to_xlsx
from reports.models import ReportExport
from reports.pdf import report_pdf
from reports.scope import Period, reportable_organisations, scope_resolve
from reports.service import DEFAULT_THRESHOLD, export_request, exports_storage
from reports.statistics import DIMENSIONS, outcome_report
from reports.tables import report_preamble, report_tables

CHART_TEXT = {
    "exit_outcomes": (
        gettext_lazy("Exit outcomes"),
        gettext_lazy("Number of placements ended in the period, by exit outcome."),
    ),
    "attendance": (
        gettext_lazy("Attendance rate by programme"),
        gettext_lazy("Attended hours as a share of planned hours in the period."),
    ),
    "gender": (
        gettext_lazy("Participants by gender"),
        gettext_lazy("Placements in the period, by the participant's gender."),
    ),
}


def _default_months() -> tuple[str, str]:
    today = timezone.localdate()
    return f"{today.year}-01", f"{today:%Y-%m}"


class ReportForm(forms.Form):
    period_from = forms.RegexField(
        label=gettext_lazy("From month"), regex=r"^\d{4}-\d{2}$", max_length=7
    )
    period_to = forms.RegexField(
        label=gettext_lazy("To month"), regex=r"^\d{4}-\d{2}$", max_length=7
    )
    organisation = forms.MultipleChoiceField(
        label=gettext_lazy("Enterprises"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(org.pk), org.name) for org in organisations]

    def clean(self):
        cleaned = super().clean()
        if "period_from" in cleaned and "period_to" in cleaned:
            cleaned["period"] = Period.from_months(cleaned["period_from"], cleaned["period_to"])
        return cleaned


class ExportForm(ReportForm):
    threshold = forms.IntegerField(
        label=gettext_lazy("Suppress counts under"), min_value=3, max_value=50, initial=5
    )
    rounding = forms.BooleanField(label=gettext_lazy("Round to base 5"), required=False)
    grouping = forms.ChoiceField(
        label=gettext_lazy("Categories"),
        choices=[
            (
                AUTOMATIC,
                gettext_lazy(
                    "Automatic: merged when the detailed categories would hide more people"
                ),
            ),
            (DETAILED, gettext_lazy("Detailed categories")),
            (
                MERGED,
                gettext_lazy(
                    "Merged: non-binary and not stated as one column, under 30 as one age band"
                ),
            ),
        ],
        initial=AUTOMATIC,
        required=False,
    )


def _report_from_request(request):
    """The form and, when valid, (period, organisation ids) — 403 on an enterprise not allowed."""
    organisations = reportable_organisations(user=request.user, anonymised=False)
    first, last = _default_months()
    data = (
        request.GET if "period_from" in request.GET else {"period_from": first, "period_to": last}
    )
    form = ReportForm(data, organisations=organisations)
    if not form.is_valid():
        return form, None
    ids = scope_resolve(
        user=request.user, requested_ids=form.cleaned_data["organisation"], anonymised=False
    )
    return form, (form.cleaned_data["period"], ids)


@require_GET
def report(request):
    if Role.MANAGER not in current_roles(request.user):
        # An analyst (funder): the enterprises that share statistics with their
        # funder, disclosure-controlled as in the anonymised export.
        return _anonymised_report(request)
    form, chosen = _report_from_request(request)
    context = {"form": form, "dimensions": DIMENSIONS}
    if chosen is not None:
        period, ids = chosen
        data = outcome_report(period=period, organisation_ids=ids)
        charts = []
        for chart in report_charts(data):
            title, description = CHART_TEXT[chart["title"]]
            charts.append(
                {
                    "svg": render_chart(chart, title=str(title), description=str(description)),
                    "title": title,
                    "bars": chart["bars"],
                }
            )
        context.update(
            report=data,
            charts=charts,
            tables=report_tables(data),
            query=request.GET.urlencode(),
            # Without a recent re-authentication the file links lead to it
            # first and then back here (the downloads would send there anyway).
            downloads_ready=has_recent_auth(request),
            reauth_next=_report_page_url(request),
        )
    return render(request, "desk/reports/report.html", context)


def _anonymised_report(request):
    """The analyst's (funder's) report page: the enterprises they may receive, and the releases.

    Anonymised tables are published only as recorded releases (the anonymised
    export), each audited together with the earlier releases to the same funder
    (reports.differencing). Tables computed on this page for any period and set of
    enterprises would be releases that escape that audit: two views could be
    subtracted cell by cell. So the page shows the scope and the way to a release.
    """
    organisations = reportable_organisations(user=request.user, anonymised=True)
    exports = ReportExport.objects.filter(created_by=request.user)[:10]
    context = {
        "organisations": organisations,
        "exports": exports,
        "threshold": DEFAULT_THRESHOLD,
    }
    return render(request, "desk/reports/report_anonymised.html", context)


def _report_page_url(request) -> str:
    """The report page with the request's period and enterprises (where a download starts)."""
    query = request.GET.copy()
    query.pop("download", None)
    page = reverse("reports:outcome")
    return f"{page}?{query.urlencode()}" if query else page


def _download(request, fmt: str):
    form, chosen = _report_from_request(request)
    if chosen is None:
        raise Http404
    period, ids = chosen
    data = outcome_report(period=period, organisation_ids=ids)
    record_access(
        request,
        action="export",
        section="outcome_report",
        object_type="outcome_report",
        object_id=f"{period.code}/{fmt}",
    )
    name = f"outcome-report-{period.first_month:%Y-%m}-{period.last_month:%Y-%m}"
    if fmt == "pdf":
        content, content_type = report_pdf(data), "application/pdf"
    elif fmt == "csv":
        content = to_csv(report_tables(data), preamble=report_preamble(data))
        content_type = "text/csv; charset=utf-8"
    else:
        content = to_xlsx(report_tables(data), preamble=report_preamble(data))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    _mark_download_ready(request, response)
    return response


#: Cookie by which the report page's script learns that a file it asked for has
#: arrived (a download does not leave the page, so it cannot tell otherwise).
DOWNLOAD_COOKIE = "stegvis_download"
_DOWNLOAD_TOKEN = re.compile(r"^[a-z0-9]{8,32}$")


def _mark_download_ready(request, response) -> None:
    """Echo the page's random token (``?download=…``) in a short-lived cookie."""
    token = request.GET.get("download", "")
    if _DOWNLOAD_TOKEN.match(token):
        response.set_cookie(
            DOWNLOAD_COOKIE,
            token,
            max_age=120,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=False,  # read by static/js/stegvis.js; it holds only that token
            samesite="Strict",
        )


# The named report's files are exports: password and code again first, then
# back to the report page, where the file is one click away.
_require_recent_auth = require_recent_auth(next_url=_report_page_url)


@require_GET
@_require_recent_auth
def report_pdf_download(request):
    return _download(request, "pdf")


@require_GET
@_require_recent_auth
def report_csv_download(request):
    return _download(request, "csv")


@require_GET
@_require_recent_auth
def report_xlsx_download(request):
    return _download(request, "xlsx")


def _export_role(user) -> str:
    held = current_roles(user)
    for role in (Role.ANALYST, Role.MANAGER):
        if role in held:
            return role
    raise PermissionDenied


def _export_recipient(user, role: str):
    """The organisation a release goes to: the analyst's funder (the manager's enterprise).

    Releases to one recipient (or by one user) are audited together
    (reports.differencing); with several, the first by id is named.
    """
    held = organisations_with_role(user, role)
    return sorted(held, key=str)[0] if held else None


@require_GET
def export_list(request):
    exports = ReportExport.objects.filter(created_by=request.user)[:50]
    return render(request, "desk/reports/export_list.html", {"exports": exports})


@require_http_methods(["GET", "POST"])
@require_recent_auth()
def export_create(request):
    """A bulk export: the user confirms password and code first (accounts.reauth)."""
    organisations = reportable_organisations(user=request.user, anonymised=True)
    first, last = _default_months()
    if request.method == "POST":
        form = ExportForm(request.POST, organisations=organisations)
        if form.is_valid():
            ids = scope_resolve(
                user=request.user,
                requested_ids=form.cleaned_data["organisation"],
                anonymised=True,
            )
            role = _export_role(request.user)
            export = export_request(
                acting_user=request.user,
                role=role,
                period=form.cleaned_data["period"],
                organisation_ids=ids,
                threshold=form.cleaned_data["threshold"],
                rounding=form.cleaned_data["rounding"],
                grouping=form.cleaned_data["grouping"] or AUTOMATIC,
                recipient_id=_export_recipient(request.user, role),
            )
            return redirect("reports:export_status", export_id=export.pk)
    else:
        form = ExportForm(
            initial={
                "period_from": first,
                "period_to": last,
                "threshold": DEFAULT_THRESHOLD,
                "grouping": AUTOMATIC,
            },
            organisations=organisations,
        )
    return render(request, "desk/reports/export_create.html", {"form": form})


def _own_export(request, export_id) -> ReportExport:
    export = ReportExport.objects.filter(pk=export_id, created_by=request.user).first()
    if export is None:
        raise Http404
    return export


@require_GET
def export_status(request, export_id):
    export = _own_export(request, export_id)
    release = export.releases.first()
    withheld = None
    if release is not None:
        summary = release.summary
        withheld = {
            "grouping": release.get_grouping_display(),
            "cells": summary["cells"],
            "suppressed": summary["suppressed_cells"],
            "cell_percent": round(summary["suppressed_cell_share"] * 100, 1),
            "population_percent": round(summary["population_share"] * 100, 1),
            "earlier": len(summary.get("audited_with_earlier_releases", [])),
        }
    return render(
        request, "desk/reports/export_status.html", {"export": export, "withheld": withheld}
    )


@require_GET
def export_progress(request, export_id):
    """The htmx fragment polled every two seconds until the export is done."""
    export = _own_export(request, export_id)
    return render(request, "desk/reports/_export_progress.html", {"export": export})


@require_GET
def export_download(request, export_id, filename):
    export = _own_export(request, export_id)
    if export.status != ReportExport.Status.DONE or filename not in export.files:
        raise Http404
    record_access(
        request,
        action="export",
        section="outcome_report",
        object_type="export",
        object_id=f"{export.pk}/{filename}",
    )
    storage = exports_storage()
    try:
        handle = storage.open(f"{export.pk}/{filename}", "rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=filename)
