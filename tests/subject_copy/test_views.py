"""The copy screens: who may produce and download, re-authentication, progress,
access events, expiry, and query counts."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.reauth import REAUTH_AT
from audit.models import AccessEvent
from subject_copy.models import SubjectCopy
from subject_copy.services import subject_copy_produce
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def exports_root(tmp_path, settings):
    settings.EXPORTS_ROOT = tmp_path


def url(name, participant, copy=None):
    kwargs = {"participant_id": participant.pk}
    if copy is not None:
        kwargs["copy_id"] = copy.pk
    return reverse(f"participants:{name}", kwargs=kwargs)


def reauthenticated(client):
    session = client.session
    session[REAUTH_AT] = timezone.now().timestamp()
    session.save()
    return client


def test_manager_produces_and_downloads_the_copy(
    planted, manager, login, django_capture_on_commit_callbacks
):
    participant = planted.participant
    client = login(manager)
    # Reached from the record's tabs.
    assert (
        url("subject_copies", participant)
        in client.get(
            reverse("participants:detail", kwargs={"participant_id": participant.pk})
        ).content.decode()
    )
    list_page = client.get(url("subject_copies", participant))
    assert url("subject_copy_create", participant) in list_page.content.decode()

    # Producing needs a recent re-authentication.
    response = client.get(url("subject_copy_create", participant))
    assert response.status_code == 302 and response.url.startswith(reverse("reauth"))
    reauthenticated(client)
    assert client.get(url("subject_copy_create", participant)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url("subject_copy_create", participant))
    assert len(callbacks) == 1
    copy = SubjectCopy.objects.get(participant=participant)
    assert response.status_code == 302
    assert response.url == url("subject_copy_status", participant, copy)
    assert copy.status == SubjectCopy.Status.DONE and copy.requested_role == Role.MANAGER

    status = client.get(response.url).content.decode()
    assert url("subject_copy_download", participant, copy) in status
    download = client.get(url("subject_copy_download", participant, copy))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert 'filename="registerutdrag.zip"' in download["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert b"Qzinternal" in archive.read("registerutdrag.json")

    events = AccessEvent.objects.filter(participant_id=participant.pk, section="subject_copy")
    exports = events.filter(action="export", object_id=str(copy.pk))
    assert exports.count() == 2  # asked for, then downloaded
    assert set(exports.values_list("role", flat=True)) == {Role.MANAGER}


def test_progress_fragment_polls_until_done(planted, manager, login):
    copy = SubjectCopy.objects.create(
        participant=planted.participant, requested_by=manager, requested_role="manager"
    )
    client = login(manager)
    fragment = client.get(url("subject_copy_progress", planted.participant, copy)).content
    assert b"hx-trigger" in fragment and b"Queued" in fragment
    subject_copy_produce(copy=copy)
    fragment = client.get(url("subject_copy_progress", planted.participant, copy)).content
    assert b"hx-trigger" not in fragment
    assert url("subject_copy_download", planted.participant, copy).encode() in fragment


def test_auditor_of_the_enterprise_produces_without_seeing_the_record(
    planted, enterprise, login, django_capture_on_commit_callbacks
):
    auditor = user_with_role(Role.AUDITOR, enterprise, username="copy_auditor")
    client = reauthenticated(login(auditor))
    page = client.get(url("subject_copies", planted.participant)).content.decode()
    assert "Qzgivenaa" not in page and "Qzhealthaa" not in page
    assert str(planted.participant.pk) in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("subject_copy_create", planted.participant))
    copy = SubjectCopy.objects.get(participant=planted.participant)
    assert copy.requested_role == Role.AUDITOR
    assert client.get(url("subject_copy_download", planted.participant, copy)).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("supervisor", 403), ("case_officer", 403), ("other_manager", 404), ("analyst", 403)],
)
def test_others_may_not_produce(request, planted, login, who, status):
    user = request.getfixturevalue(who)
    client = reauthenticated(login(user))
    assert client.get(url("subject_copies", planted.participant)).status_code == status
    assert client.post(url("subject_copy_create", planted.participant)).status_code == status
    assert not SubjectCopy.objects.exists()


def test_only_the_requester_opens_a_copy(planted, manager, enterprise, login, client):
    copy = subject_copy_produce(
        copy=SubjectCopy.objects.create(
            participant=planted.participant, requested_by=manager, requested_role="manager"
        )
    )
    colleague = user_with_role(Role.MANAGER, enterprise, username="colleague_manager")
    other = reauthenticated(login(colleague))
    # The colleague sees that a copy exists, not its link.
    listing = other.get(url("subject_copies", planted.participant)).content.decode()
    assert url("subject_copy_status", planted.participant, copy) not in listing
    for name in ("subject_copy_status", "subject_copy_progress", "subject_copy_download"):
        assert other.get(url(name, planted.participant, copy)).status_code == 404


def test_download_needs_reauthentication_and_returns_to_the_status_page(planted, manager, login):
    copy = subject_copy_produce(
        copy=SubjectCopy.objects.create(
            participant=planted.participant, requested_by=manager, requested_role="manager"
        )
    )
    response = login(manager).get(url("subject_copy_download", planted.participant, copy))
    assert response.status_code == 302
    assert response.url.startswith(reverse("reauth"))
    assert "next=" + url("subject_copy_status", planted.participant, copy) in response.url
    assert not AccessEvent.objects.filter(action="export", object_id=str(copy.pk)).exists()


def test_expired_copy_answers_gone(planted, manager, login):
    copy = subject_copy_produce(
        copy=SubjectCopy.objects.create(
            participant=planted.participant, requested_by=manager, requested_role="manager"
        )
    )
    SubjectCopy.objects.filter(pk=copy.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client = reauthenticated(login(manager))
    response = client.get(url("subject_copy_download", planted.participant, copy))
    assert response.status_code == 410
    assert b"PK" not in response.content[:2]
    assert b"expired" in response.content


def _list_queries(planted, manager, login, django_assert_num_queries, count):
    for _index in range(count):
        SubjectCopy.objects.create(
            participant=planted.participant, requested_by=manager, requested_role="manager"
        )
    client = login(manager)
    client.get(url("subject_copies", planted.participant))
    # Session, user, device (3); memberships (1); the participant's access and the
    # participant (2); the copies with who asked (1); the access event (1);
    # the header's unread notifications (1).
    with django_assert_num_queries(9):
        response = client.get(url("subject_copies", planted.participant))
    assert response.content.decode().count("<tr>") == count + 1


def test_list_query_count(planted, manager, login, django_assert_num_queries):
    _list_queries(planted, manager, login, django_assert_num_queries, 2)


def test_list_query_count_does_not_grow_with_ten_times_the_copies(
    planted, manager, login, django_assert_num_queries
):
    _list_queries(planted, manager, login, django_assert_num_queries, 20)


def test_auditor_reaches_the_copy_from_the_change_history(planted, enterprise, login):
    auditor = user_with_role(Role.AUDITOR, enterprise, username="history_auditor")
    page = login(auditor).get(
        reverse("audit:participant_history", kwargs={"participant_id": planted.participant.pk})
    )
    assert url("subject_copies", planted.participant) in page.content.decode()
