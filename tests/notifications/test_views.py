"""The notification list, opening one, marking all read, the preferences page and the
menu's count: each user sees only their own, in a pinned number of queries."""

import pytest
from django.urls import reverse

from notifications.kinds import Delivery, Kind
from notifications.models import Notification, Preference
from notifications.services import notify

LIST = reverse("notifications:list")


def tell(user, kind=Kind.REFERRAL_RECEIVED, url="/remisser/", times=1):
    for _ in range(times):
        notify(kind=kind, recipients=[user], url=url)


def test_list_shows_the_kinds_and_the_count(login, manager):
    tell(manager, times=2)
    tell(manager, kind=Kind.EXPORT_READY, url="/rapporter/exporter/")
    page = login(manager).get(LIST)
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count("New referral") == 2
    assert "Export ready" in body
    assert '<span class="notification-badge">3</span>' in body


def test_list_in_swedish(client, signed_in, manager):
    tell(manager)
    signed_in(client, manager)
    body = client.get(LIST).content.decode()
    assert "Ny remiss" in body
    assert "Aviseringar" in body


@pytest.mark.parametrize("rows", [1, 10])
def test_list_queries_do_not_grow(login, manager, django_assert_num_queries, rows):
    tell(manager, times=rows)
    client = login(manager)
    # Session, user, memberships (access table), OTP device; the paginator's count, the
    # menu's unread count, the page's rows; the session's lifetime stamp (savepoint,
    # update, release). The same for 1 and 10 notifications.
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(LIST).status_code == 200


LIST_QUERIES = 10


def test_open_marks_read_and_goes_to_the_item(login, manager):
    tell(manager, url="/remisser/")
    notification = Notification.objects.get(recipient=manager)
    response = login(manager).post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/remisser/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_users_notification_is_not_found(
    login, manager, other_case_officer, other_supervisor, analyst
):
    """A case officer of another agency, a supervisor of another enterprise and an
    analyst: 404 on the manager's notification, and none of it in their lists."""
    tell(manager)
    notification = Notification.objects.get(recipient=manager)
    for user in (other_case_officer, other_supervisor, analyst):
        client = login(user)
        response = client.post(reverse("notifications:open", args=[notification.pk]))
        assert response.status_code == 404
        assert "New referral" not in client.get(LIST).content.decode()
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read(login, manager, case_officer):
    tell(manager, times=3)
    tell(case_officer)
    client = login(manager)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=manager, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=case_officer, read_at__isnull=True).exists()
    assert "notification-badge" not in client.get(LIST).content.decode()


def test_preferences(login, manager):
    client = login(manager)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    data = {kind: page.context["form"][kind].initial for kind in Kind.values}
    data[Kind.MESSAGE_RECEIVED] = Delivery.IMMEDIATE
    client.post(reverse("notifications:preferences"), data)
    assert Preference.objects.get(user=manager, kind=Kind.MESSAGE_RECEIVED).delivery == (
        Delivery.IMMEDIATE
    )
    data[Kind.MESSAGE_RECEIVED] = "carrier pigeon"
    page = client.post(reverse("notifications:preferences"), data)
    assert page.status_code == 200
    assert page.context["form"].errors


def test_header_links_to_the_list_from_the_home_page(login, case_officer):
    body = login(case_officer).get(reverse("home")).content.decode()
    assert f'href="{LIST}"' in body


def test_services_refuse_another_users_notifications(manager, case_officer):
    from django.core.exceptions import PermissionDenied

    from notifications.services import notification_mark_read, preferences_set

    tell(manager)
    notification = Notification.objects.get(recipient=manager)
    with pytest.raises(PermissionDenied):
        notification_mark_read(notification=notification, acting_user=case_officer)
    with pytest.raises(PermissionDenied):
        preferences_set(
            user=manager,
            deliveries={Kind.REFERRAL_RECEIVED: Delivery.IN_APP},
            acting_user=case_officer,
        )
    notification.refresh_from_db()
    assert notification.read_at is None
    assert not Preference.objects.exists()
