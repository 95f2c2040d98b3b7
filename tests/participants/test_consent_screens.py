"""The consent tab: the consents held and what each permits, recording and
withdrawing one (the manager only), and the agency's health access following
the consents on the very next request."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AccessEvent
from participants.models import Consent, ConsentTemplate
from participants.services import consent_record, consent_template_save, consent_withdraw
from tests.factories import OrganisationFactory, make_active_placement, make_participant

pytestmark = pytest.mark.django_db

HEALTH = "Samtyckeskanarie halsa"


@pytest.fixture
def record(enterprise, manager, unit, supervisor, agency, case_officer):
    participant = make_participant(
        organisation=enterprise, acting_user=manager, support_needs=HEALTH
    )
    make_active_placement(
        participant=participant,
        unit=unit,
        supervisors=[supervisor],
        acting_user=manager,
        agency=agency,
        case_officer=case_officer,
    )
    return participant


def consents_url(participant):
    return reverse("participants:consents", kwargs={"participant_id": participant.pk})


def detail_url(participant):
    return reverse("participants:detail", kwargs={"participant_id": participant.pk})


def test_tab_lists_consents_in_force_and_withdrawn_with_what_each_permits(
    record, manager, agency, funder, login
):
    consent_record(
        participant=record,
        purpose=Consent.Purpose.SHARE_WITH_AGENCY,
        agency=agency,
        evidence="Blankett 2291",
        acting_user=manager,
    )
    funder_consent = consent_record(
        participant=record,
        purpose=Consent.Purpose.SHARE_WITH_FUNDER,
        funder=funder,
        recipient_system="SUS",
        acting_user=manager,
    )
    consent_withdraw(consent=funder_consent, acting_user=manager)

    response = login(manager).get(consents_url(record))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Consents in force" in page and "Withdrawn consents" in page
    assert agency.name in page and "Blankett 2291" in page
    assert f"Case officers at {agency.name} who follow" in page
    assert f"{funder.name} (SUS)" in page
    assert "Nothing: withdrawn on" in page
    assert str(manager) in page
    assert reverse("participants:consent_add", kwargs={"participant_id": record.pk}) in page
    assert AccessEvent.objects.filter(participant_id=record.pk, section="consents").exists()


def test_header_links_to_the_tab(record, manager, login):
    page = login(manager).get(detail_url(record)).content.decode()
    assert consents_url(record) in page


def test_supervisor_reads_the_tab_but_records_nothing(record, supervisor, manager, login):
    consent = consent_record(participant=record, purpose=Consent.Purpose.MEDIA, acting_user=manager)
    client = login(supervisor)

    page = client.get(consents_url(record)).content.decode()
    assert "Photos and other media" in page
    assert "Record a consent" not in page
    withdraw = reverse(
        "participants:consent_withdraw",
        kwargs={"participant_id": record.pk, "consent_id": consent.pk},
    )
    assert withdraw not in page
    add = reverse("participants:consent_add", kwargs={"participant_id": record.pk})
    assert client.post(add, {"purpose": "media", "given_on": "2026-01-05"}).status_code == 403
    assert client.post(withdraw).status_code == 403
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None
    # The service refuses too, whatever the view does.
    with pytest.raises(PermissionDenied):
        consent_record(participant=record, purpose="media", acting_user=supervisor)


def test_case_officer_and_other_enterprise_cannot_open_the_tab(
    record, case_officer, other_manager, login, client
):
    assert login(case_officer).get(consents_url(record)).status_code == 403
    client.logout()
    assert login(other_manager).get(consents_url(record)).status_code == 404


def test_manager_records_a_consent_on_the_current_wording(record, manager, agency, login):
    first = consent_template_save(
        purpose="share_with_agency", title="Hälsa", wording="Version ett", acting_user=None
    )
    second = consent_template_save(
        purpose="share_with_agency", title="Hälsa", wording="Version två", acting_user=None
    )
    client = login(manager)
    add = reverse("participants:consent_add", kwargs={"participant_id": record.pk})
    form_page = client.get(add).content.decode()
    assert "Version två" in form_page and "Version ett" not in form_page

    response = client.post(
        add,
        {
            "purpose": "share_with_agency",
            "agency": str(agency.pk),
            "given_on": timezone.localdate().isoformat(),
            "evidence": "Skannad blankett 17",
        },
    )

    assert response.status_code == 302
    assert response.url == consents_url(record)
    consent = Consent.objects.get(participant=record)
    assert consent.agency == agency
    assert consent.template == second != first
    assert consent.evidence == "Skannad blankett 17"
    assert consent.recorded_by == manager


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"purpose": "share_with_agency"}, "Name the agency the consent allows sharing with."),
        ({"purpose": "share_with_funder"}, "Name the funder the consent allows sharing with."),
        ({"purpose": "media", "given_on": "2099-01-01"}, "cannot be given in the future"),
    ],
)
def test_record_refusals_are_shown_on_the_form(record, manager, login, data, message):
    add = reverse("participants:consent_add", kwargs={"participant_id": record.pk})
    data = {"given_on": timezone.localdate().isoformat(), **data}

    response = login(manager).post(add, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Consent.objects.filter(participant=record).exists()


def test_withdraw_asks_then_withdraws_and_refuses_twice(record, manager, login):
    consent = consent_record(participant=record, purpose="media", acting_user=manager)
    withdraw = reverse(
        "participants:consent_withdraw",
        kwargs={"participant_id": record.pk, "consent_id": consent.pk},
    )
    client = login(manager)

    assert "From the moment you confirm" in client.get(withdraw).content.decode()
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None
    assert client.post(withdraw).status_code == 302
    withdrawn = Consent.objects.get(pk=consent.pk)
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawn_recorded_by == manager
    page = client.get(withdraw).content.decode()
    assert "This consent was withdrawn on" in page
    assert client.post(withdraw).status_code == 200
    with pytest.raises(ValidationError, match="already been withdrawn"):
        consent_withdraw(consent=withdrawn, acting_user=manager)


def test_withdraw_of_another_participants_consent_is_404(record, manager, enterprise, login):
    other = make_participant(organisation=enterprise, acting_user=manager)
    consent = consent_record(participant=other, purpose="media", acting_user=manager)
    url = reverse(
        "participants:consent_withdraw",
        kwargs={"participant_id": record.pk, "consent_id": consent.pk},
    )
    assert login(manager).post(url).status_code == 404
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


# --- The agency's health access follows the consents, request by request -------------------


def test_health_shared_with_consent_and_stops_on_the_next_request_after_withdrawal(
    record, manager, case_officer, agency, login, client
):
    officer = login(case_officer)
    # Without consent: the record, not the health details.
    assert HEALTH not in officer.get(detail_url(record)).content.decode()

    consent = consent_record(
        participant=record, purpose="share_with_agency", agency=agency, acting_user=manager
    )
    assert HEALTH in officer.get(detail_url(record)).content.decode()

    consent_withdraw(consent=consent, acting_user=manager)
    response = officer.get(detail_url(record))
    assert response.status_code == 200
    assert HEALTH not in response.content.decode()
    # And no cache holds the page that showed it.
    assert "no-store" in response["Cache-Control"]


def test_consent_for_another_agency_or_purpose_shares_nothing(record, manager, case_officer, login):
    other_agency = OrganisationFactory(kind="agency", name="Annan myndighet")
    consent_record(
        participant=record, purpose="share_with_agency", agency=other_agency, acting_user=manager
    )
    consent_record(participant=record, purpose="processing", acting_user=manager)
    assert HEALTH not in login(case_officer).get(detail_url(record)).content.decode()


def test_consent_does_not_outlive_the_relationship(
    enterprise, manager, unit, supervisor, agency, case_officer, login
):
    """An ended placement whose case-officer grant has expired: consent or not, 404."""
    participant = make_participant(
        organisation=enterprise, acting_user=manager, support_needs=HEALTH
    )
    days = settings.CASE_OFFICER_READ_DAYS_AFTER_END + 5
    ended_on = timezone.localdate() - timedelta(days=days)
    placement = make_active_placement(
        participant=participant,
        unit=unit,
        supervisors=[supervisor],
        acting_user=manager,
        agency=agency,
        case_officer=case_officer,
        start_date=ended_on - timedelta(days=60),
    )
    consent_record(
        participant=participant,
        purpose="share_with_agency",
        agency=agency,
        given_at=timezone.now() - timedelta(days=days + 30),
        acting_user=manager,
    )
    officer = login(case_officer)
    assert HEALTH in officer.get(detail_url(participant)).content.decode()

    from casework.services import placement_end

    placement_end(placement=placement, ended_on=ended_on, outcome="employed", acting_user=manager)

    assert officer.get(detail_url(participant)).status_code == 404


# --- Query counts -------------------------------------------------------------------------


def _consents(participant, manager, count):
    for index in range(count):
        consent = consent_record(
            participant=participant,
            purpose="media" if index % 2 else "contact_after_exit",
            evidence=f"Akt {index}",
            acting_user=manager,
        )
        if index % 3 == 0:
            consent_withdraw(consent=consent, acting_user=manager)


def _tab_queries(record, manager, login, django_assert_num_queries, count):
    _consents(record, manager, count)
    client = login(manager)
    client.get(consents_url(record))  # session and role caches warm
    # Session, user, device (3); memberships (1); the participant's access and the
    # participant (2); the access event (1); the consents with their organisations,
    # users, wordings and data key (1); the record's summary header (2: the current
    # placement with its people, and what is due; desk.selectors.record);
    # the header's unread notifications (1).
    with django_assert_num_queries(11):
        response = client.get(consents_url(record))
    assert response.status_code == 200
    return response


def test_tab_query_count(record, manager, login, django_assert_num_queries):
    _tab_queries(record, manager, login, django_assert_num_queries, 3)


def test_tab_query_count_does_not_grow_with_ten_times_the_consents(
    record, manager, login, django_assert_num_queries
):
    response = _tab_queries(record, manager, login, django_assert_num_queries, 30)
    assert response.content.decode().count("Akt ") == 30


def test_admin_edit_saves_a_new_version(admin_user, client, signed_in):
    from django.contrib.auth.models import Permission

    admin_user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_consenttemplate", "change_consenttemplate"])
    )
    first = consent_template_save(
        purpose="media", title="Foto", wording="Bilder på webben.", acting_user=None
    )
    signed_in(client, admin_user)
    url = reverse("admin:participants_consenttemplate_change", args=[first.pk])

    response = client.post(url, {"title": "Foto och film", "wording": "Bilder och film."})

    assert response.status_code == 302
    versions = list(ConsentTemplate.objects.filter(purpose="media").order_by("version"))
    assert [(v.version, v.wording) for v in versions] == [
        (1, "Bilder på webben."),
        (2, "Bilder och film."),
    ]
    assert versions[1].created_by == admin_user


def test_manager_only_roles_in_the_access_table():
    from config.access import rule_for

    assert rule_for("participants:consent_add").roles == {Role.MANAGER}
    assert rule_for("participants:consent_withdraw").roles == {Role.MANAGER}
    assert rule_for("participants:consents").roles == {Role.MANAGER, Role.SUPERVISOR}
