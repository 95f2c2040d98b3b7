"""Root URLconf. Every pattern is declared in the access table (accounts.access)."""

from django.contrib import admin
from django.urls import include, path

from casework.views_home import HomeView
from config.health import health

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("", include("accounts.urls")),
    path("deltagare/", include("casework.urls_participants")),
    path("placeringar/", include("placements.urls")),
    path("arbete/", include("casework.urls")),
    path("granskning/", include("audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]
