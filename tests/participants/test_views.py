"""Participant screens: list (search, filters, sort, pages), record, create, edit, history.

Every screen allowed and denied; 404 for a participant the user may not see is
the same page as for one that does not exist; Swedish validation messages;
query counts pinned and the same at 10x the rows.
"""

import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Role
from audit.models import AccessEvent
from casework.services import progress_note_add
from participants.models import Participant
from participants.services import consent_record, participant_update
from placements.models import Programme
from tests.factories import (
    make_active_placement,
    make_participant,
    user_with_role,
    valid_identity_number,
)

pytestmark = pytest.mark.django_db

LIST = reverse("participants:list")
CREATE = reverse("participants:create")


def in_swedish(msgid: str) -> str:
    """The message as a Swedish user sees it (the msgid until the .po has it)."""
    with translation.override("sv"):
        return gettext(msgid)


@pytest.fixture
def client_for(signed_in):
    def make(user):
        client = Client()
        signed_in(client, user)
        return client

    return make


def detail_url(participant_id) -> str:
    return reverse("participants:detail", kwargs={"participant_id": participant_id})


def edit_url(participant_id) -> str:
    return reverse("participants:edit", kwargs={"participant_id": participant_id})


def history_url(participant_id) -> str:
    return reverse("participants:history", kwargs={"participant_id": participant_id})


def form_data(**overrides) -> dict:
    data = {
        "given_name": "Åsa",
        "family_name": "Öberg",
        "personal_identity_number": valid_identity_number(1988),
        "gender": "woman",
        "birth_year": "1988",
        "municipality": "Falun",
        "education_level": "isced_3_4",
        "labour_market_status": "long_term_unemployed",
        "phone": "070-123 45 67",
        "email": "asa@example.se",
        "address": "Storgatan 1, Falun",
        "emergency_contact": "",
        "support_needs": "",
    }
    data.update(overrides)
    return data


