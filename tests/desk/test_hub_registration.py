"""Registering participants and referrals: errors shown together, a birth year that
agrees with the personnummer, a valid example number, Swedish pickers that search."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent
from desk.forms.participants import ParticipantForm
from participants.identity import normalise_identity_number
from participants.models import Participant
from participants.services import participant_create
from tests.factories import make_participant, participant_input, valid_identity_number

CREATE = reverse("participants:create")
REFERRAL = reverse("placements:referral_create")


@pytest.fixture
def client_for(signed_in):
    def make(user):
        client = Client()
        signed_in(client, user)
        return client

    return make


def form_data(**overrides) -> dict:
    data = {
        "given_name": "Åsa",
        "family_name": "Öberg",
        "personal_identity_number": "19121212-1212",
        "gender": "woman",
        "birth_year": "1912",
        "education_level": "isced_3_4",
        "labour_market_status": "long_term_unemployed",
    }
    data.update(overrides)
    return data


def test_the_help_texts_example_number_passes_the_apps_own_check():
    help_text = str(ParticipantForm.base_fields["personal_identity_number"].help_text)
    [example] = re.findall(r"\d{8}-\d{4}", help_text)
    assert normalise_identity_number(example) == example.replace("-", "")


def test_a_birth_year_that_contradicts_the_number_is_refused_by_the_service(enterprise, manager):
    data = participant_input(personal_identity_number=valid_identity_number(1980))
    data.birth_year = 1981
    with pytest.raises(ValidationError) as excinfo:
        participant_create(organisation=enterprise, data=data, acting_user=manager)
    assert excinfo.value.message_dict["birth_year"] == [
        "Födelseåret stämmer inte med personnumret, som anger 1980."
    ]
    assert not Participant.objects.exists()


def test_a_birth_year_that_contradicts_the_number_is_refused_on_the_form(client_for, manager):
    response = client_for(manager).post(CREATE, form_data(birth_year="1990"))
    assert response.status_code == 200
    assert response.context["form"].errors["birth_year"] == [
        "Födelseåret stämmer inte med personnumret, som anger 1912."
    ]
    assert not Participant.objects.exists()


def test_the_check_digit_error_shows_together_with_the_other_errors(client_for, manager):
    response = client_for(manager).post(
        CREATE,
        form_data(given_name="", personal_identity_number="19121212-1213", gender=""),
    )
    errors = response.context["form"].errors
    assert set(errors) >= {"given_name", "gender", "personal_identity_number"}
    assert "19121212-1212" in errors["personal_identity_number"][0]


def test_a_valid_registration_still_goes_through(client_for, manager):
    response = client_for(manager).post(CREATE, form_data())
    assert response.status_code == 302
    assert Participant.objects.get().birth_year == 1912


def test_editing_the_birth_year_away_from_the_number_is_refused(client_for, manager, participant):
    response = client_for(manager).post(
        reverse("participants:edit", args=[participant.pk]),
        {
            **form_data(
                personal_identity_number=participant.personal_identity_number,
                birth_year=str(participant.birth_year + 1),
            ),
            "given_name": participant.given_name,
        },
    )
    assert response.status_code == 200
    assert "birth_year" in response.context["form"].errors


ENGLISH = ("- Select an option -", "---------", ">Start<", "Select an option")


@pytest.mark.parametrize(
    "path",
    [CREATE, REFERRAL],
)
def test_registration_screens_have_no_english_placeholders(client_for, manager, path):
    html = client_for(manager).get(path).content.decode()
    for word in ENGLISH:
        assert word not in html, word


def test_start_form_has_swedish_placeholder_and_button(client_for, manager, participant, agency):
    from placements.services import referral_register

    placement = referral_register(
        participant=participant,
        programme="work_training",
        referred_on=participant.created_at.date(),
        referring_organisation=agency,
        acting_user=manager,
    )
    html = client_for(manager).get(reverse("placements:start", args=[placement.pk]))
    text = html.content.decode()
    for word in ENGLISH:
        assert word not in text, word
    assert "Starta placeringen</button>" in text


# --- The referral's person picker ---------------------------------------------------


@pytest.fixture
def people(enterprise, manager):
    return [
        make_participant(
            organisation=enterprise, acting_user=manager, given_name=given, family_name=family
        )
        for given, family in (
            ("Örjan", "Lund"),
            ("Anna", "Lund"),
            ("Bo", "Ahlström"),
            ("Cecilia", "Lundberg"),
        )
    ]


def radio_labels(html: str) -> list[str]:
    return re.findall(r'name="participant" value="[^"]+"[^>]*> ([^<]+)</label>', html)


def test_the_picker_lists_no_one_before_a_search(client_for, manager, people):
    html = client_for(manager).get(REFERRAL).content.decode()
    assert radio_labels(html) == []
    # The page's own content: the header names the signed-in user, whose generated
    # name may share letters with a participant's ("Lundström").
    main = html[html.index("<main") : html.index("</main>")]
    for person in people:
        assert person.family_name not in main


def test_a_search_lists_the_matches_sorted_and_is_an_access_event(client_for, manager, people):
    client = client_for(manager)
    response = client.post(
        REFERRAL, {"find": "1", "participant_search": "lund", "programme": "work_training"}
    )
    assert response.status_code == 200
    assert radio_labels(response.content.decode()) == [
        "Anna Lund",
        "Örjan Lund",
        "Cecilia Lundberg",
    ]
    events = AccessEvent.objects.filter(
        user_id=manager.pk, action="search", object_type="referral_form"
    )
    # The page's event with the count, and one per person listed (record_shown).
    assert events.get(participant_id=None).result_count == 3
    assert set(events.exclude(participant_id=None).values_list("participant_id", flat=True)) == {
        person.pk for person in people if "Lund" in person.family_name
    }
    # The rest of the form keeps what was typed.
    assert response.context["form"].initial["programme"] == "work_training"


def test_a_search_by_personnummer_finds_the_one_person(client_for, manager, people):
    response = client_for(manager).post(
        REFERRAL, {"find": "1", "participant_search": people[2].personal_identity_number}
    )
    assert radio_labels(response.content.decode()) == ["Bo Ahlström"]


def test_from_the_record_the_person_comes_chosen_and_the_referral_registers(
    client_for, manager, people, agency
):
    client = client_for(manager)
    html = client.get(f"{REFERRAL}?participant={people[1].pk}").content.decode()
    assert radio_labels(html) == ["Anna Lund"]
    response = client.post(
        REFERRAL,
        {
            "participant": str(people[1].pk),
            "programme": "work_training",
            "referred_on": "2026-03-02",
            "referring_organisation": str(agency.pk),
        },
    )
    assert response.status_code == 302
    assert people[1].placements.count() == 1


def test_registering_without_choosing_says_to_search(client_for, manager, people):
    response = client_for(manager).post(
        REFERRAL, {"programme": "work_training", "referred_on": "2026-03-02"}
    )
    assert response.context["form"].errors["participant"] == ["Sök fram deltagaren och välj hen."]
