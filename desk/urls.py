"""The screens' URLs, one scheme by resource (Swedish paths).

Everything about a participant is under ``/deltagare/<id>/``, a placement's
actions under ``/placeringar/<id>/``, a unit's attendance under
``/enheter/<id>/narvaro/<week>/``, reports under ``/rapporter/`` and the
auditor's screens under ``/granskning/``. ``config.urls`` mounts each list
under its namespace; ``config.access`` declares who may use each name.
Addresses used before this scheme answer with a permanent redirect
(``moved_patterns``).
"""

from datetime import date

from django.urls import path, register_converter

from .moved import follow_up_moved, goal_status_moved, moved
from .views import (
    audit,
    documents,
    followup,
    home,
    notifications,
    participants,
    placements,
    progress,
    referrals,
    reports,
    units,
)
from .views import consents as consent_views
from .views import erasure as erasure_views
from .views import funding as funding_views
from .views import messages as message_views
from .views import subject_copy as subject_copy_views
from .views import timesheets as timesheet_views


class IsoDateConverter:
    """A calendar date as YYYY-MM-DD; an impossible date does not match (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)  # ValueError: no match

    def to_url(self, value: date) -> str:
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

home_view = home.HomeView.as_view()

#: /deltagare/ — the participant list and each participant's record with its tabs.
participant_patterns = [
    path("", participants.participant_list, name="list"),
    path("ny/", participants.participant_create_view, name="create"),
    path("efteruppfoljningar/", followup.FollowUpsDueView.as_view(), name="follow_ups_due"),
    path("<uuid:participant_id>/", participants.participant_detail, name="detail"),
    path("<uuid:participant_id>/andra/", participants.participant_edit, name="edit"),
    path("<uuid:participant_id>/historik/", participants.participant_history, name="history"),
    path("<uuid:participant_id>/anteckningar/", progress.notes, name="notes"),
    path("<uuid:participant_id>/anteckningar/ny/", progress.note_add, name="note_add"),
    path("<uuid:participant_id>/mal/", progress.goals, name="goals"),
    path("<uuid:participant_id>/mal/nytt/", progress.goal_create, name="goal_add"),
    path(
        "<uuid:participant_id>/mal/<uuid:goal_id>/status/",
        progress.goal_status,
        name="goal_status",
    ),
    path("<uuid:participant_id>/bedomningar/", progress.assessments, name="assessments"),
    path(
        "<uuid:participant_id>/bedomningar/ny/",
        progress.assessment_create,
        name="assessment_add",
    ),
    path(
        "<uuid:participant_id>/efteruppfoljningar/<uuid:follow_up_id>/",
        followup.FollowUpRecordView.as_view(),
        name="follow_up_record",
    ),
    # Consents, and the participant's own copy of their data (Art. 15 and 20).
    path("<uuid:participant_id>/samtycken/", consent_views.consents, name="consents"),
    path("<uuid:participant_id>/samtycken/nytt/", consent_views.consent_add, name="consent_add"),
    path(
        "<uuid:participant_id>/samtycken/<uuid:consent_id>/aterkalla/",
        consent_views.consent_withdraw_view,
        name="consent_withdraw",
    ),
    path(
        "<uuid:participant_id>/registerutdrag/",
        subject_copy_views.subject_copies,
        name="subject_copies",
    ),
    path(
        "<uuid:participant_id>/registerutdrag/nytt/",
        subject_copy_views.subject_copy_create,
        name="subject_copy_create",
    ),
    path(
        "<uuid:participant_id>/registerutdrag/<uuid:copy_id>/",
        subject_copy_views.subject_copy_status,
        name="subject_copy_status",
    ),
    path(
        "<uuid:participant_id>/registerutdrag/<uuid:copy_id>/status/",
        subject_copy_views.subject_copy_progress,
        name="subject_copy_progress",
    ),
    path(
        "<uuid:participant_id>/registerutdrag/<uuid:copy_id>/registerutdrag.zip",
        subject_copy_views.subject_copy_download,
        name="subject_copy_download",
    ),
]

#: /deltagare/<id>/dokument/ — the record's documents (encrypted files): list, upload,
#: download, delete. Mounted with the participant's other tabs.
document_patterns = [
    path("<uuid:participant_id>/dokument/", documents.document_list, name="documents"),
    path(
        "<uuid:participant_id>/dokument/ny/",
        documents.document_upload_view,
        name="document_upload",
    ),
    path(
        "<uuid:participant_id>/dokument/<uuid:document_id>/",
        documents.document_download,
        name="document_download",
    ),
    path(
        "<uuid:participant_id>/dokument/<uuid:document_id>/ta-bort/",
        documents.document_delete_view,
        name="document_delete",
    ),
]
participant_patterns += document_patterns

#: /placeringar/ — placements, referrals and every action on one placement.
placement_patterns = [
    path("", placements.PlacementListView.as_view(), name="list"),
    path("remiss/ny/", placements.ReferralCreateView.as_view(), name="referral_create"),
    path("uppfoljningar/", followup.ReviewsDueView.as_view(), name="reviews_due"),
    path("<uuid:placement_id>/", placements.PlacementDetailView.as_view(), name="detail"),
    path("<uuid:placement_id>/starta/", placements.PlacementStartView.as_view(), name="start"),
    path("<uuid:placement_id>/plan/", placements.PlanEditView.as_view(), name="plan_edit"),
    path(
        "<uuid:placement_id>/plan/beslut/",
        placements.PlanDecideView.as_view(),
        name="plan_decide",
    ),
    path(
        "<uuid:placement_id>/meddelanden/",
        message_views.placement_messages,
        name="messages",
    ),
    path("<uuid:placement_id>/pausa/", placements.PlacementPauseView.as_view(), name="pause"),
    path("<uuid:placement_id>/ateruppta/", placements.PlacementResumeView.as_view(), name="resume"),
    path(
        "<uuid:placement_id>/handledare/",
        placements.SupervisorsChangeView.as_view(),
        name="supervisors",
    ),
    path("<uuid:placement_id>/enhet/", placements.UnitChangeView.as_view(), name="change_unit"),
    path(
        "<uuid:placement_id>/uppfoljning/ny/",
        followup.ReviewCreateView.as_view(),
        name="review_create",
    ),
    path("<uuid:placement_id>/avsluta/", followup.PlacementEndView.as_view(), name="end"),
    path(
        "<uuid:placement_id>/narvaro/<int:year>-<int:month>.pdf",
        placements.AttendanceMonthPdfView.as_view(),
        name="attendance_month_pdf",
    ),
    path(
        "<uuid:placement_id>/tid/<int:year>-<int:month>/",
        timesheet_views.confirm_month,
        name="time_confirm",
    ),
    path(
        "<uuid:placement_id>/tid/<int:year>-<int:month>/bestridd/",
        timesheet_views.resolve_dispute,
        name="time_dispute",
    ),
]

#: /enheter/ — the user's units (the menu's "Attendance"); a unit's attendance, a week at a time.
unit_patterns = [
    path("narvaro/", units.attendance_units, name="attendance"),
    path(
        "<uuid:unit_id>/narvaro/<isodate:week>/",
        placements.AttendanceWeekView.as_view(),
        name="attendance_week",
    ),
    path(
        "<uuid:unit_id>/tid/<int:year>-<int:month>/",
        timesheet_views.unit_month,
        name="time_month",
    ),
    path("bestridd-narvaro/", timesheet_views.disputes, name="time_disputes"),
]

#: /rapporter/ — outcome reports (aggregates) and anonymised exports.
report_patterns = [
    path("utfall/", reports.report, name="outcome"),
    path("utfall.pdf", reports.report_pdf_download, name="outcome_pdf"),
    path("utfall.csv", reports.report_csv_download, name="outcome_csv"),
    path("utfall.xlsx", reports.report_xlsx_download, name="outcome_xlsx"),
    path("exporter/", reports.export_list, name="export_list"),
    path("exporter/ny/", reports.export_create, name="export_create"),
    path("exporter/<uuid:export_id>/", reports.export_status, name="export_status"),
    path("exporter/<uuid:export_id>/status/", reports.export_progress, name="export_progress"),
    path(
        "exporter/<uuid:export_id>/filer/<str:filename>",
        reports.export_download,
        name="export_download",
    ),
]

#: /granskning/ — the auditor's screens.
audit_patterns = [
    path("", audit.event_list, name="events"),
    path(
        "deltagare/<uuid:participant_id>/historik/",
        audit.participant_history,
        name="participant_history",
    ),
    path(
        "deltagare/<uuid:participant_id>/utdrag/",
        audit.participant_extract,
        name="participant_extract",
    ),
]

#: Addresses of the earlier scheme (bookmarks, links in e-mails): permanent redirects.
moved_patterns = [
    path(
        "arbete/deltagare/<uuid:participant_id>/anteckningar/",
        moved("participants:notes"),
        name="notes",
    ),
    path(
        "arbete/deltagare/<uuid:participant_id>/anteckningar/ny/",
        moved("participants:note_add"),
        name="note_add",
    ),
    path("arbete/deltagare/<uuid:participant_id>/mal/", moved("participants:goals"), name="goals"),
    path(
        "arbete/deltagare/<uuid:participant_id>/mal/nytt/",
        moved("participants:goal_add"),
        name="goal_add",
    ),
    path("arbete/mal/<uuid:goal_id>/status/", goal_status_moved, name="goal_status"),
    path(
        "arbete/deltagare/<uuid:participant_id>/bedomningar/",
        moved("participants:assessments"),
        name="assessments",
    ),
    path(
        "arbete/deltagare/<uuid:participant_id>/bedomningar/ny/",
        moved("participants:assessment_add"),
        name="assessment_add",
    ),
    path(
        "arbete/placeringar/<uuid:placement_id>/uppfoljning/ny/",
        moved("placements:review_create"),
        name="review_create",
    ),
    path(
        "arbete/placeringar/<uuid:placement_id>/avsluta/",
        moved("placements:end"),
        name="placement_end",
    ),
    path("arbete/uppfoljningar/", moved("placements:reviews_due"), name="reviews_due"),
    path(
        "arbete/efteruppfoljningar/",
        moved("participants:follow_ups_due"),
        name="follow_ups_due",
    ),
    path(
        "arbete/efteruppfoljningar/<uuid:follow_up_id>/",
        follow_up_moved,
        name="follow_up_record",
    ),
    path("arbete/rapporter/utfall/", moved("reports:outcome"), name="report"),
    path("arbete/rapporter/utfall.pdf", moved("reports:outcome_pdf"), name="report_pdf"),
    path("arbete/rapporter/utfall.csv", moved("reports:outcome_csv"), name="report_csv"),
    path("arbete/rapporter/utfall.xlsx", moved("reports:outcome_xlsx"), name="report_xlsx"),
    path("arbete/rapporter/exporter/", moved("reports:export_list"), name="export_list"),
    path("arbete/rapporter/exporter/ny/", moved("reports:export_create"), name="export_create"),
    path(
        "arbete/rapporter/exporter/<uuid:export_id>/",
        moved("reports:export_status"),
        name="export_status",
    ),
    path(
        "arbete/rapporter/exporter/<uuid:export_id>/status/",
        moved("reports:export_progress"),
        name="export_progress",
    ),
    path(
        "arbete/rapporter/exporter/<uuid:export_id>/filer/<str:filename>",
        moved("reports:export_download"),
        name="export_download",
    ),
    path(
        "placeringar/enheter/<uuid:unit_id>/narvaro/<isodate:week>/",
        moved("units:attendance_week"),
        name="attendance_week",
    ),
]

#: /dataskydd/ — erasure requests and decisions, retention review and policy.
erasure_patterns = [
    path("", erasure_views.erasure_list, name="list"),
    path("radering/<uuid:erasure_id>/", erasure_views.erasure_detail, name="detail"),
    path("radering/<uuid:erasure_id>/beslut/", erasure_views.erasure_decide, name="decide"),
    path(
        "deltagare/<uuid:participant_id>/radering/",
        erasure_views.erasure_request_create,
        name="request",
    ),
    path("deltagare/<uuid:participant_id>/bevarande/", erasure_views.hold_add, name="hold_add"),
    path("gallring/", erasure_views.retention_due, name="retention"),
    path("gallring/regler/", erasure_views.retention_policy, name="retention_policy"),
    path(
        "gallring/<uuid:participant_id>/",
        erasure_views.retention_decide,
        name="retention_decide",
    ),
]


#: /remisser/ — referrals sent by agencies' case officers, and the answers of the
#: enterprises' managers.
referral_patterns = [
    path("", referrals.referral_list, name="list"),
    path("ny/", referrals.referral_create, name="create"),
    path("<uuid:referral_id>/", referrals.referral_detail, name="detail"),
    path("<uuid:referral_id>/godta/", referrals.referral_accept, name="accept"),
    path(
        "<uuid:referral_id>/komplettering/",
        referrals.referral_request_information,
        name="request_information",
    ),
    path("<uuid:referral_id>/avsla/", referrals.referral_decline, name="decline"),
    path("<uuid:referral_id>/svar/", referrals.referral_supplement, name="supplement"),
    path("<uuid:referral_id>/aterkalla/", referrals.referral_withdraw, name="withdraw"),
]

#: /aviseringar/ — the user's own notifications and how they want to be told.
notification_patterns = [
    path("", notifications.notification_list, name="list"),
    path("<uuid:notification_id>/oppna/", notifications.notification_open, name="open"),
    path("las-alla/", notifications.notifications_read_all, name="read_all"),
    path("installningar/", notifications.notification_preferences, name="preferences"),
]

funding_patterns = [
    path("", funding_views.project_list, name="list"),
    path("ny/", funding_views.project_new, name="new"),
    path("<uuid:project_id>/", funding_views.project_detail, name="detail"),
    path("<uuid:project_id>/placeringar/ny/", funding_views.placement_add, name="placement_add"),
    path(
        "<uuid:project_id>/placeringar/<uuid:membership_id>/",
        funding_views.membership_detail,
        name="membership",
    ),
    path("<uuid:project_id>/kontroll/", funding_views.project_preflight, name="preflight"),
    path("<uuid:project_id>/filer/ny/", funding_views.file_create, name="file_create"),
    path("<uuid:project_id>/filer/<uuid:file_id>/", funding_views.file_status, name="file_status"),
    path(
        "<uuid:project_id>/filer/<uuid:file_id>/status/",
        funding_views.file_progress,
        name="file_progress",
    ),
    path(
        "<uuid:project_id>/filer/<uuid:file_id>/<str:filename>",
        funding_views.file_download,
        name="file_download",
    ),
]
