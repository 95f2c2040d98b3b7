"""Placement screens: list, referral, start, plan, state changes, the attendance
grid and the monthly attendance report. Thin: parse, call a service or a
selector, render."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from accounts.models import Role
from accounts.roles import organisations_with_role
from audit.events import record_access, record_access_many, record_shown
from desk.forms import placements as forms
from desk.forms.errors import add_service_errors
from participants.policy import Relation, Section
from participants.selectors import name_sort_key, participant_list_for, participant_search_for
from placements import services
from placements.sections import PlacementSection
from placements.selectors import (
    attendance_month_for,
    attendance_week_for,
    hours_display,
    names_visible_in_lists,
    placement_get_for,
    placement_page_for,
    placement_supervisors_of,
)
from referrals.selectors import referral_supervisor_of
from reports.attendance import attendance_month_pdf

PAGE_SIZE = 25
#: The referral form shows at most this many people matching a search.
PICKER_LIMIT = 20


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


class PlacementListView(View):
    """Every placement the user may see, filtered and paginated (constant queries)."""

    def get(self, request):
        filters = forms.PlacementFilterForm(request.GET or None)
        values = filters.cleaned_data if filters.is_valid() else {}
        placements = placement_page_for(
            user=request.user,
            status=values.get("status", ""),
            plan_status=values.get("plan_status", ""),
            organisation_id=values.get("organisation"),
            unit_id=values.get("unit"),
        )
        page = Paginator(placements, PAGE_SIZE).get_page(request.GET.get("page"))
        record_shown(
            request,
            participant_ids=[placement.participant_id for placement in page.object_list],
            section=Section.IDENTITY,
            object_type="placement_list",
            result_count=len(page.object_list),
        )
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "desk/placements/list.html",
            {
                "page": page,
                "filters": filters,
                "query": query.urlencode(),
                "show_names": names_visible_in_lists(),
                "can_refer": bool(organisations_with_role(request.user, Role.MANAGER)),
            },
        )


def record_placement_view(request, placement, section: str) -> None:
    """The access event for a page about one placement (before it is rendered)."""
    record_access(
        request,
        action="view",
        participant_id=placement.participant_id,
        section=section,
        object_type="placement",
        object_id=placement.pk,
        relations=placement.access.relations,
    )


class PlacementMixin:
    """Fetch the placement through the selector (404), then check the relation (403).

    ``relations``: the user needs one of them on this placement (empty: any).
    """

    relations: frozenset[str] = frozenset()
    #: A section the user must be allowed to write (None: no such check).
    required_write: str | None = None
    section = PlacementSection.PLAN

    def dispatch(self, request, *args, **kwargs):
        self.placement = placement_get_for(user=request.user, placement_id=kwargs["placement_id"])
        if self.relations and not (self.placement.access.relations & self.relations):
            raise PermissionDenied
        if self.required_write and not self.placement.access.can_write(self.required_write):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def record_view(self, request) -> None:
        record_placement_view(request, self.placement, self.section)

    def detail_url(self) -> str:
        return reverse("placements:detail", kwargs={"placement_id": self.placement.pk})


class PlacementDetailView(PlacementMixin, View):
    def get(self, request, placement_id):
        placement = self.placement
        self.record_view(request)
        relations = placement.access.relations
        today = timezone.localdate()
        return render(
            request,
            "desk/placements/detail.html",
            {
                "placement": placement,
                "access": placement.access,
                "supervisors": placement_supervisors_of(placement=placement),
                "can_read_plan": placement.access.can_read(PlacementSection.PLAN),
                "is_manager": Relation.MANAGER in relations,
                "can_edit_plan": bool(relations & {Relation.MANAGER, Relation.SUPERVISOR})
                and placement.access.can_write(PlacementSection.PLAN),
                "is_case_officer": Relation.CASE_OFFICER in relations
                and placement.case_officer_id == request.user.pk,
                "running": placement.status in (placement.Status.ACTIVE, placement.Status.PAUSED),
                "report_month": today.replace(day=1),
            },
        )


class FormScreen(PlacementMixin, View):
    """A form about one placement: GET shows it, POST calls the service."""

    template_name = ""
    form_class = forms.ConfirmForm
    #: Service error keys that differ from the form's field names.
    error_fields: dict[str, str] = {}

    def get_form_kwargs(self) -> dict:
        return {}

    def get_initial(self) -> dict:
        return {}

    def perform(self, form) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError

    def render_form(self, request, form, status=200):
        return render(
            request,
            self.template_name,
            {"placement": self.placement, "form": form, **self.extra_context()},
            status=status,
        )

    def extra_context(self) -> dict:
        return {}

    def get(self, request, placement_id):
        self.record_view(request)
        return self.render_form(
            request, self.form_class(initial=self.get_initial(), **self.get_form_kwargs())
        )

    def post(self, request, placement_id):
        form = self.form_class(request.POST, **self.get_form_kwargs())
        if form.is_valid():
            try:
                message = self.perform(form)
            except ValidationError as error:
                add_service_errors(form, error, renamed=self.error_fields)
            else:
                messages.success(request, message)
                return redirect(self.detail_url())
        self.record_view(request)
        return self.render_form(request, form)


class ReferralCreateView(View):
    """A manager registers a referral for a participant of their enterprise.

    The person is found with a search (name or personal identity number, the
    participant list's search), never picked from a list of everyone: only the
    matches (sorted by name, at most ``PICKER_LIMIT``) are shown, and each search
    is an access event. From a participant's record the person comes chosen.
    """

    def participants(self, request):
        managed = organisations_with_role(request.user, Role.MANAGER)
        return participant_list_for(user=request.user).filter(
            organisation_id__in=managed, status="active"
        )

    def matches(self, request, term: str) -> list:
        managed = organisations_with_role(request.user, Role.MANAGER)
        found = participant_search_for(user=request.user, term=term).filter(
            organisation_id__in=managed, status="active"
        )
        return sorted(
            found,
            key=lambda participant: name_sort_key(
                participant.family_name, participant.given_name, participant.pk
            ),
        )

    def render_form(self, request, form, *, term: str = "", matches=None):
        chosen = self.chosen(request, form)
        shown = matches if matches is not None else ([chosen] if chosen else [])
        form.show_participants(shown[:PICKER_LIMIT])
        # Each person the picker lists is shown: one event per person (record_shown).
        record_shown(
            request,
            action="search" if matches is not None else "view",
            participant_ids=[participant.pk for participant in shown[:PICKER_LIMIT]],
            section=Section.IDENTITY,
            object_type="referral_form",
            result_count=len(matches) if matches is not None else None,
        )
        return render(
            request,
            "desk/placements/referral_form.html",
            {
                "form": form,
                "term": term,
                "searched": matches is not None,
                "more": max(len(shown) - PICKER_LIMIT, 0),
            },
        )

    def chosen(self, request, form):
        """The participant already chosen (from the record's link or a posted choice)."""
        value = form.data.get("participant") if form.is_bound else form.initial.get("participant")
        if not value:
            return None
        try:
            return self.participants(request).filter(pk=value).first()
        except ValidationError:
            return None

    def get(self, request):
        initial = {}
        if request.GET.get("participant"):
            initial["participant"] = request.GET["participant"]
        form = forms.ReferralForm(initial=initial, participants=self.participants(request))
        return self.render_form(request, form)

    def post(self, request):
        if "find" in request.POST:
            term = request.POST.get("participant_search", "").strip()
            data = request.POST.copy()
            data.pop("participant", None)
            form = forms.ReferralForm(
                initial={name: data.get(name) for name in data},
                participants=self.participants(request),
            )
            return self.render_form(
                request, form, term=term, matches=self.matches(request, term) if term else []
            )
        form = forms.ReferralForm(request.POST, participants=self.participants(request))
        if form.is_valid():
            data = form.cleaned_data
            officer = data.get("case_officer")
            try:
                placement = services.referral_register(
                    participant=data["participant"],
                    programme=data["programme"],
                    referred_on=data["referred_on"],
                    referring_organisation=data.get("referring_organisation"),
                    case_officer=officer.user if officer else None,
                    proposed_start=data.get("proposed_start"),
                    decision_number=data.get("decision_number", ""),
                    acting_user=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The referral was registered."))
                return redirect(placement.get_absolute_url())
        return self.render_form(request, form)


class PlacementStartView(FormScreen):
    relations = frozenset({Relation.MANAGER})
    template_name = "desk/placements/start_form.html"
    form_class = forms.StartForm

    def get_form_kwargs(self):
        return {"placement": self.placement}

    def get_initial(self):
        # A placement planned from an agency's referral starts as the manager planned it.
        initial = {"unit": self.placement.unit_id, "planned_end": self.placement.planned_end}
        supervisor_id = referral_supervisor_of(placement=self.placement)
        if supervisor_id is not None:
            initial["supervisors"] = [supervisor_id]
        return initial

    def perform(self, form):
        data = form.cleaned_data
        services.placement_start(
            placement=self.placement,
            unit=data["unit"],
            supervisors=list(data["supervisors"]),
            start_date=data["start_date"],
            planned_end=data.get("planned_end"),
            hours_per_week=data["hours_per_week"],
            weekdays="".join(data["weekdays"]),
            acting_user=self.request.user,
        )
        return _("The placement has started.")


class PlanEditView(FormScreen):
    """Edit the plan; the second button also submits it to the case officer."""

    relations = frozenset({Relation.MANAGER, Relation.SUPERVISOR})
    template_name = "desk/placements/plan_form.html"
    form_class = forms.PlanForm
    error_fields = {"plan_goals": "goals", "plan_tasks": "tasks", "plan_support": "support"}

    required_write = PlacementSection.PLAN

    def get_initial(self):
        return {
            "goals": self.placement.plan_goals,
            "tasks": self.placement.plan_tasks,
            "support": self.placement.plan_support,
        }

    def perform(self, form):
        data = form.cleaned_data
        services.placement_plan_update(
            placement=self.placement,
            goals=data["goals"],
            tasks=data["tasks"],
            support=data["support"],
            acting_user=self.request.user,
        )
        if "submit" in self.request.POST:
            services.placement_plan_submit(placement=self.placement, acting_user=self.request.user)
            return _("The plan was sent to the case officer for approval.")
        return _("The plan was saved as a draft.")


class PlanDecideView(FormScreen):
    """The placement's case officer approves the plan or asks for changes."""

    relations = frozenset({Relation.CASE_OFFICER})
    template_name = "desk/placements/plan_decide.html"
    form_class = forms.PlanDecisionForm

    def dispatch(self, request, *args, **kwargs):
        self.placement = placement_get_for(user=request.user, placement_id=kwargs["placement_id"])
        if (
            Relation.CASE_OFFICER not in self.placement.access.relations
            or self.placement.case_officer_id != request.user.pk
        ):
            raise PermissionDenied
        return View.dispatch(self, request, *args, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        approve = data["decision"] == form.APPROVE
        services.placement_plan_decide(
            placement=self.placement,
            approve=approve,
            comment=data.get("comment", ""),
            acting_user=self.request.user,
        )
        return _("The plan was approved.") if approve else _("Changes to the plan were requested.")


class PlacementPauseView(FormScreen):
    """Pause an active placement: a page that asks why and from when, then confirms."""

    relations = frozenset({Relation.MANAGER})
    template_name = "desk/placements/pause_form.html"
    form_class = forms.PauseForm  # type: ignore[assignment]  # FormScreen's hook takes any form
    error_fields = {"reason": "reason", "on": "on"}

    def perform(self, form):
        services.placement_pause(
            placement=self.placement,
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data["on"],
            acting_user=self.request.user,
        )
        return _("The placement is paused.")


class PlacementResumeView(FormScreen):
    relations = frozenset({Relation.MANAGER})
    template_name = "desk/placements/confirm.html"

    def extra_context(self):
        return {
            "title": _("Resume the placement"),
            "button": _("Resume"),
            "action": reverse("placements:resume", kwargs={"placement_id": self.placement.pk}),
        }

    def perform(self, form):
        services.placement_resume(placement=self.placement, acting_user=self.request.user)
        return _("The placement is active again.")


class SupervisorsChangeView(FormScreen):
    relations = frozenset({Relation.MANAGER})
    template_name = "desk/placements/supervisors_form.html"
    form_class = forms.SupervisorsForm

    def get_form_kwargs(self):
        return {"placement": self.placement}

    def get_initial(self):
        return {
            "supervisors": [
                assignment.supervisor_id
                for assignment in placement_supervisors_of(placement=self.placement)
            ]
        }

    def perform(self, form):
        services.placement_change_supervisors(
            placement=self.placement,
            supervisors=list(form.cleaned_data["supervisors"]),
            acting_user=self.request.user,
        )
        return _("The supervisors were changed.")


class UnitChangeView(FormScreen):
    relations = frozenset({Relation.MANAGER})
    template_name = "desk/placements/unit_form.html"
    form_class = forms.ChangeUnitForm

    def get_form_kwargs(self):
        return {"placement": self.placement}

    def perform(self, form):
        services.placement_change_unit(
            placement=self.placement, unit=form.cleaned_data["unit"], acting_user=self.request.user
        )
        return _("The placement moved to another unit.")


class AttendanceWeekView(View):
    """The unit-week grid: everyone the user records for × Monday–Sunday, one POST.

    Access events: one ``view`` event per participant shown (section
    attendance, naming the unit), written with one INSERT, so that each
    person's access extract lists the grid.
    """

    def dispatch(self, request, *args, **kwargs):
        week = kwargs["week"]
        if week.isoweekday() != 1:
            return redirect(
                "units:attendance_week", unit_id=kwargs["unit_id"], week=monday_of(week)
            )
        self.week = attendance_week_for(
            user=request.user, unit_id=kwargs["unit_id"], week_start=week
        )
        return super().dispatch(request, *args, **kwargs)

    def render_grid(self, request, form):
        week = self.week
        record_access_many(
            request,
            action="view",
            participant_ids=[row.placement.participant_id for row in week.rows],
            section=PlacementSection.ATTENDANCE,
            object_type="unit",
            object_id=week.unit.pk,
            relations={week.relation},
            result_count=len(week.rows),
        )
        show_names = names_visible_in_lists()
        return render(
            request,
            "desk/placements/attendance_week.html",
            {
                "week": week,
                "form": form,
                "rows": form.grid_rows(show_names=show_names),
                "days": form.grid_days(),
                "shown_day": form.shown_day(request.GET.get("dag")),
                "show_names": show_names,
                "previous_week": week.week_start - timedelta(days=7),
                "next_week": week.week_start + timedelta(days=7),
                "week_planned": hours_display(week.planned_total),
                "week_attended": hours_display(week.attended_total),
            },
        )

    def get(self, request, unit_id, week):
        return self.render_grid(request, forms.AttendanceWeekForm(week=self.week))

    def post(self, request, unit_id, week):
        form = forms.AttendanceWeekForm(request.POST, week=self.week)
        if form.is_valid():
            cleared = form.cleared()
            try:
                services.attendance_record_week(
                    unit=self.week.unit,
                    week_start=self.week.week_start,
                    entries=form.entries(),
                    cleared=cleared,
                    clear_reason=form.cleaned_data.get("clear_reason", ""),
                    acting_user=request.user,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if cleared:
                    messages.success(
                        request,
                        ngettext(
                            "Attendance saved; %(count)s day cleared.",
                            "Attendance saved; %(count)s days cleared.",
                            len(cleared),
                        )
                        % {"count": len(cleared)},
                    )
                else:
                    messages.success(request, _("Attendance saved."))
                # The narrow layout shows the same day again after the save.
                return redirect(f"{request.path}?dag={form.shown_day()}")
        return self.render_grid(request, form)


class AttendanceMonthPdfView(View):
    """The monthly attendance report of one placement, for the referring agency."""

    def get(self, request, placement_id, year, month):
        report = attendance_month_for(
            user=request.user, placement_id=placement_id, year=year, month=month
        )
        placement = report.placement
        record_access(
            request,
            action="print",
            participant_id=placement.participant_id,
            section=PlacementSection.ATTENDANCE,
            object_type="placement",
            object_id=placement.pk,
            relations=placement.access.relations,
        )
        content = attendance_month_pdf(
            report=report,
            show_identity=placement.access.can_read(Section.IDENTITY),
            generated_by=request.user,
        )
        response = HttpResponse(content, content_type="application/pdf")
        filename = f"narvaro-{year:04d}-{month:02d}-{str(placement.pk)[:8]}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