# --- The list ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("supervisor", 200),
        ("case_officer", 200),
        ("other_supervisor", 200),
        ("analyst", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_list_allowed_and_denied(request, client_for, placement, role, status):
    user = request.getfixturevalue(role)
    assert client_for(user).get(LIST).status_code == status


def test_list_needs_sign_in_and_second_factor(placement, supervisor):
    assert Client().get(LIST).status_code == 302
    half_signed_in = Client()
    half_signed_in.force_login(supervisor)
    response = half_signed_in.get(LIST)
    assert response.status_code == 302
    assert reverse("signin_verify") in response["Location"]


def test_list_shows_only_visible_participants(
    client_for, placement, manager, supervisor, case_officer, other_supervisor, enterprise
):
    # Fixed names: Faker's could also be a user's name shown on the page.
    participant_update(
        participant=placement.participant, acting_user=manager, family_name="Synligsson"
    )
    make_participant(organisation=enterprise, acting_user=manager, family_name="Osynligsson")
    manager_page = client_for(manager).get(LIST).text
    assert "Synligsson" in manager_page
    assert "Osynligsson" in manager_page
    for user in (supervisor, case_officer):
        page = client_for(user).get(LIST).text
        assert "Synligsson" in page
        assert "Osynligsson" not in page
    assert "Synligsson" not in client_for(other_supervisor).get(LIST).text


def test_list_shows_the_whole_identity_number_to_manager_and_case_officer_only(
    client_for, placement, manager, supervisor, case_officer
):
    number = placement.participant.personal_identity_number
    birth_date_only = number[:-4] + "••••"
    for user in (manager, case_officer):
        page = client_for(user).get(LIST).text
        assert number in page
    page = client_for(supervisor).get(LIST).text
    assert number not in page
    assert birth_date_only in page
    # The search results are the same fragment, under the same rule.
    search = client_for(supervisor).post(LIST, {"q": number}, headers={"HX-Request": "true"}).text
    assert number not in search and birth_date_only in search


def test_list_records_the_page_and_each_participant_shown(client_for, placement, manager):
    client_for(manager).get(LIST)
    event = AccessEvent.objects.get(participant_id__isnull=True)
    assert (event.action, event.section, event.result_count) == ("view", "list", 1)
    shown = AccessEvent.objects.get(participant_id__isnull=False)
    assert (shown.participant_id, shown.action, shown.section) == (
        placement.participant_id,
        "view",
        "list",
    )


def test_search_by_name_records_a_search_without_the_term(client_for, placement, manager):
    participant = placement.participant
    participant_update(participant=participant, acting_user=manager, family_name="Åkerlund")
    make_participant(
        organisation=participant.organisation, acting_user=manager, family_name="Xyloqvist"
    )
    response = client_for(manager).post(LIST, {"q": "akerl"})
    assert [row.pk for row in response.context["page"].object_list] == [participant.pk]
    assert "Xyloqvist" not in response.text
    event = AccessEvent.objects.get(participant_id__isnull=True)
    assert (event.action, event.result_count) == ("search", 1)
    found = AccessEvent.objects.get(participant_id__isnull=False)
    assert (found.action, found.participant_id) == ("search", participant.pk)
    stored = " ".join(str(value) for value in AccessEvent.objects.values_list())
    assert "akerl" not in stored.lower()


@pytest.mark.parametrize("shape", ["twelve", "ten_with_dash", "twelve_with_dash", "spaces"])
def test_search_by_identity_number_in_any_format(client_for, manager, enterprise, shape):
    number = valid_identity_number(1975)
    participant = make_participant(
        organisation=enterprise, acting_user=manager, personal_identity_number=number
    )
    make_participant(organisation=enterprise, acting_user=manager)
    term = {
        "twelve": number,
        "ten_with_dash": f"{number[2:8]}-{number[8:]}",
        "twelve_with_dash": f"{number[:8]}-{number[8:]}",
        "spaces": f" {number[:8]} {number[8:]} ",
    }[shape]
    response = client_for(manager).post(LIST, {"q": term})
    assert participant.family_name in response.text
    assert response.context["page"].paginator.count == 1
    event = AccessEvent.objects.get(participant_id__isnull=True)
    assert (event.action, event.result_count) == ("search", 1)


def test_search_term_is_not_taken_from_the_url(client_for, placement, manager, enterprise):
    make_participant(organisation=enterprise, acting_user=manager)
    response = client_for(manager).get(LIST, {"q": placement.participant.family_name})
    assert response.context["page"].paginator.count == 2
    assert set(AccessEvent.objects.values_list("action", flat=True)) == {"view"}


def test_invalid_identity_number_finds_nobody(client_for, placement, manager):
    response = client_for(manager).post(LIST, {"q": "19900101-0000"})
    assert response.context["page"].paginator.count == 0
    assert "No participants match." in response.text or in_swedish("No participants match.") in (
        response.text
    )


def test_filters_status_unit_programme_supervisor(
    client_for, placement, manager, supervisor, enterprise, other_unit, unit
):
    other_supervisor_here = user_with_role(Role.SUPERVISOR, enterprise)
    second_unit = type(unit).objects.create(
        organisation=enterprise, name="Second hand", trade="cafe"
    )
    elsewhere = make_participant(organisation=enterprise, acting_user=manager)
    make_active_placement(
        participant=elsewhere,
        unit=second_unit,
        supervisors=[other_supervisor_here],
        acting_user=manager,
    )
    client = client_for(manager)

    def found(**filters):
        response = client.get(LIST, filters)
        assert response.status_code == 200
        return {row.pk for row in response.context["page"].object_list}

    assert found(unit=str(unit.pk)) == {placement.participant_id}
    assert found(unit=str(second_unit.pk)) == {elsewhere.pk}
    assert found(supervisor=str(supervisor.pk)) == {placement.participant_id}
    assert found(supervisor=str(other_supervisor_here.pk)) == {elsewhere.pk}
    assert found(programme=Programme.WORK_TRAINING) == {placement.participant_id, elsewhere.pk}
    assert found(programme=Programme.INTERNSHIP) == set()
    assert found(status="active") == {placement.participant_id, elsewhere.pk}
    assert found(status="archived") == set()
    # A unit of another enterprise is not a choice: an error, and the filter is not applied.
    response = client.get(LIST, {"unit": str(other_unit.pk)})
    assert response.context["form"].errors["unit"]


def test_unit_choices_are_own_enterprises_and_followed_placements_only(
    client_for, placement, manager, supervisor, case_officer, enterprise, unit, other_unit
):
    """A case officer's choices are the units of the placements they follow; a
    manager's and a supervisor's every unit of their enterprise; nobody gets a
    unit of an enterprise they have no relationship with."""
    idle_unit = type(unit).objects.create(organisation=enterprise, name="Snickeri", trade="cafe")

    def unit_choices(user):
        form = client_for(user).get(LIST).context["form"]
        return {str(value) for value, _label in form.fields["unit"].choices if value}

    assert unit_choices(manager) == {str(unit.pk), str(idle_unit.pk)}
    assert unit_choices(supervisor) == {str(unit.pk), str(idle_unit.pk)}
    assert unit_choices(case_officer) == {str(unit.pk)}
    assert str(other_unit.pk) not in unit_choices(manager) | unit_choices(case_officer)


def test_filter_choices_are_labelled_with_unit_and_enterprise_and_the_supervisors_name(
    client_for, placement, manager, supervisor, enterprise, unit
):
    supervisor.first_name, supervisor.last_name = "Sven", "Ek"
    supervisor.save()
    form = client_for(manager).get(LIST).context["form"]
    assert (str(unit.pk), f"{unit.name} ({enterprise.name})") in form.fields["unit"].choices
    assert (str(supervisor.pk), "Sven Ek") in form.fields["supervisor"].choices
    supervisor.first_name = supervisor.last_name = ""
    supervisor.save()
    form = client_for(manager).get(LIST).context["form"]
    assert (str(supervisor.pk), supervisor.username) in form.fields["supervisor"].choices


def test_sort_by_name_in_swedish_order(client_for, manager, enterprise):
    for family_name in ("Öberg", "Andersson", "Zetterlund", "Åberg", "Ekström"):
        make_participant(organisation=enterprise, acting_user=manager, family_name=family_name)
    client = client_for(manager)
    names = [row.family_name for row in client.get(LIST).context["page"].object_list]
    assert names == ["Andersson", "Ekström", "Zetterlund", "Åberg", "Öberg"]
    names = [row.family_name for row in client.get(LIST, {"sort": "-name"}).context["page"]]
    assert names == ["Öberg", "Åberg", "Zetterlund", "Ekström", "Andersson"]
    years = [row.birth_year for row in client.get(LIST, {"sort": "birth_year"}).context["page"]]
    assert years == sorted(years)


def test_pages_of_25(client_for, manager, enterprise):
    for _ in range(27):
        make_participant(organisation=enterprise, acting_user=manager)
    client = client_for(manager)
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 25
    second = client.post(LIST, {"page": "2", "q": ""})
    assert len(second.context["page"].object_list) == 2
    pages = AccessEvent.objects.filter(participant_id__isnull=True)
    assert pages.filter(action="view", section="list", result_count=27).count() == 2
    assert AccessEvent.objects.filter(participant_id__isnull=False).count() == 27


def test_htmx_gets_the_results_fragment(client_for, placement, manager):
    response = client_for(manager).post(LIST, {"q": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="results"' in response.text


def _participants_with_placements(*, count, enterprise, unit, supervisor, manager):
    for _ in range(count):
        participant = make_participant(organisation=enterprise, acting_user=manager)
        make_active_placement(
            participant=participant, unit=unit, supervisors=[supervisor], acting_user=manager
        )


# Why 10 for the list page (name sort, no search):
#   session, user, memberships, OTP device (middleware)              4
#   filter choices: units, supervisors                               2
#   the filtered set's name ciphertexts, sorted in Python by the      1
#   sort keys this process holds (names new to it, or changed: one
#   more query, which decrypts them; desk.selectors.participant_list)
#   the page's 25 participants, whole                                1
#   placements of the page's participants (prefetch)                 1
#   the access event                                                 1
# Data keys come with the participants (select_related) and unwrap without a query.
# The session is written back (SAVEPOINT, UPDATE, RELEASE: 3 more) only when the
# idle clock is refreshed, at most once a minute (tests/accounts/test_signin.py).
# Plus the header's unread notifications (1).
LIST_QUERIES = 11


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_is_constant(
    client_for, django_assert_num_queries, enterprise, unit, supervisor, manager, count
):
    _participants_with_placements(
        count=count, enterprise=enterprise, unit=unit, supervisor=supervisor, manager=manager
    )
    client = client_for(supervisor)
    client.get(LIST)  # warm the session's first-request writes
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST)
    assert response.context["page"].paginator.count == count


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_is_constant_sorted_in_the_database(
    client_for, django_assert_num_queries, enterprise, unit, supervisor, manager, count
):
    _participants_with_placements(
        count=count, enterprise=enterprise, unit=unit, supervisor=supervisor, manager=manager
    )
    client = client_for(manager)
    client.get(LIST)
    # A database sort pages in SQL: a count and a page instead of the names of the
    # whole set and the page's participants.
    with django_assert_num_queries(LIST_QUERIES):
        client.get(LIST, {"sort": "-created_at", "unit": str(unit.pk)})


def test_name_order_follows_a_renamed_participant(client_for, manager, enterprise):
    first = make_participant(organisation=enterprise, acting_user=manager, family_name="Berg")
    second = make_participant(organisation=enterprise, acting_user=manager, family_name="Dahl")
    client = client_for(manager)
    assert [row.pk for row in client.get(LIST).context["page"]] == [first.pk, second.pk]
    participant_update(participant=second, acting_user=manager, family_name="Andersson")
    assert [row.pk for row in client.get(LIST).context["page"]] == [second.pk, first.pk]
    assert [row.pk for row in client.get(LIST, {"sort": "-name"}).context["page"]] == [
        first.pk,
        second.pk,
    ]


def test_names_known_to_the_process_are_not_decrypted_again(
    client_for, manager, enterprise, django_assert_num_queries, monkeypatch
):
    from desk.selectors import participant_list

    for _ in range(3):
        make_participant(organisation=enterprise, acting_user=manager)
    client = client_for(manager)
    client.get(LIST)  # the names become known to the process, the session's writes done
    decrypted = []
    real = participant_list.decrypt_rows

    def counting(queryset, fields):
        rows = real(queryset, fields)
        decrypted.extend(rows)
        return rows

    monkeypatch.setattr(participant_list, "decrypt_rows", counting)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(LIST)
    assert decrypted == []
    newcomer = make_participant(organisation=enterprise, acting_user=manager)
    with django_assert_num_queries(LIST_QUERIES + 1):  # the newcomer's names decrypted
        client.get(LIST)
    assert [row.pk for row in decrypted] == [newcomer.pk]


def test_name_search_matches_the_held_names_without_decrypting_them(
    client_for, manager, enterprise, django_assert_num_queries, monkeypatch
):
    from desk.selectors import participant_list

    def person(given, family):
        return make_participant(
            organisation=enterprise, acting_user=manager, given_name=given, family_name=family
        )

    anna, asa = person("Anna", "Svensson"), person("Åsa", "Öberg")
    bo = person("Bo", "Annasdotter")
    client = client_for(manager)
    client.get(LIST)  # the names become known to the process, the session's writes done
    decrypted = []
    real = participant_list.decrypt_rows

    def counting(queryset, fields):
        rows = real(queryset, fields)
        decrypted.extend(rows)
        return rows

    monkeypatch.setattr(participant_list, "decrypt_rows", counting)

    def found(term, **extra):
        return [row.pk for row in client.post(LIST, {"q": term, **extra}).context["page"]]

    with django_assert_num_queries(LIST_QUERIES):
        assert found("anna sv") == [anna.pk]  # every word, in either name
    assert decrypted == []
    assert found("ASA  öberg") == [asa.pk]  # case and accents do not matter
    assert found("anna") == [bo.pk, anna.pk]  # in name order
    assert found("anna sv x") == []
    assert found("anna", sort="-name") == [anna.pk, bo.pk]
    assert found("anna", sort="-created_at") == [bo.pk, anna.pk]  # sorted in the database
    assert found("oberg", sort="-created_at") == [asa.pk]
    participant_update(participant=anna, acting_user=manager, family_name="Lind")
    assert found("svensson") == []
    assert found("anna lind") == [anna.pk]
    assert [row.pk for row in decrypted] == [anna.pk]  # only the renamed row again


def test_a_visible_set_larger_than_the_held_keys_is_listed_whole(
    client_for, manager, enterprise, monkeypatch
):
    from desk.selectors import participant_list

    monkeypatch.setattr(participant_list, "NAME_KEYS_LIMIT", 2)
    for _ in range(3):
        make_participant(organisation=enterprise, acting_user=manager)
    client = client_for(manager)
    assert client.get(LIST).context["page"].paginator.count == 3
    assert len(client.get(LIST).context["page"].object_list) == 3
    assert len(participant_list._NAME_KEYS) <= 2


def test_a_name_copied_from_another_row_fails_closed(client_for, manager, enterprise):
    from django.db import connection

    from encryption.exceptions import DecryptionError

    source = make_participant(organisation=enterprise, acting_user=manager)
    target = make_participant(organisation=enterprise, acting_user=manager)
    client = client_for(manager)
    client.get(LIST)
    table = source._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET family_name = (SELECT family_name FROM {table} WHERE id = %s) "
            "WHERE id = %s",
            [
                source._meta.pk.get_db_prep_value(source.pk, connection),
                target._meta.pk.get_db_prep_value(target.pk, connection),
            ],
        )
    client.raise_request_exception = True
    with pytest.raises(DecryptionError):
        client.get(LIST)


# --- The record ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("supervisor", 200),
        ("case_officer", 200),
        ("other_supervisor", 404),
        ("analyst", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_detail_allowed_and_denied(request, client_for, placement, role, status):
    user = request.getfixturevalue(role)
    response = client_for(user).get(detail_url(placement.participant_id))
    assert response.status_code == status


def test_not_visible_is_the_same_404_as_not_existing(client_for, placement, other_supervisor):
    client = client_for(other_supervisor)
    hidden = client.get(detail_url(placement.participant_id))
    missing = client.get(detail_url(uuid.uuid4()))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert not AccessEvent.objects.filter(participant_id=placement.participant_id).exists()


def test_detail_records_one_overview_event(client_for, placement, supervisor):
    client_for(supervisor).get(detail_url(placement.participant_id))
    event = AccessEvent.objects.get()
    assert (event.action, event.section, event.participant_id) == (
        "view",
        "overview",
        placement.participant_id,
    )
    assert event.role == "supervisor"


def test_detail_sections_follow_the_policy(client_for, placement, manager, case_officer, agency):
    participant = placement.participant
    participant_update(
        participant=participant,
        acting_user=manager,
        phone="070-999 88 77",
        support_needs="Diabetes typ 1, behöver regelbundna pauser",
    )
    manager_page = client_for(manager).get(detail_url(participant.pk)).text
    assert "070-999 88 77" in manager_page
    assert "Diabetes typ 1" in manager_page
    officer_page = client_for(case_officer).get(detail_url(participant.pk)).text
    assert participant.family_name in officer_page
    assert "070-999 88 77" not in officer_page
    assert "Diabetes typ 1" not in officer_page
    assert reverse("participants:history", args=[participant.pk]) not in officer_page
    # With the participant's consent to share with the agency, health becomes visible.
    consent_record(
        participant=participant, purpose="share_with_agency", agency=agency, acting_user=manager
    )
    assert "Diabetes typ 1" in client_for(case_officer).get(detail_url(participant.pk)).text


def test_protected_identity_banner_and_address_never_shown(client_for, manager, enterprise):
    participant = make_participant(
        organisation=enterprise,
        acting_user=manager,
        protected_identity=True,
        address="Hemliga vägen 7, Borlänge",
    )
    client = client_for(manager)
    for url in (detail_url(participant.pk), edit_url(participant.pk), history_url(participant.pk)):
        page = client.get(url).text
        assert "Hemliga vägen" not in page, url
        assert "banner-warning" in page, url
    list_page = client.get(LIST).text
    assert "badge-warning" in list_page
    assert "Hemliga vägen" not in list_page


def test_protected_identity_edit_keeps_the_address(client_for, manager, enterprise):
    participant = make_participant(
        organisation=enterprise,
        acting_user=manager,
        protected_identity=True,
        address="Hemliga vägen 7, Borlänge",
    )
    data = form_data(
        personal_identity_number=participant.personal_identity_number,
        birth_year=str(participant.birth_year),
        given_name=participant.given_name,
        protected_identity="on",
    )
    data.pop("address")
    response = client_for(manager).post(edit_url(participant.pk), data)
    assert response.status_code == 302
    assert Participant.objects.get(pk=participant.pk).address == "Hemliga vägen 7, Borlänge"


# Why 16 for the record: middleware (session, user, memberships, OTP device) 4; the
# access row and the participant 2 (participant_get_for); the placements with their
# attendance, review, exit and follow-up summaries in one query 1; the summary header
# 2 (placements, current supervisors: desk.selectors.record); the timeline 5 (plan
# history, pauses, reviews, exits, follow-ups); the access event 1; the header's
# unread notifications 1.
# (The session save, 3, comes at most once a minute: not on this warmed session.)
DETAIL_QUERIES = 16


@pytest.mark.parametrize("count", [1, 10])
def test_detail_query_count_is_constant(
    client_for, django_assert_num_queries, manager, enterprise, unit, supervisor, count
):
    participant = make_participant(organisation=enterprise, acting_user=manager)
    for _ in range(count):
        placement = make_active_placement(
            participant=participant, unit=unit, supervisors=[supervisor], acting_user=manager
        )
        progress_note_add(
            placement=placement, text="Bra dag", kind="observation", acting_user=manager
        )
    client = client_for(manager)
    client.get(detail_url(participant.pk))
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(detail_url(participant.pk))
    assert len(response.context["placements"]) == count


def test_other_enterprise_name_never_reaches_a_supervisor(
    client_for, placement, supervisor, other_supervisor, other_enterprise, other_unit
):
    other_manager = user_with_role(Role.MANAGER, other_enterprise)
    foreign = make_participant(
        organisation=other_enterprise, acting_user=other_manager, family_name="Kanariefågel"
    )
    make_active_placement(
        participant=foreign,
        unit=other_unit,
        supervisors=[other_supervisor],
        acting_user=other_manager,
    )
    client = client_for(supervisor)

    def results(response) -> str:
        # The search box shows back what the user typed; the results must not match it.
        return response.text.split('id="results"', 1)[1]

    pages = [
        client.get(LIST).text,
        results(client.post(LIST, {"q": "Kanariefågel"})),
        results(client.post(LIST, {"q": foreign.personal_identity_number})),
        client.get(detail_url(placement.participant_id)).text,
        client.get(detail_url(foreign.pk)).text,
    ]
    for page in pages:
        assert "Kanariefågel" not in page


# --- Create and edit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("supervisor", 403),
        ("case_officer", 403),
        ("analyst", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_create_allowed_and_denied(request, client_for, role, status):
    user = request.getfixturevalue(role)
    assert client_for(user).get(CREATE).status_code == status


def test_create_registers_and_redirects(client_for, manager, enterprise):
    response = client_for(manager).post(CREATE, form_data())
    participant = Participant.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(participant.pk)
    assert participant.organisation == enterprise
    assert (participant.given_name, participant.family_name) == ("Åsa", "Öberg")


def test_create_required_fields_in_swedish_and_input_kept(client_for, manager):
    response = client_for(manager).post(CREATE, form_data(given_name="", email="inte-en-adress"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["given_name"] == ["Detta fält måste fyllas i."]
    assert form.errors["email"] == ["Fyll i en giltig e-postadress."]
    assert "Detta fält måste fyllas i." in response.text
    assert 'value="Öberg"' in response.text
    assert 'value="inte-en-adress"' in response.text
    assert not Participant.objects.exists()


def test_create_invalid_identity_number_next_to_the_field(client_for, manager):
    response = client_for(manager).post(CREATE, form_data(personal_identity_number="19900101-0000"))
    errors = response.context["form"].errors["personal_identity_number"]
    expected = in_swedish(
        "Enter a valid personal identity number or co-ordination number, e.g. 19121212-1212."
    )
    assert errors == [expected]
    assert 'value="19900101-0000"' in response.text
    assert not Participant.objects.exists()


def test_create_duplicate_identity_number(client_for, manager, participant):
    response = client_for(manager).post(
        CREATE,
        form_data(
            personal_identity_number=participant.personal_identity_number,
            birth_year=str(participant.birth_year),
        ),
    )
    expected = in_swedish(
        "A participant with this personal identity number is already registered at this enterprise."
    )
    assert response.context["form"].errors["personal_identity_number"] == [expected]


def test_create_birth_year_rule_from_the_service(client_for, manager):
    response = client_for(manager).post(CREATE, form_data(birth_year="1800"))
    assert response.context["form"].errors["birth_year"]
    response = client_for(manager).post(CREATE, form_data(birth_year="nittonhundra"))
    assert response.context["form"].errors["birth_year"] == ["Fyll i ett heltal."]


def test_manager_of_two_enterprises_chooses(client_for, manager, enterprise, other_enterprise):
    from tests.factories import MembershipFactory

    MembershipFactory(user=manager, organisation=other_enterprise, role=Role.MANAGER)
    client = client_for(manager)
    response = client.post(CREATE, form_data())
    assert response.context["form"].errors["organisation"] == ["Detta fält måste fyllas i."]
    response = client.post(CREATE, form_data(organisation=str(other_enterprise.pk)))
    assert response.status_code == 302
    assert Participant.objects.get().organisation == other_enterprise


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("supervisor", 403),
        ("case_officer", 403),
        ("other_supervisor", 403),
        ("analyst", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_edit_allowed_and_denied(request, client_for, placement, role, status):
    user = request.getfixturevalue(role)
    assert client_for(user).get(edit_url(placement.participant_id)).status_code == status


def test_edit_other_enterprise_manager_gets_404(client_for, placement, other_enterprise):
    other_manager = user_with_role(Role.MANAGER, other_enterprise)
    client = client_for(other_manager)
    hidden = client.get(edit_url(placement.participant_id))
    missing = client.get(edit_url(uuid.uuid4()))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_edit_saves_only_what_changed(client_for, manager, participant):
    data = form_data(
        given_name=participant.given_name,
        family_name="Nyström",
        personal_identity_number=participant.personal_identity_number,
        gender=participant.gender,
        birth_year=str(participant.birth_year),
    )
    response = client_for(manager).post(edit_url(participant.pk), data)
    assert response.status_code == 302
    participant = Participant.objects.get(pk=participant.pk)
    assert participant.family_name == "Nyström"
    assert participant.history.first().history_change_reason == "participant updated"


def test_edit_errors_next_to_fields_and_input_kept(client_for, manager, participant):
    data = form_data(
        personal_identity_number="12345", family_name="Nyström", email="fel@", birth_year="1988"
    )
    response = client_for(manager).post(edit_url(participant.pk), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["email"] == ["Fyll i en giltig e-postadress."]
    assert 'value="Nyström"' in response.text
    assert 'value="12345"' in response.text
    # Fields are checked first; the service then checks the number.
    response = client_for(manager).post(
        edit_url(participant.pk), {**data, "email": "ratt@example.se"}
    )
    assert response.context["form"].errors["personal_identity_number"]
    assert Participant.objects.get(pk=participant.pk).family_name == participant.family_name


# --- History ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("supervisor", 403),
        ("case_officer", 403),
        ("other_supervisor", 403),
        ("analyst", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_history_allowed_and_denied(request, client_for, placement, role, status):
    user = request.getfixturevalue(role)
    assert client_for(user).get(history_url(placement.participant_id)).status_code == status


def test_history_lists_changed_fields_not_values(client_for, manager, participant):
    participant_update(participant=participant, acting_user=manager, phone="070-111 22 33")
    response = client_for(manager).get(history_url(participant.pk))
    entries = list(response.context["page"].object_list)
    assert [entry.reason for entry in entries] == ["participant updated", "participant registered"]
    assert entries[0].changed == (in_swedish("phone"),)
    assert "070-111 22 33" not in response.text
    event = AccessEvent.objects.get()
    assert (event.section, event.participant_id) == ("history", participant.pk)
