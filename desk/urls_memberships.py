"""/behorigheter/ — memberships waiting for a manager's approval (four eyes)."""

from django.urls import path

from .views import memberships

membership_patterns = [
    path("", memberships.pending_memberships, name="pending"),
]
