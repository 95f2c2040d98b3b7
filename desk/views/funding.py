"""Funded projects for the enterprise's manager: projects, placements in them, the data
at entry and on leaving, completeness, the pre-flight check, and the funder files.

Every page that names participants records an access event for each of them;
producing and downloading a file needs a recent re-authentication, and each
download is an export event per participant in the file.
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Organisation, Role
from accounts.reauth import require_recent_auth
from accounts.roles import organisations_with_role
from audit.events import record_access, record_access_many
from desk.forms.errors import add_service_errors
from desk.forms.funding import EntryForm, FileForm, LeavingForm, PlacementAddForm, ProjectForm
from funding.files import FileUnavailable, funder_file_open, valid_hours
from funding.models import FileKind
from funding.sections import FundingSection
from funding.selectors import (
    funder_choices,
    funder_file_get_for,
    funder_file_list_for,
    placements_addable,
    preflight,
    project_get_for,
    project_list_for,
    project_placement_get_for,
    project_rows,
)
from funding.services import (
    EntryInput,
    LeavingInput,
    ProjectInput,
    funder_file_request,
    project_create,
    project_entry_record,
    project_leaving_record,
    project_placement_add,
)
from participants.models import Participant

SECTION = FundingSection.FUNDING
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _viewed(request, participant_ids, *, object_type="funded_project", object_id=None) -> None:
    record_access_many(
        request,
        action="view",
        participant_ids=list(participant_ids),
        section=SECTION,
        object_type=object_type,
        object_id=object_id,
    )


@require_GET
def project_list(request):
    projects = list(project_list_for(user=request.user))
    return render(request, "desk/funding/list.html", {"projects": projects})


@require_http_methods(["GET", "POST"])
def project_new(request):
    enterprises = organisations_with_role(request.user, Role.MANAGER)
    form = ProjectForm(request.POST or None, funders=funder_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enterprise = Organisation.objects.get(pk=enterprises[0])
        try:
            project = project_create(
                enterprise=enterprise,
                data=ProjectInput(
                    kind=data["kind"],
                    name=data["name"],
                    reference=data["reference"],
                    funder=data["funder"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    obligations=tuple(data["obligations"]),
                ),
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(project)
    return render(request, "desk/funding/new.html", {"form": form})


@require_GET
def project_detail(request, project_id):
    project = project_get_for(user=request.user, project_id=project_id)
    rows = project_rows(project=project)
    complete = sum(1 for row in rows if row.complete)
    _viewed(
        request,
        [row.row.membership.placement.participant_id for row in rows],
        object_id=project.pk,
    )
    files = list(funder_file_list_for(project=project)[:20])
    return render(
        request,
        "desk/funding/detail.html",
        {
            "project": project,
            "rows": rows,
            "complete": complete,
            "complete_percent": round(100 * complete / len(rows)) if rows else 100,
            "files": files,
            "kinds": [(code, FileKind(code).label) for code in project.obligations],
        },
    )


@require_http_methods(["GET", "POST"])
def placement_add(request, project_id):
    project = project_get_for(user=request.user, project_id=project_id)
    placements = list(placements_addable(project=project))
    form = PlacementAddForm(request.POST or None, placements=placements)
    if request.method == "POST" and form.is_valid():
        placement = form.placements[form.cleaned_data["placement"]]
        try:
            membership = project_placement_add(
                project=project,
                placement=placement,
                joined_on=form.cleaned_data["joined_on"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(membership)
    _viewed(request, [placement.participant_id for placement in placements], object_id=project.pk)
    return render(request, "desk/funding/placement_add.html", {"project": project, "form": form})


def _entry_initial(membership) -> dict:
    return {name: getattr(membership, name) for name in EntryForm.base_fields}


def _leaving_initial(membership) -> dict:
    return {name: getattr(membership, name) for name in LeavingForm.base_fields}


@require_http_methods(["GET", "POST"])
def membership_detail(request, project_id, membership_id):
    """The data at entry and on leaving of one placement in the project (two forms)."""
    project = project_get_for(user=request.user, project_id=project_id)
    membership = project_placement_get_for(
        user=request.user, project=project, membership_id=membership_id
    )
    step = request.POST.get("step") if request.method == "POST" else None
    entry_form = EntryForm(
        request.POST if step == "entry" else None, initial=_entry_initial(membership)
    )
    leaving_form = LeavingForm(
        request.POST if step == "leaving" else None, initial=_leaving_initial(membership)
    )
    if step in ("entry", "leaving"):
        form = entry_form if step == "entry" else leaving_form
        if form.is_valid():
            try:
                if step == "entry":
                    project_entry_record(
                        membership=membership,
                        data=EntryInput(**form.cleaned_data),
                        acting_user=request.user,
                    )
                else:
                    project_leaving_record(
                        membership=membership,
                        data=LeavingInput(**form.cleaned_data),
                        acting_user=request.user,
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect(reverse("funding:detail", args=[project.pk]))
    participant = membership.placement.participant
    record_access(
        request,
        action="view",
        participant_id=participant.pk,
        section=SECTION,
        object_type="project_placement",
        object_id=membership.pk,
    )
    return render(
        request,
        "desk/funding/membership.html",
        {
            "project": project,
            "membership": membership,
            "participant": participant,
            "entry_form": entry_form,
            "leaving_form": leaving_form,
        },
    )


def _file_form(request, project):
    data = request.POST if request.method == "POST" else (request.GET or None)
    return FileForm(data, kinds=project.obligations or FileKind.values)


@require_GET
def project_preflight(request, project_id):
    project = project_get_for(user=request.user, project_id=project_id)
    form = _file_form(request, project)
    result = None
    if form.is_bound and form.is_valid():
        result = preflight(
            project=project,
            kind=form.cleaned_data["kind"],
            first_month=form.cleaned_data["first_month"],
            last_month=form.cleaned_data["last_month"],
        )
        named = [row.membership.placement.participant_id for row, _found in result["problems"]]
        named += [row.membership.placement.participant_id for row in result["missing_consent"]]
        _viewed(request, named, object_type="preflight", object_id=project.pk)
    return render(
        request,
        "desk/funding/preflight.html",
        {"project": project, "form": form, "result": result, "query": request.GET.urlencode()},
    )


def _project_url(request) -> str:
    return reverse(
        "funding:detail", kwargs={"project_id": request.resolver_match.kwargs["project_id"]}
    )


@require_http_methods(["GET", "POST"])
@require_recent_auth()
def file_create(request, project_id):
    """Produce a file: password and code again first (accounts.reauth)."""
    project = project_get_for(user=request.user, project_id=project_id)
    form = _file_form(request, project)
    if request.method == "POST" and form.is_valid():
        try:
            funder_file = funder_file_request(
                project=project,
                kind=form.cleaned_data["kind"],
                first_month=form.cleaned_data["first_month"],
                last_month=form.cleaned_data["last_month"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("funding:file_status", project_id=project.pk, file_id=funder_file.pk)
    return render(
        request,
        "desk/funding/file_create.html",
        {"project": project, "form": form, "valid_hours": valid_hours()},
    )


def _file_context(request, project, funder_file) -> dict:
    missing = []
    if funder_file.missing_consent:
        missing = list(
            Participant.objects.filter(
                pk__in=funder_file.missing_consent, organisation_id=project.enterprise_id
            ).select_related("data_key")
        )
        _viewed(
            request, [p.pk for p in missing], object_type="funder_file", object_id=funder_file.pk
        )
    return {
        "project": project,
        "file": funder_file,
        "missing": missing,
        "own": funder_file.created_by_id == request.user.pk,
    }


@require_GET
def file_status(request, project_id, file_id):
    project = project_get_for(user=request.user, project_id=project_id)
    funder_file = funder_file_get_for(project=project, file_id=file_id)
    return render(
        request, "desk/funding/file_status.html", _file_context(request, project, funder_file)
    )


@require_GET
def file_progress(request, project_id, file_id):
    """The htmx fragment polled every two seconds until the file is done (no person data)."""
    project = project_get_for(user=request.user, project_id=project_id)
    funder_file = funder_file_get_for(project=project, file_id=file_id)
    return render(
        request,
        "desk/funding/_file_progress.html",
        {
            "project": project,
            "file": funder_file,
            "own": funder_file.created_by_id == request.user.pk,
        },
    )


def _status_url(request) -> str:
    return reverse(
        "funding:file_status",
        kwargs={
            "project_id": request.resolver_match.kwargs["project_id"],
            "file_id": request.resolver_match.kwargs["file_id"],
        },
    )


@require_GET
@require_recent_auth(next_url=_status_url)
def file_download(request, project_id, file_id, filename):
    """The file, for the manager who produced it, until it expires (410 after)."""
    project = project_get_for(user=request.user, project_id=project_id)
    funder_file = funder_file_get_for(project=project, file_id=file_id)
    if funder_file.created_by_id != request.user.pk or filename not in funder_file.files:
        raise Http404
    try:
        content = funder_file_open(funder_file=funder_file, name=filename)
    except FileUnavailable:
        return render(
            request,
            "desk/funding/file_status.html",
            _file_context(request, project, funder_file),
            status=410,
        )
    extension = filename.rsplit(".", 1)[-1]
    record_access_many(
        request,
        action="export",
        participant_ids=funder_file.included,
        section=SECTION,
        object_type="funder_file",
        # The file's id and format (the whole name would not fit the event's column).
        object_id=f"{funder_file.pk}/{extension}",
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
