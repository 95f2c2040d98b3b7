from django.urls import path

from . import views_followup, views_progress, views_reports

app_name = "casework"

urlpatterns: list = []

# --- Reviews, exit and follow-ups (issue 6 screens: casework.views_followup) ----------
urlpatterns += [
    path(
        "placeringar/<uuid:placement_id>/uppfoljning/ny/",
        views_followup.ReviewCreateView.as_view(),
        name="review_create",
    ),
    path(
        "placeringar/<uuid:placement_id>/avsluta/",
        views_followup.PlacementEndView.as_view(),
        name="placement_end",
    ),
    path("uppfoljningar/", views_followup.ReviewsDueView.as_view(), name="reviews_due"),
    path("efteruppfoljningar/", views_followup.FollowUpsDueView.as_view(), name="follow_ups_due"),
    path(
        "efteruppfoljningar/<uuid:follow_up_id>/",
        views_followup.FollowUpRecordView.as_view(),
        name="follow_up_record",
    ),
]
# --- end reviews, exit and follow-ups ----------------------------------------------------

# --- Outcome reports and anonymised exports (issue 7: casework.views_reports) ------------
urlpatterns += [
    path("rapporter/utfall/", views_reports.report, name="report"),
    path("rapporter/utfall.pdf", views_reports.report_pdf_download, name="report_pdf"),
    path("rapporter/utfall.csv", views_reports.report_csv_download, name="report_csv"),
    path("rapporter/utfall.xlsx", views_reports.report_xlsx_download, name="report_xlsx"),
    path("rapporter/exporter/", views_reports.export_list, name="export_list"),
    path("rapporter/exporter/ny/", views_reports.export_create, name="export_create"),
    path("rapporter/exporter/<uuid:export_id>/", views_reports.export_status, name="export_status"),
    path(
        "rapporter/exporter/<uuid:export_id>/status/",
        views_reports.export_progress,
        name="export_progress",
    ),
    path(
        "rapporter/exporter/<uuid:export_id>/filer/<str:filename>",
        views_reports.export_download,
        name="export_download",
    ),
]
# --- end outcome reports -------------------------------------------------------------------

# --- Progress on the participant page: notes, goals, assessments (views_progress) -------
urlpatterns += [
    path("deltagare/<uuid:participant_id>/anteckningar/", views_progress.notes, name="notes"),
    path(
        "deltagare/<uuid:participant_id>/anteckningar/ny/",
        views_progress.note_add,
        name="note_add",
    ),
    path("deltagare/<uuid:participant_id>/mal/", views_progress.goals, name="goals"),
    path("deltagare/<uuid:participant_id>/mal/nytt/", views_progress.goal_create, name="goal_add"),
    path("mal/<uuid:goal_id>/status/", views_progress.goal_status, name="goal_status"),
    path(
        "deltagare/<uuid:participant_id>/bedomningar/",
        views_progress.assessments,
        name="assessments",
    ),
    path(
        "deltagare/<uuid:participant_id>/bedomningar/ny/",
        views_progress.assessment_create,
        name="assessment_add",
    ),
]
# --- end progress --------------------------------------------------------------------------
