"""Root URLconf. Every pattern is declared in the access table (config.access)."""

from django.contrib import admin
from django.urls import include, path

from config.health import health
from desk import urls as desk
from desk import urls_memberships as desk_memberships

urlpatterns = [
    path("", desk.home_view, name="home"),
    path("", include("accounts.urls")),
    path("deltagare/", include((desk.participant_patterns, "participants"))),
    path("placeringar/", include((desk.placement_patterns, "placements"))),
    path("remisser/", include((desk.referral_patterns, "referrals"))),
    path("enheter/", include((desk.unit_patterns, "units"))),
    path("rapporter/", include((desk.report_patterns, "reports"))),
    path("granskning/", include((desk.audit_patterns, "audit"))),
    path("behorigheter/", include((desk_memberships.membership_patterns, "memberships"))),
    path("dataskydd/", include((desk.erasure_patterns, "erasure"))),
    path("aviseringar/", include((desk.notification_patterns, "notifications"))),
    path("projekt/", include((desk.funding_patterns, "funding"))),
    path("", include((desk.moved_patterns, "moved"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]
