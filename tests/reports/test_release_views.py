"""The export screen records each release, audits it with the earlier ones to the same
funder, shows what was withheld, and says in Swedish why a release was refused."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from reports.differencing import MAX_JOINT_RELEASES
from reports.models import Release, ReportExport
from tests.reports.helpers import signed_in

FORM = {"period_from": "2026-01", "period_to": "2026-06", "threshold": 5}


@pytest.fixture(autouse=True)
def exports_root(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"


def export(client, django_capture_on_commit_callbacks, **extra) -> ReportExport:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:export_create"), {**FORM, **extra})
    assert response.status_code == 302
    return ReportExport.objects.order_by("-created_at").first()


def test_each_release_is_recorded_for_the_analysts_funder_and_audited_with_the_last(
    client, dataset, analyst, funder, django_capture_on_commit_callbacks
):
    dataset.enterprise.statistics_shared_with.add(funder)
    signed_in(client, analyst, reauthenticated=True)
    first = export(client, django_capture_on_commit_callbacks, grouping="detailed")
    assert first.status == "done", first.error
    release = Release.objects.get(export=first)
    assert (release.recipient, release.created_by, release.grouping) == (
        funder,
        analyst,
        "detailed",
    )
    assert release.organisation_ids == [str(dataset.enterprise.pk)]
    assert (release.first_month, release.last_month) == (date(2026, 1, 1), date(2026, 6, 1))
    assert len(release.digest) == 64 and release.tables
    page = client.get(reverse("reports:export_status", args=[first.pk])).content.decode()
    assert "Vad som undanhölls" in page  # Swedish by default
    second = export(client, django_capture_on_commit_callbacks, grouping="merged")
    assert second.status == "done", second.error
    later = Release.objects.get(export=second)
    assert later.summary["audited_with_earlier_releases"] == [str(release.pk)]
    assert later.grouping == "merged"


def test_a_release_that_cannot_be_protected_is_refused_with_the_reason_in_swedish(
    client, dataset, analyst, funder, django_capture_on_commit_callbacks
):
    dataset.enterprise.statistics_shared_with.add(funder)
    for _ in range(MAX_JOINT_RELEASES + 1):
        Release.objects.create(
            created_role="analyst",
            recipient=funder,
            organisation_ids=[str(dataset.enterprise.pk)],
            first_month=date(2026, 3, 1),
            last_month=date(2026, 8, 1),
            as_of=date(2026, 8, 31),
            threshold=5,
            digest="0" * 64,
        )
    signed_in(client, analyst, reauthenticated=True)
    with translation.override("sv"):
        refused = export(client, django_capture_on_commit_callbacks)
    assert refused.status == "failed" and refused.refusal.startswith("Exporten kan inte skyddas")
    assert not Release.objects.filter(export=refused).exists()
    fragment = client.get(reverse("reports:export_progress", args=[refused.pk])).content.decode()
    assert "Exporten kan inte skyddas" in fragment and "tidigare utlämningar" in fragment
