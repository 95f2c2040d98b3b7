"""The manager's screen for access requests: approve or refuse a pending
membership at their enterprise; never their own request or their own role."""

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from accounts.roles import current_roles
from accounts.services import membership_request
from audit.models import AccessEvent
from tests.factories import UserFactory

URL = reverse("memberships:pending")


@pytest.fixture
def pending(admin_user, enterprise):
    newcomer = UserFactory(username="newcomer", first_name="Nora", last_name="Nykomling")
    return membership_request(
        user=newcomer, organisation=enterprise, role=Role.SUPERVISOR, acting_user=admin_user
    )


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_the_manager_sees_the_request_on_home_menu_and_screen(pending, manager, login):
    client = login(manager)
    home = client.get(reverse("home")).content.decode()
    assert URL in home  # the home card and the menu entry
    assert "1 role waits for your approval." in home
    page = client.get(URL)
    assert page.status_code == 200
    assert [row["membership"] for row in page.context["rows"]] == [pending]
    assert "Nora Nykomling" in page.content.decode()


def test_no_card_and_an_empty_screen_without_requests(manager, login):
    client = login(manager)
    assert "Review access requests" not in client.get(reverse("home")).content.decode()
    assert "No access requests are waiting." in client.get(URL).content.decode()


def test_another_enterprise_s_manager_sees_nothing_and_cannot_decide(pending, other_manager, login):
    client = login(other_manager)
    assert client.get(URL).context["rows"] == []
    response = client.post(URL, {"membership": pending.pk, "decision": "approve"})
    assert response.status_code == 404
    assert Membership.objects.get(pk=pending.pk).approved_at is None


def test_approve_puts_the_role_in_force_and_is_an_access_change(pending, manager, login):
    response = login(manager).post(URL, {"membership": pending.pk, "decision": "approve"})
    assert response.status_code == 302
    approved = Membership.objects.get(pk=pending.pk)
    assert approved.approved_by == manager
    assert current_roles(_fresh(pending.user)) == {Role.SUPERVISOR}
    event = AccessEvent.objects.filter(action="access_change").latest("id")
    assert (event.section, event.user_id) == ("approved", manager.pk)


def test_refuse_ends_the_request_unused(pending, manager, login):
    login(manager).post(URL, {"membership": pending.pk, "decision": "refuse"})
    refused = Membership.objects.get(pk=pending.pk)
    assert refused.approved_at is None and refused.active_to is not None
    assert not Membership.objects.pending().filter(pk=pending.pk).exists()
    assert current_roles(_fresh(pending.user)) == frozenset()
    event = AccessEvent.objects.filter(action="access_change").latest("id")
    assert (event.section, event.user_id) == ("refused", manager.pk)


def test_a_manager_cannot_approve_a_role_for_themselves(enterprise, manager, admin_user, login):
    # The manager is asked a second role at their own enterprise (say, supervisor).
    own = membership_request(
        user=manager, organisation=enterprise, role=Role.SUPERVISOR, acting_user=admin_user
    )
    client = login(manager)
    page = client.get(URL)
    assert page.context["rows"][0]["may_decide"] is False
    assert "Another person must decide." in page.content.decode()
    client.post(URL, {"membership": own.pk, "decision": "approve"})
    assert Membership.objects.get(pk=own.pk).approved_at is None


def test_an_unknown_decision_is_refused(pending, manager, login):
    response = login(manager).post(URL, {"membership": pending.pk, "decision": "grant"})
    assert response.status_code == 403


def test_only_an_administrator_may_ask_for_a_role(manager, enterprise):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        membership_request(
            user=UserFactory(), organisation=enterprise, role=Role.AUDITOR, acting_user=manager
        )


@pytest.mark.parametrize("role", ["supervisor", "case_officer", "analyst", "auditor", "admin_user"])
def test_other_roles_are_refused(role, request, login):
    user = request.getfixturevalue(role)
    client = login(user)
    assert client.get(URL).status_code == 403
    assert URL not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("rows", [1, 10])
def test_query_count_does_not_grow(
    rows, admin_user, enterprise, manager, login, django_assert_num_queries
):
    for number in range(rows):
        membership_request(
            user=UserFactory(username=f"new{number}"),
            organisation=enterprise,
            role=Role.SUPERVISOR,
            acting_user=admin_user,
        )
    client = login(manager)
    with django_assert_num_queries(APPROVALS_QUERIES):
        response = client.get(URL)
    assert len(response.context["rows"]) == rows


# Session, user, memberships, OTP device (4); the pending memberships with
# their users (1); session saved (3: the first request after sign-in);
# the header's unread notifications (1).
APPROVALS_QUERIES = 9
