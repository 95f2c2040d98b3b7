from django.urls import path

from . import views_participants as views

app_name = "participants"

urlpatterns = [
    path("", views.participant_list, name="list"),
    path("ny/", views.participant_create_view, name="create"),
    path("<uuid:participant_id>/", views.participant_detail, name="detail"),
    path("<uuid:participant_id>/andra/", views.participant_edit, name="edit"),
    path("<uuid:participant_id>/historik/", views.participant_history, name="history"),
]
