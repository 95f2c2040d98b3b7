"""The funded-project screens: the manager's flow, re-authentication, access events,
the pre-flight check, who may open what, and the project page's query count."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.reauth import REAUTH_AT
from audit.models import AccessEvent
from funding.models import FundedProject, FunderFile, ProjectPlacement

pytestmark = pytest.mark.django_db

#: The project page: session, user, memberships, second-factor device; the project
#: with its counts; the placement ids; one batch of rows (placements with participants
#: and keys, six-month follow-ups, consents); one INSERT of the access events; the files;
#: the header's unread notifications.
PROJECT_PAGE_QUERIES = 12


def reauthenticated(client):
    session = client.session
    session[REAUTH_AT] = timezone.now().timestamp()
    session.save()
    return client


def test_manager_registers_a_project_and_records_entry_and_leaving(
    login, manager, funder, enterprise, placement
):
    client = login(manager)
    assert reverse("funding:list") in client.get(reverse("home")).content.decode()
    response = client.post(
        reverse("funding:new"),
        {
            "kind": "esf",
            "name": "Nya steg",
            "reference": "2026/777",
            "funder": funder.pk,
            "starts_on": "2026-01-01",
            "obligations": ["esf_participants", "sus"],
        },
    )
    project = FundedProject.objects.get(reference="2026/777")
    assert response.status_code == 302 and response.url == project.get_absolute_url()
    add_url = reverse("funding:placement_add", args=[project.pk])
    assert placement.participant.full_name in client.get(add_url).content.decode()
    response = client.post(add_url, {"placement": placement.pk, "joined_on": "2026-01-05"})
    membership = ProjectPlacement.objects.get(project=project)
    assert response.url == membership.get_absolute_url()

    page = client.get(membership.get_absolute_url())
    assert page.status_code == 200 and "Labour-market status at entry" in page.content.decode()
    response = client.post(
        membership.get_absolute_url(),
        {
            "step": "entry",
            "entry_status": "inactive_not_in_education",
            "education_level": "isced_3_4",
            "disability": "declined",
            "foreign_background": "no",
            "third_country_national": "no",
            "minority": "no",
            "homeless": "yes",
            "income_before": "social_assistance",
        },
    )
    assert response.status_code == 302
    response = client.post(
        membership.get_absolute_url(),
        {
            "step": "leaving",
            "left_on": "2026-01-01",
            "job_searching": "yes",
            "in_education": "no",
            "gained_qualification": "no",
            "employed_on_leaving": "no",
        },
    )
    assert "cannot leave before it joined" in response.content.decode()
    membership.refresh_from_db()
    assert membership.entry_status == "inactive_not_in_education"
    assert membership.homeless == "yes" and membership.left_on is None
    assert AccessEvent.objects.filter(
        participant_id=placement.participant_id, section="funding", action="view"
    ).exists()


def test_producing_a_file_needs_reauthentication_and_each_download_is_an_event_per_participant(
    login, manager, project, enrol, django_capture_on_commit_callbacks
):
    shared = [enrol(), enrol()]
    missing = enrol(consent=False)
    client = login(manager)
    create = reverse("funding:file_create", args=[project.pk])
    response = client.get(create)
    assert response.status_code == 302 and response.url.startswith(reverse("reauth"))
    reauthenticated(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            create, {"kind": "esf_participants", "first_month": "2026-01", "last_month": "2026-02"}
        )
    funder_file = FunderFile.objects.get(project=project)
    assert response.url == reverse("funding:file_status", args=[project.pk, funder_file.pk])
    assert funder_file.status == FunderFile.Status.DONE
    status = client.get(response.url).content.decode()
    # The one without consent is named on the page, not silently dropped.
    assert missing.placement.participant.full_name in status
    csv_name = next(name for name in funder_file.files if name.endswith(".csv"))
    download_url = reverse("funding:file_download", args=[project.pk, funder_file.pk, csv_name])
    assert download_url in status
    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    exported = set(
        AccessEvent.objects.filter(
            section="funding", action="export", object_type="funder_file"
        ).values_list("participant_id", flat=True)
    )
    assert exported == {membership.placement.participant_id for membership in shared}


def test_only_the_manager_who_produced_a_file_downloads_it(
    login, manager, project, enrol, enterprise, client
):
    from funding.files import funder_file_produce
    from funding.services import funder_file_request
    from tests.factories import user_with_role

    enrol()
    funder_file = funder_file_produce(
        funder_file=funder_file_request(
            project=project,
            kind="sus",
            first_month=date(2026, 1, 1),
            last_month=date(2026, 1, 1),
            acting_user=manager,
        )
    )
    colleague = user_with_role("manager", enterprise, username="colleague")
    client = reauthenticated(login(colleague))
    url = reverse("funding:file_download", args=[project.pk, funder_file.pk, funder_file.files[0]])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["supervisor", "case_officer", "analyst", "auditor"])
def test_other_roles_get_no_link_and_a_403(request, login, project, who):
    client = login(request.getfixturevalue(who))
    assert reverse("funding:list") not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("funding:list")).status_code == 403
    assert client.get(project.get_absolute_url()).status_code == 403


def test_another_enterprise_s_manager_gets_404(login, other_manager, project):
    assert login(other_manager).get(project.get_absolute_url()).status_code == 404


def test_preflight_lists_problems_with_links_and_missing_consent(login, manager, project, enrol):
    complete = enrol(leaving=True)
    incomplete = enrol(entry=False)
    no_consent = enrol(consent=False)
    client = login(manager)
    page = client.get(
        reverse("funding:preflight", args=[project.pk]),
        {"kind": "esf_participants", "first_month": "2026-01", "last_month": "2026-03"},
    ).content.decode()
    assert "Data at entry is incomplete." in page
    assert incomplete.get_absolute_url() + "#entry" in page
    assert no_consent.placement.participant.full_name in page
    assert complete.placement.participant.full_name not in page
    assert "Ready: 1." in page


def test_project_page_query_count_does_not_grow_with_the_placements(
    login, manager, project, enrol, django_assert_num_queries
):
    enrol()
    client = login(manager)
    client.get(project.get_absolute_url())
    with CaptureQueriesContext(connection) as one:
        client.get(project.get_absolute_url())
    assert len(one) == PROJECT_PAGE_QUERIES
    for _number in range(9):
        enrol(leaving=True)
    with django_assert_num_queries(PROJECT_PAGE_QUERIES):
        assert client.get(project.get_absolute_url()).status_code == 200


def test_an_expired_link_answers_gone(login, manager, project, enrol):
    from funding.files import funder_file_produce
    from funding.services import funder_file_request

    enrol()
    funder_file = funder_file_produce(
        funder_file=funder_file_request(
            project=project,
            kind="esf_participants",
            first_month=date(2026, 1, 1),
            last_month=date(2026, 1, 1),
            acting_user=manager,
        )
    )
    FunderFile.objects.filter(pk=funder_file.pk).update(expires_at=timezone.now())
    client = reauthenticated(login(manager))
    url = reverse("funding:file_download", args=[project.pk, funder_file.pk, funder_file.files[0]])
    response = client.get(url)
    assert response.status_code == 410
    assert "The file has expired" in response.content.decode()
    assert not AccessEvent.objects.filter(action="export", section="funding").exists()
