"""The domain apps tell the audit app about their records at start-up."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from audit import registry


def test_every_tracked_record_of_a_participant_is_a_history_source():
    labels = [source.label for source in registry.history_sources()]
    assert labels == [
        "participants.Participant",
        "participants.Consent",
        "participants.ParticipantUserObjectPermission",
        "placements.Placement",
        "placements.PlacementSupervisor",
        "placements.PlacementUserObjectPermission",
        "placements.Attendance",
        "placements.PlacementPause",
        "casework.ProgressNote",
        "casework.Goal",
        "casework.Assessment",
        "casework.Score",
        "casework.Review",
        "casework.Exit",
        "casework.FollowUp",
        "documents.Document",
        "referrals.CaseMessage",
        "timesheets.TimeConfirmation",
        "funding.ProjectPlacement",
    ]
    assert registry.subject().model._meta.label == "participants.Participant"


def test_without_a_subject_the_registry_refuses(monkeypatch):
    monkeypatch.setattr(registry, "_subject", [])
    with pytest.raises(ImproperlyConfigured, match="no audit subject"):
        registry.subject()


def test_a_source_of_an_unregistered_owner_kind_refuses(monkeypatch):
    monkeypatch.setattr(registry, "_history_sources", list(registry._history_sources))
    registry.register_history_source(
        registry.subject().model, owner="nobody", lookup="participant_id"
    )
    with pytest.raises(ImproperlyConfigured, match="owner kind 'nobody'"):
        registry.history_sources()
