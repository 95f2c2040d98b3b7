"""ReportExport moved from casework to reports with its table: a database migrated
before the move migrates forward with its export rows intact (and back again)."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("casework", "0003_assessment_placement_date")]
AFTER = [("reports", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_export_rows_survive_the_move_to_reports(django_user_model):
    try:
        old_apps = _migrate(BEFORE)
        old_export = old_apps.get_model("casework", "ReportExport")
        user = old_apps.get_model("accounts", "User").objects.create(username="exporter")
        export_id = uuid.uuid4()
        old_export.objects.create(
            id=export_id,
            created_by_id=user.pk,
            created_role="analyst",
            parameters={"period": "2026-01:2026-06"},
            status="done",
            progress=100,
            files=["tables.csv"],
        )

        new_apps = _migrate(AFTER)
        moved = new_apps.get_model("reports", "ReportExport").objects.get(pk=export_id)
        assert (moved.created_by_id, moved.status, moved.progress, moved.files) == (
            user.pk,
            "done",
            100,
            ["tables.csv"],
        )
        assert moved.parameters == {"period": "2026-01:2026-06"}
        assert new_apps.get_model("reports", "ReportExport")._meta.db_table == (
            "casework_reportexport"
        )
        with pytest.raises(LookupError):
            new_apps.get_model("casework", "ReportExport")

        # And back: the rows are still there under casework.
        back = _migrate(BEFORE).get_model("casework", "ReportExport")
        assert back.objects.filter(pk=export_id).exists()
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
