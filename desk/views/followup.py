"""Reviews (uppföljning), ending a placement, and follow-ups after exit."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from audit.events import record_access, record_shown
from casework import due, services
from casework.sections import CaseworkSection
from casework.selectors_followup import (
    follow_up_get_for,
    follow_ups_due_for,
    follow_ups_recordable_organisations,
    reviews_due_for,
)
from desk.forms.errors import add_service_errors
from desk.forms.followup import FollowUpRecordForm, PlacementEndForm, ReviewForm
from desk.selectors.record import review_basis_for
from desk.views.placements import record_placement_view
from participants.policy import Relation
from placements.selectors import names_visible_in_lists, placement_get_for

PAGE_SIZE = 25


class PlacementFormView(View):
    """A form about a placement the user sees, for one relationship (else 403)."""

    relation = Relation.MANAGER
    template_name = ""
    form_class = ReviewForm
    section = CaseworkSection.REVIEWS

    def dispatch(self, request, *args, **kwargs):
        self.placement = placement_get_for(user=request.user, placement_id=kwargs["placement_id"])
        if not self.allowed(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def allowed(self, request) -> bool:
        return self.relation in self.placement.access.relations

    def render_form(self, request, form):
        record_placement_view(request, self.placement, self.section)
        return render(request, self.template_name, {"placement": self.placement, "form": form})

    def get(self, request, placement_id):
        return self.render_form(request, self.form_class())

    def post(self, request, placement_id):
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                message = self.perform(form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(self.placement.get_absolute_url())
        return self.render_form(request, form)

    def perform(self, form) -> str:
        raise NotImplementedError


class ReviewCreateView(PlacementFormView):
    """The placement's case officer records a review with a decision."""

    relation = Relation.CASE_OFFICER
    template_name = "desk/followup/review_form.html"
    form_class = ReviewForm

    def allowed(self, request) -> bool:
        return (
            super().allowed(request)
            and self.placement.case_officer_id == request.user.pk
            and self.placement.access.can_write(CaseworkSection.REVIEWS)
        )

    def render_form(self, request, form):
        # The basis beside the form (attendance, shared notes, goals, plan) is part of
        # the review: one access event, section "reviews", like every person-data view.
        basis = review_basis_for(user=request.user, placement=self.placement)
        record_placement_view(request, self.placement, self.section)
        return render(
            request,
            self.template_name,
            {"placement": self.placement, "form": form, "basis": basis},
        )

    def perform(self, form):
        data = form.cleaned_data
        services.review_record(
            placement=self.placement,
            summary=data["summary"],
            decision=data["decision"],
            on=data["date"],
            next_review_on=data.get("next_review_on"),
            acting_user=self.request.user,
        )
        return _("The review was recorded.")


class PlacementEndView(PlacementFormView):
    """A manager ends the placement with an exit outcome; follow-ups are scheduled."""

    relation = Relation.MANAGER
    template_name = "desk/followup/end_form.html"
    form_class = PlacementEndForm
    section = CaseworkSection.OUTCOMES

    def perform(self, form):
        data = form.cleaned_data
        exit_record = services.placement_end(
            placement=self.placement,
            ended_on=data["ended_on"],
            outcome=data["outcome"],
            comment=data.get("comment", ""),
            acting_user=self.request.user,
        )
        dates = ", ".join(
            follow_up.due_on.isoformat() for follow_up in exit_record.follow_ups.order_by("due_on")
        )
        return _("The placement has ended. Follow-ups are due on %(dates)s.") % {"dates": dates}


class ReviewsDueView(View):
    """The case officer's reviews due, paginated (constant queries)."""

    def get(self, request):
        page = Paginator(reviews_due_for(user=request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        today = timezone.localdate()
        for placement in page.object_list:
            placement.review_due_on = due.placement_review_due_on(placement)
            placement.review_overdue = due.is_overdue(placement.review_due_on, today=today)
        record_shown(
            request,
            participant_ids=[placement.participant_id for placement in page.object_list],
            section=CaseworkSection.REVIEWS,
            object_type="reviews_due",
            result_count=len(page.object_list),
        )
        return render(
            request,
            "desk/followup/reviews_due.html",
            {"page": page, "show_names": names_visible_in_lists()},
        )


class FollowUpsDueView(View):
    """Follow-ups due or overdue, each recorded in one step from the list."""

    def get(self, request):
        page = Paginator(follow_ups_due_for(user=request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        recordable = follow_ups_recordable_organisations(user=request.user)
        rows = [
            {
                "follow_up": follow_up,
                "form": FollowUpRecordForm(prefix=str(follow_up.pk))
                if follow_up.participant.organisation_id in recordable
                else None,
            }
            for follow_up in page.object_list
        ]
        record_shown(
            request,
            participant_ids=[follow_up.participant_id for follow_up in page.object_list],
            section=CaseworkSection.OUTCOMES,
            object_type="follow_ups_due",
            result_count=len(rows),
        )
        return render(
            request,
            "desk/followup/follow_ups_due.html",
            {"page": page, "rows": rows, "show_names": names_visible_in_lists()},
        )


class FollowUpRecordView(View):
    """Record the status found at one follow-up (htmx: answers with the list row)."""

    def dispatch(self, request, *args, **kwargs):
        self.follow_up = follow_up_get_for(user=request.user, follow_up_id=kwargs["follow_up_id"])
        if self.follow_up.participant_id != kwargs["participant_id"]:
            raise Http404
        if not self.follow_up.access.can_write(CaseworkSection.OUTCOMES):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, request, form):
        record_access(
            request,
            action="view",
            participant_id=self.follow_up.participant_id,
            section=CaseworkSection.OUTCOMES,
            object_type="follow_up",
            object_id=self.follow_up.pk,
            relations=self.follow_up.access.relations,
        )
        context = {
            "row": {"follow_up": self.follow_up, "form": form},
            "show_names": names_visible_in_lists(),
        }
        if request.headers.get("HX-Request"):
            return render(request, "desk/followup/_follow_up_row.html", context)
        return render(request, "desk/followup/follow_up_record.html", context)

    def get(self, request, participant_id, follow_up_id):
        return self.render_form(request, FollowUpRecordForm(prefix=str(self.follow_up.pk)))

    def post(self, request, participant_id, follow_up_id):
        form = FollowUpRecordForm(request.POST, prefix=str(self.follow_up.pk))
        if form.is_valid():
            try:
                services.follow_up_record(
                    follow_up=self.follow_up,
                    status_found=form.cleaned_data["status_found"],
                    note=form.cleaned_data.get("note", ""),
                    acting_user=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if request.headers.get("HX-Request"):
                    return render(
                        request,
                        "desk/followup/_follow_up_done.html",
                        {"follow_up": self.follow_up, "show_names": names_visible_in_lists()},
                    )
                messages.success(request, _("The follow-up was recorded."))
                return redirect("participants:follow_ups_due")
        return self.render_form(request, form)
