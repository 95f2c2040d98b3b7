"""An administrator cannot reach participant content by giving themselves a role.

A membership that sees participants (manager, supervisor, case officer) is made
pending and grants nothing until a second person approves it; the administrator
role and those roles never meet in one user; every access change is an access
event the organisation's auditor sees flagged; second factors are set up by the
users themselves, never in the admin.
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership, Role
from accounts.roles import current_roles
from accounts.services import membership_approve, membership_request
from audit.models import AccessEvent
from audit.review import EventFilter, event_list_for_auditor, with_flags
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    # The services' messages are matched in English (Swedish is the product's default).
    with translation.override("en"):
        yield


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # the role cache lives on the instance


@pytest.fixture
def second_admin(enterprise):
    return user_with_role(Role.ADMIN, enterprise, username="second_admin", is_staff=True)


def test_an_admin_cannot_give_themselves_a_role_that_sees_participants(admin_user, enterprise):
    with pytest.raises(ValidationError, match="administrator cannot also hold"):
        membership_request(
            user=admin_user, organisation=enterprise, role=Role.MANAGER, acting_user=admin_user
        )
    assert Role.MANAGER not in current_roles(_fresh(admin_user))


def test_nobody_grants_an_administrator_content_access(admin_user, second_admin, enterprise):
    with pytest.raises(ValidationError, match="administrator cannot also hold"):
        membership_request(
            user=admin_user, organisation=enterprise, role=Role.SUPERVISOR, acting_user=second_admin
        )


def test_a_user_who_sees_participants_cannot_become_administrator(manager, admin_user, enterprise):
    with pytest.raises(ValidationError, match="cannot be an administrator"):
        membership_request(
            user=manager, organisation=enterprise, role=Role.ADMIN, acting_user=admin_user
        )


def test_a_new_content_membership_grants_nothing_until_a_second_person_approves(
    client, signed_in, admin_user, second_admin, enterprise, participant
):
    newcomer = UserFactory(username="newcomer")
    membership = membership_request(
        user=newcomer, organisation=enterprise, role=Role.MANAGER, acting_user=admin_user
    )
    assert membership.approved_at is None
    assert current_roles(_fresh(newcomer)) == frozenset()
    signed_in(client, newcomer)
    url = reverse("participants:detail", args=[participant.pk])
    assert client.get(url).status_code == 403

    # Not the one who asked, not the member.
    for approver in (admin_user, newcomer):
        # (The request above left Swedish active: match the English message.)
        with translation.override("en"), pytest.raises(PermissionDenied, match="second person"):
            membership_approve(membership=membership, acting_user=approver)
    assert Membership.objects.get(pk=membership.pk).approved_at is None

    membership_approve(membership=membership, acting_user=second_admin)
    assert current_roles(_fresh(newcomer)) == {Role.MANAGER}
    assert client.get(url).status_code == 200


def test_the_enterprise_manager_may_approve_but_not_another_enterprise_s(
    admin_user, enterprise, manager, other_manager
):
    newcomer = UserFactory(username="newcomer")
    membership = membership_request(
        user=newcomer, organisation=enterprise, role=Role.SUPERVISOR, acting_user=admin_user
    )
    with pytest.raises(PermissionDenied, match="manager of the organisation"):
        membership_approve(membership=membership, acting_user=other_manager)
    approved = membership_approve(membership=membership, acting_user=manager)
    assert approved.approved_by == manager
    with pytest.raises(ValidationError, match="already approved"):
        membership_approve(membership=membership, acting_user=manager)


def test_every_access_change_is_an_event_the_auditor_sees_flagged(
    admin_user, second_admin, enterprise, auditor
):
    newcomer = UserFactory(username="newcomer")
    membership = membership_request(
        user=newcomer, organisation=enterprise, role=Role.MANAGER, acting_user=admin_user
    )
    membership_approve(membership=membership, acting_user=second_admin)

    events = AccessEvent.objects.filter(action=AccessEvent.Action.ACCESS_CHANGE).order_by("id")
    assert [(e.section, e.user_id, e.organisation_id, e.object_id) for e in events] == [
        ("requested", admin_user.pk, enterprise.pk, str(membership.pk)),
        ("approved", second_admin.pk, enterprise.pk, str(membership.pk)),
    ]
    flagged = with_flags(
        list(event_list_for_auditor(user=auditor, event_filter=EventFilter(flagged_only=True)))
    )
    assert {event.pk for event in flagged if event.flag_access_change} == {e.pk for e in events}


def _admin_client(client, signed_in, admin):
    admin.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="accounts", codename__endswith="_membership"
        )
    )
    signed_in(client, admin)
    return client


def test_in_the_admin_a_membership_is_requested_and_approved_by_another(
    client, signed_in, admin_user, second_admin, enterprise
):
    newcomer = UserFactory(username="newcomer")
    _admin_client(client, signed_in, admin_user)
    response = client.post(
        reverse("admin:accounts_membership_add"),
        {
            "user": newcomer.pk,
            "organisation": enterprise.pk,
            "role": Role.SUPERVISOR,
            "active_from": "2026-01-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=newcomer)
    assert (membership.requested_by, membership.approved_at) == (admin_user, None)

    changelist = reverse("admin:accounts_membership_changelist")
    action = {"action": "approve_selected", "_selected_action": [membership.pk]}
    client.post(changelist, action)  # the requester's own approval is refused
    assert Membership.objects.get(pk=membership.pk).approved_at is None

    _admin_client(client, signed_in, second_admin)
    client.post(changelist, action)
    assert Membership.objects.get(pk=membership.pk).approved_by == second_admin


def test_the_admin_form_refuses_an_administrator_s_own_content_role(
    client, signed_in, admin_user, enterprise
):
    _admin_client(client, signed_in, admin_user)
    response = client.post(
        reverse("admin:accounts_membership_add"),
        {
            "user": admin_user.pk,
            "organisation": enterprise.pk,
            "role": Role.MANAGER,
            "active_from": "2026-01-01",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors == ["An administrator cannot also hold a role that sees participants."]
    assert not Membership.objects.filter(user=admin_user, role=Role.MANAGER).exists()


def test_the_admin_never_sets_or_sees_a_second_factor(client, signed_in, admin_user):
    admin_user.is_superuser = True  # even with every model permission
    admin_user.save()
    signed_in(client, admin_user)
    for name in ("otp_totp/totpdevice", "otp_static/staticdevice"):
        assert client.get(f"/admin/{name}/add/").status_code == 404
        assert client.get(f"/admin/{name}/").status_code == 404


def test_a_user_made_by_an_administrator_enrols_their_own_second_factor(client):
    from tests.accounts.signin_helpers import PASSWORD

    newcomer = UserFactory(username="newcomer")
    newcomer.set_password(PASSWORD)
    newcomer.save()
    response = client.post(
        reverse("login"), {"username": "newcomer", "password": PASSWORD}, follow=True
    )
    # Past the password, a user without an authenticator lands on the enrolment page.
    assert response.redirect_chain[-1][0].startswith(reverse("signin_enrol"))
    assert response.status_code == 200
