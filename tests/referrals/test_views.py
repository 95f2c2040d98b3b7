"""The referral screens: sending, the manager's answers, the case officer's answer,
who sees what (404 / 403), access events and the lists' query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from placements.models import Placement
from referrals.models import Referral
from tests.factories import valid_identity_number

from .conftest import referral_person, send_referral


def _post_referral(client, enterprise, **overrides):
    data = {
        "personal_identity_number": valid_identity_number(),
        "given_name": "Ylvaremiss",
        "family_name": "Testsson",
        "gender": "woman",
        "labour_market_status": "unemployed",
        "enterprise": enterprise.pk,
        "programme": "work_training",
        "hours_per_week": "20",
        "wanted_start": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "reason": "Vill börja arbeta igen",
        "consents": ["processing"],
        "consents_given_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return client.post(reverse("referrals:create"), data)


def test_the_case_officer_sends_a_referral(case_officer, enterprise, agreement, login):
    client = login(case_officer)
    form = client.get(reverse("referrals:create"))
    assert form.status_code == 200
    assert enterprise.name in form.content.decode()
    response = _post_referral(client, enterprise)
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == referral.get_absolute_url()
    assert referral.consents.get().purpose == "processing"
    page = client.get(reverse("referrals:list")).content.decode()
    assert "Ylvaremiss Testsson" in page and "Sent, waiting for an answer" in page


def test_an_enterprise_without_agreement_is_not_offered_and_refused(
    case_officer, enterprise, other_enterprise, agreement, login
):
    client = login(case_officer)
    assert other_enterprise.name not in client.get(reverse("referrals:create")).content.decode()
    response = _post_referral(client, other_enterprise)
    assert response.status_code == 200
    assert not Referral.objects.exists()


def test_find_fills_in_a_person_the_agency_referred_before(send, case_officer, login):
    earlier = send()
    client = login(case_officer)
    response = client.post(
        reverse("referrals:create"),
        {"find": "1", "personal_identity_number": earlier.personal_identity_number},
    )
    page = response.content.decode()
    assert f'value="{earlier.given_name}"' in page
    assert "Filled in from your agency" in page
    assert AccessEvent.objects.filter(action="search", object_id=str(earlier.pk)).exists()


def test_find_does_not_reach_another_agencys_referrals(send, other_case_officer, login):
    earlier = send()
    response = login(other_case_officer).post(
        reverse("referrals:create"),
        {"find": "1", "personal_identity_number": earlier.personal_identity_number},
    )
    assert response.status_code == 200
    assert earlier.given_name not in response.content.decode()


def test_already_placed_warns_and_links_only_for_its_case_officer(
    placement, case_officer, enterprise, agreement, login
):
    number = placement.participant.personal_identity_number
    client = login(case_officer)
    page = _post_referral(client, enterprise, personal_identity_number=number).content.decode()
    assert "already has a current placement" in page
    assert reverse("placements:detail", args=[placement.pk]) in page
    assert not Referral.objects.exists()
    response = _post_referral(
        client, enterprise, personal_identity_number=number, confirm_already_placed="on"
    )
    assert response.status_code == 302
    assert Referral.objects.count() == 1


def test_already_placed_shows_no_link_to_another_case_officer(
    placement, agency, enterprise, agreement, login
):
    from accounts.models import Role
    from tests.factories import user_with_role

    colleague = user_with_role(Role.CASE_OFFICER, agency, username="colleague")
    page = _post_referral(
        login(colleague),
        enterprise,
        personal_identity_number=placement.participant.personal_identity_number,
    ).content.decode()
    assert "already has a current placement" in page
    assert reverse("placements:detail", args=[placement.pk]) not in page


def test_manager_accepts_from_the_waiting_list(referral, manager, unit, supervisor, login):
    client = login(manager)
    home = client.get(reverse("home")).content.decode()
    assert referral.full_name in home and referral.get_absolute_url() in home
    listing = client.get(reverse("referrals:list")).content.decode()
    assert referral.full_name in listing
    detail = client.get(referral.get_absolute_url()).content.decode()
    assert reverse("referrals:accept", args=[referral.pk]) in detail
    assert "Behöver komma igång" in detail
    start = timezone.localdate() + timedelta(days=20)
    response = client.post(
        reverse("referrals:accept", args=[referral.pk]),
        {"unit": unit.pk, "supervisor": supervisor.pk, "start_date": start.isoformat()},
    )
    assert response.status_code == 302
    placement = Placement.objects.get()
    assert (placement.status, placement.proposed_start) == (Placement.Status.PLANNED, start)
    assert (
        reverse("placements:detail", args=[placement.pk])
        in client.get(referral.get_absolute_url()).content.decode()
    )


def test_a_second_answer_is_refused_on_the_page(referral, manager, login):
    client = login(manager)
    client.post(reverse("referrals:decline", args=[referral.pk]), {"text": "Ingen plats"})
    response = client.post(reverse("referrals:decline", args=[referral.pk]), {"text": "Igen"})
    assert response.status_code == 200
    assert "already been answered" in response.content.decode()
    assert referral.thread.filter(kind="declined").count() == 1


def test_more_information_round_trip(referral, manager, case_officer, login):
    login(manager).post(
        reverse("referrals:request_information", args=[referral.pk]),
        {"text": "Kan personen börja kl 8?"},
    )
    client = login(case_officer)
    detail = client.get(referral.get_absolute_url()).content.decode()
    assert "Kan personen börja kl 8?" in detail
    assert reverse("referrals:supplement", args=[referral.pk]) in detail
    client.post(reverse("referrals:supplement", args=[referral.pk]), {"text": "Ja, från kl 8"})
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.SENT


def test_free_text_is_escaped(send, manager, login):
    referral = send(reason="<script>alert(1)</script> mer text")
    page = login(manager).get(referral.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "who", ["other_manager", "other_case_officer", "supervisor", "other_supervisor"]
)
def test_others_do_not_see_the_referral(referral, who, request, login):
    client = login(request.getfixturevalue(who))
    status = client.get(referral.get_absolute_url()).status_code
    # A supervisor's role lacks the function (403); the others see no such referral (404).
    assert status == (403 if "supervisor" in who else 404)
    if who in ("other_manager", "other_case_officer"):
        assert referral.full_name not in client.get(reverse("referrals:list")).content.decode()


@pytest.mark.parametrize("who", ["analyst", "auditor", "admin_user"])
def test_roles_without_referrals_get_403(referral, who, request, login):
    client = login(request.getfixturevalue(who))
    for name in ("referrals:list", "referrals:create"):
        assert client.get(reverse(name)).status_code == 403
    for name in ("referrals:detail", "referrals:accept", "referrals:supplement"):
        assert client.get(reverse(name, args=[referral.pk])).status_code == 403


def test_the_case_officer_cannot_answer_and_the_manager_cannot_withdraw(
    referral, case_officer, manager, login
):
    assert (
        login(case_officer)
        .post(reverse("referrals:decline", args=[referral.pk]), {"text": "x"})
        .status_code
        == 403
    )
    assert (
        login(manager)
        .post(reverse("referrals:withdraw", args=[referral.pk]), {"text": ""})
        .status_code
        == 403
    )
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.SENT


def test_each_read_is_an_access_event(referral, manager, login):
    login(manager).get(referral.get_absolute_url())
    event = AccessEvent.objects.get(object_type="referral", object_id=str(referral.pk))
    assert (event.action, event.user_id) == ("view", manager.pk)


# Session, user, memberships, OTP device (4); the case officer's referrals and the
# enterprise's (one query each, agency, enterprise, unit and data key joined); the
# access event INSERT (1); the session saved (3, the first request after sign-in);
# the header's unread notifications (1).
LIST_QUERIES = 4 + 2 + 1 + 3 + 1


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_has_a_constant_number_of_queries(
    count, case_officer, agency, enterprise, agreement, manager, django_assert_num_queries, login
):
    from accounts.models import Role
    from tests.factories import user_with_role

    both = user_with_role(Role.CASE_OFFICER, agency, username="both")
    from tests.factories import MembershipFactory

    MembershipFactory(user=both, organisation=enterprise, role=Role.MANAGER)
    for _ in range(count):
        send_referral(
            case_officer=both, agency=agency, enterprise=enterprise, person=referral_person()
        )
    client = login(both)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("referrals:list"))
    assert response.content.decode().count("<tr>") == 2 * count + 2  # two tables, headers


def test_the_planned_placement_starts_with_what_the_manager_chose(
    referral, manager, unit, supervisor, login
):
    from referrals.services import referral_accept

    start = timezone.localdate() + timedelta(days=7)
    placement = referral_accept(
        referral=referral, acting_user=manager, unit=unit, supervisor=supervisor, start_date=start
    )
    client = login(manager)
    detail = client.get(placement.get_absolute_url()).content.decode()
    assert reverse("placements:start", args=[placement.pk]) in detail
    form = client.get(reverse("placements:start", args=[placement.pk])).context["form"]
    assert form["unit"].value() == unit.pk
    assert form["supervisors"].value() == [supervisor.pk]
    assert form["start_date"].value() == start
    response = client.post(
        reverse("placements:start", args=[placement.pk]),
        {
            "unit": unit.pk,
            "supervisors": [supervisor.pk],
            "start_date": start.isoformat(),
            "hours_per_week": "20",
            "weekdays": ["1", "2", "3", "4", "5"],
        },
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACTIVE
