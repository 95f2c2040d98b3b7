"""Report and export views: who may use them, the background export, audited downloads."""

import uuid
from datetime import date
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.utils.html import escape

from accounts.models import Role
from accounts.reauth import DEFAULT_MAX_AGE_SECONDS, REAUTH_AT
from audit.models import AccessEvent
from config.access import rule_for
from notifications.kinds import Kind
from notifications.models import Notification
from reports.models import ReportExport
from tests.accounts.signin_helpers import PASSWORD, sign_in, totp_code
from tests.factories import OrganisationFactory, user_with_role
from tests.reports.helpers import signed_in

QUERY = {"period_from": "2026-01", "period_to": "2026-06"}


@pytest.fixture(autouse=True)
def exports_root(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"


def test_manager_sees_the_report_with_charts(client, dataset, manager):
    signed_in(client, manager)
    response = client.get(reverse("reports:outcome"), QUERY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "<title" in body and "<desc" in body
    assert "style=" not in body.split("<main", 1)[1] and "<script" not in body.split("<main", 1)[1]
    assert "Kaffekvarnen ASF" in body


@pytest.mark.parametrize("name", ["outcome_pdf", "outcome_csv", "outcome_xlsx"])
def test_every_report_download_is_one_access_event(client, dataset, manager, name):
    signed_in(client, manager, reauthenticated=True)
    before = AccessEvent.objects.count()
    response = client.get(reverse(f"reports:{name}"), QUERY)
    assert response.status_code == 200
    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.latest("occurred_at")
    assert (event.action, event.section, event.object_type) == (
        "export",
        "outcome_report",
        "outcome_report",
    )
    if name == "outcome_pdf":
        assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("token", "echoed"),
    [("0123456789abcdef", True), ("", False), ("<script>", False), ("A" * 16, False)],
)
def test_a_download_echoes_the_pages_token_in_a_short_cookie(
    client, dataset, manager, token, echoed
):
    signed_in(client, manager, reauthenticated=True)
    response = client.get(reverse("reports:outcome_csv"), {**QUERY, "download": token})
    assert response.status_code == 200
    cookie = response.cookies.get("stegvis_download")
    if not echoed:
        assert cookie is None
        return
    assert cookie.value == token
    assert cookie["max-age"] == 120 and cookie["samesite"] == "Strict" and not cookie["httponly"]


def test_the_report_page_marks_its_downloads_for_the_progress_message(client, dataset, manager):
    signed_in(client, manager, reauthenticated=True)
    body = client.get(reverse("reports:outcome"), QUERY).content.decode()
    assert body.count("data-download>") == 3
    assert 'data-download-status role="status"' in body
    preparing = "Filen tas fram. För många verksamheter kan det ta en halv minut."
    assert f'data-busy-message="{preparing}"' in body


# --- re-authentication before the named report's files ----------------------------------


def _report_page(**extra) -> str:
    return f"{reverse('reports:outcome')}?{urlencode({**QUERY, **extra})}"


@pytest.mark.parametrize("name", ["outcome_pdf", "outcome_csv", "outcome_xlsx"])
def test_a_report_download_needs_a_recent_reauthentication(client, dataset, manager, name):
    """SECURITY.md: re-authentication before exports, the named report's files included."""
    signed_in(client, manager)
    before = AccessEvent.objects.count()

    response = client.get(reverse(f"reports:{name}"), {**QUERY, "download": "0123456789abcdef"})

    # To the confirmation, and from there back to the report page (not to the file:
    # a download after the detour would leave the browser on the form).
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("reauth")
    assert parse_qs(location.query) == {"next": [_report_page()]}
    assert "stegvis_download" not in response.cookies
    assert AccessEvent.objects.count() == before  # nothing was handed out


def test_a_reauthentication_older_than_five_minutes_does_not_count(client, dataset, manager):
    signed_in(client, manager, reauthenticated=True)
    session = client.session
    session[REAUTH_AT] -= DEFAULT_MAX_AGE_SECONDS + 1
    session.save()
    response = client.get(reverse("reports:outcome_pdf"), QUERY)
    assert response.status_code == 302 and reverse("reauth") in response["Location"]


def test_the_report_page_sends_to_the_confirmation_before_the_files(client, dataset, manager):
    signed_in(client, manager)
    body = client.get(reverse("reports:outcome"), QUERY).content.decode()
    assert "data-download>" not in body and reverse("reports:outcome_pdf") not in body
    confirm = escape(f"{reverse('reauth')}?next={quote(_report_page())}")
    assert body.count(f'href="{confirm}"') == 3
    assert "bekräftar du ditt lösenord och en kod" in body


def test_after_confirming_the_report_page_offers_the_files(client, dataset, manager):
    """The whole detour: file link, confirmation with password and code, report page, file."""
    device = sign_in(client, manager)
    response = client.get(reverse("reports:outcome_pdf"), {**QUERY, "download": "a1b2c3d4e5f6a7b8"})

    response = client.post(
        response["Location"],
        {"password": PASSWORD, "code": totp_code(device), "next": _report_page()},
    )
    assert response.status_code == 302 and response["Location"] == _report_page()
    assert client.get(response["Location"]).content.decode().count("data-download>") == 3

    response = client.get(reverse("reports:outcome_pdf"), {**QUERY, "download": "a1b2c3d4e5f6a7b8"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.cookies["stegvis_download"].value == "a1b2c3d4e5f6a7b8"


def test_manager_cannot_report_on_another_enterprise(client, dataset, manager):
    signed_in(client, manager)
    response = client.get(
        reverse("reports:outcome"), {**QUERY, "organisation": str(dataset.other_enterprise.pk)}
    )
    # Not one of the form's choices: the form refuses it and no report is computed.
    assert response.status_code == 200
    assert "report" not in response.context or response.context.get("report") is None
    assert b"<svg" not in response.content


def test_analyst_cannot_download_the_named_report(client, dataset, analyst):
    signed_in(client, analyst)
    for name in ("outcome_pdf", "outcome_csv", "outcome_xlsx"):
        assert client.get(reverse(f"reports:{name}"), QUERY).status_code == 403


def test_analyst_sees_the_scope_and_the_way_to_a_release_not_tables(
    client, dataset, analyst, funder
):
    """The analyst's report page answers 200 with their scope; tables only as audited releases."""
    signed_in(client, analyst)
    response = client.get(reverse("reports:outcome"), QUERY)
    assert response.status_code == 200
    assert list(response.context["organisations"]) == []
    assert "Inget företag delar ännu sin statistik" in response.content.decode()
    dataset.enterprise.statistics_shared_with.add(funder)
    response = client.get(reverse("reports:outcome"), QUERY)
    assert response.status_code == 200
    assert [org.name for org in response.context["organisations"]] == [dataset.enterprise.name]
    page = response.content.decode()
    assert dataset.other_enterprise.name not in page
    assert reverse("reports:export_create") in page
    # Tables computed here would escape the joint audit of releases to this funder.
    assert "tables" not in response.context and "<svg" not in page


def test_export_needs_recent_reauthentication(client, dataset, analyst):
    signed_in(client, analyst)
    response = client.get(reverse("reports:export_create"))
    assert response.status_code == 302 and reverse("reauth") in response["Location"]


def test_analyst_exports_only_shared_enterprises_in_the_background(
    client, dataset, analyst, funder, django_capture_on_commit_callbacks
):
    dataset.enterprise.statistics_shared_with.add(funder)
    signed_in(client, analyst, reauthenticated=True)
    refused = client.post(
        reverse("reports:export_create"),
        {**QUERY, "threshold": 5, "organisation": [str(dataset.other_enterprise.pk)]},
    )
    assert refused.status_code == 200  # not a choice for this analyst: a form error
    assert not ReportExport.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("reports:export_create"), {**QUERY, "threshold": 5})
    # The task is enqueued once the request commits; the task (run at once by the
    # immediate backend) tells the analyst the export is ready once it commits.
    assert len(callbacks) == 2
    export = ReportExport.objects.get()
    assert Notification.objects.get(recipient=analyst).kind == Kind.EXPORT_READY
    assert response.status_code == 302
    assert export.parameters["organisation_ids"] == [str(dataset.enterprise.pk)]
    # The immediate task backend ran the task on commit.
    export.refresh_from_db()
    assert (export.status, export.progress, export.created_role) == ("done", 100, Role.ANALYST)
    status = client.get(reverse("reports:export_status", args=[export.pk]))
    assert b"<progress" in status.content
    fragment = client.get(reverse("reports:export_progress", args=[export.pk]))
    assert b"hx-trigger" not in fragment.content  # done: polling stops
    before = AccessEvent.objects.count()
    for name in export.files:
        download = client.get(reverse("reports:export_download", args=[export.pk, name]))
        assert download.status_code == 200
        b"".join(download.streaming_content)
    assert AccessEvent.objects.count() == before + len(export.files)
    assert set(
        AccessEvent.objects.filter(object_type="export").values_list("object_id", flat=True)
    ) == {f"{export.pk}/{name}" for name in export.files}


def test_a_running_export_is_polled_with_htmx(client, dataset, manager):
    export = ReportExport.objects.create(
        created_by=manager, created_role="manager", parameters={"period": "2026-01:2026-06"}
    )
    signed_in(client, manager)
    fragment = client.get(reverse("reports:export_progress", args=[export.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "<progress" in fragment


def test_someone_elses_export_is_404(client, dataset, manager, enterprise):
    export = ReportExport.objects.create(
        created_by=manager,
        created_role="manager",
        status="done",
        progress=100,
        files=["tables.json"],
        parameters={},
    )
    other_manager = user_with_role(Role.MANAGER, enterprise, username="second_manager")
    signed_in(client, other_manager)
    assert client.get(reverse("reports:export_status", args=[export.pk])).status_code == 404
    url = reverse("reports:export_download", args=[export.pk, "tables.json"])
    assert client.get(url).status_code == 404


def test_analyst_without_shared_enterprises_has_nothing_to_export(client, dataset):
    lonely_funder = OrganisationFactory(kind="funder", name="Tillväxtverket")
    lonely = user_with_role(Role.ANALYST, lonely_funder, username="lonely_analyst")
    signed_in(client, lonely, reauthenticated=True)
    response = client.post(reverse("reports:export_create"), {**QUERY, "threshold": 5})
    assert response.status_code == 403


def _sample_for(converter):
    """A value another engineer's converter accepts (a date, text or a number)."""
    for candidate in (date(2026, 1, 5), "x", 1):
        try:
            converter.to_url(candidate)
        except (AttributeError, TypeError, ValueError):
            continue
        return candidate
    raise AssertionError(f"no sample value for {converter!r}")


def _person_level_urls():
    def walk(resolver, namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{namespace}{entry.name}", entry

    for name, pattern in walk(get_resolver()):
        rule = rule_for(name)
        if rule is not None and rule.shows_person_data:
            yield name, pattern, rule


def test_analyst_reaches_no_person_level_page(client, dataset, analyst, funder):
    """The matrix: every URL the access table marks as showing person data."""
    dataset.enterprise.statistics_shared_with.add(funder)
    signed_in(client, analyst)
    placement = dataset.placements["p1"]
    ids = {
        "participant_id": placement.participant_id,
        "placement_id": placement.pk,
    }
    checked = 0
    for name, pattern, rule in _person_level_urls():
        if not rule.roles:
            # Any signed-in user (the home page): it lists the user's own work only.
            continue
        kwargs = {}
        for key, converter in pattern.pattern.converters.items():
            if isinstance(converter, IntConverter):
                kwargs[key] = {"year": 2026, "month": 1}.get(key, 1)
            elif isinstance(converter, UUIDConverter):
                kwargs[key] = ids.get(key, uuid.uuid4())
            else:
                kwargs[key] = _sample_for(converter)
        url = reverse(name, kwargs=kwargs)
        for method in (client.get, client.post):
            status = method(url).status_code
            assert status in (403, 404, 405), f"analyst got {status} on {name}"
        checked += 1
    assert Role.ANALYST not in set().union(*(rule.roles for _n, _p, rule in _person_level_urls()))
    # Without other engineers' person-level URLs the matrix is empty; with them, all refused.
    assert checked == sum(1 for _n, _p, rule in _person_level_urls() if rule.roles)
