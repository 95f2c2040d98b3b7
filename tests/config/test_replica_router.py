"""Report queries go to the read replica when one is configured; everything
else, and every write, to the primary."""

import pytest
from django.test import override_settings

from config.routers import ReportReplicaRouter
from participants.models import Participant
from reports.routing import reporting

WITH_REPLICA = {"default": {"ENGINE": "x"}, "replica": {"ENGINE": "x"}}


# Only the router reads DATABASES here; no connection is opened to the fake alias.
@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_reads_inside_reporting_go_to_the_replica():
    router = ReportReplicaRouter()
    with override_settings(DATABASES=WITH_REPLICA):
        assert router.db_for_read(Participant) is None
        with reporting():
            assert router.db_for_read(Participant) == "replica"
            assert router.db_for_write(Participant) == "default"
        assert router.db_for_read(Participant) is None


def test_without_a_replica_everything_uses_the_primary():
    router = ReportReplicaRouter()
    with reporting():
        assert router.db_for_read(Participant) is None
    assert router.allow_migrate("replica", "participants") is False
    assert router.allow_migrate("default", "participants") is True


def test_outcome_report_runs_inside_reporting(monkeypatch):
    from reports import statistics

    seen = []

    def fake(**kwargs):
        from reports.routing import is_reporting

        seen.append(is_reporting())
        return {}

    monkeypatch.setattr(statistics, "_outcome_report", fake)
    statistics.outcome_report(period=None, organisation_ids=[])
    assert seen == [True]
