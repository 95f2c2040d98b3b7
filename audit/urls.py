from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="events"),
    path(
        "deltagare/<uuid:participant_id>/historik/",
        views.participant_history,
        name="participant_history",
    ),
    path(
        "deltagare/<uuid:participant_id>/utdrag/",
        views.participant_extract,
        name="participant_extract",
    ),
]
