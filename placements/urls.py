from datetime import date

from django.urls import path, register_converter

from . import views

app_name = "placements"


class IsoDateConverter:
    """A calendar date as YYYY-MM-DD; an impossible date does not match (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)  # ValueError: no match

    def to_url(self, value: date) -> str:
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

urlpatterns = [
    path("", views.PlacementListView.as_view(), name="list"),
    path("remiss/ny/", views.ReferralCreateView.as_view(), name="referral_create"),
    path("<uuid:placement_id>/", views.PlacementDetailView.as_view(), name="detail"),
    path("<uuid:placement_id>/starta/", views.PlacementStartView.as_view(), name="start"),
    path("<uuid:placement_id>/plan/", views.PlanEditView.as_view(), name="plan_edit"),
    path("<uuid:placement_id>/plan/beslut/", views.PlanDecideView.as_view(), name="plan_decide"),
    path("<uuid:placement_id>/pausa/", views.PlacementPauseView.as_view(), name="pause"),
    path("<uuid:placement_id>/ateruppta/", views.PlacementResumeView.as_view(), name="resume"),
    path(
        "<uuid:placement_id>/handledare/",
        views.SupervisorsChangeView.as_view(),
        name="supervisors",
    ),
    path("<uuid:placement_id>/enhet/", views.UnitChangeView.as_view(), name="change_unit"),
    path(
        "<uuid:placement_id>/narvaro/<int:year>-<int:month>.pdf",
        views.AttendanceMonthPdfView.as_view(),
        name="attendance_month_pdf",
    ),
    path(
        "enheter/<uuid:unit_id>/narvaro/<isodate:week>/",
        views.AttendanceWeekView.as_view(),
        name="attendance_week",
    ),
]
