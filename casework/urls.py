from django.urls import path

from . import views_followup

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
