"""Services on participants and consents: happy paths, every refusal, no half writes."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import translation

from accounts.models import Role
from encryption.models import DataKey
from participants.identity import identity_index
from participants.models import Consent, Participant
from participants.services import (
    consent_record,
    consent_withdraw,
    participant_create,
    participant_update,
)
from tests.factories import nothing_written, participant_input, user_with_role

TODAY = datetime(2026, 11, 27, 12, tzinfo=UTC)
INVALID_NUMBER = (
    "Enter a valid personal identity number or co-ordination number, e.g. 19121212-1212."
)
DUPLICATE = (
    "A participant with this personal identity number is already registered at this enterprise."
)

# Luhn-correct numbers, written out so a reader can check them.
BORN_1985 = "19850312-1231"
BORN_1920 = "19201010-1232"
COORDINATION = "19850372-1238"  # samordningsnummer: day 12 + 60


@pytest.fixture(autouse=True)
def _today_in_english():
    # The clock ticks from TODAY so that history rows written one after another
    # keep their order (history ids are UUIDs; the date is the only order).
    with time_machine.travel(TODAY), translation.override("en"):
        yield


def _just_now(moment: datetime) -> bool:
    return TODAY <= moment < TODAY + timedelta(minutes=5)


def _create(enterprise, manager, **overrides):
    return participant_create(
        organisation=enterprise, data=participant_input(**overrides), acting_user=manager
    )


# --- participant_create


@pytest.mark.django_db
def test_create_registers_participant_with_own_key_and_history(enterprise, manager):
    keys_before = DataKey.objects.count()

    participant = _create(
        enterprise,
        manager,
        given_name="Astrid",
        family_name="Lind",
        personal_identity_number=BORN_1985,
        support_needs="Behöver korta pass",
    )

    loaded = Participant.objects.get(pk=participant.pk)
    assert (loaded.given_name, loaded.family_name) == ("Astrid", "Lind")
    assert loaded.support_needs == "Behöver korta pass"
    assert loaded.personal_identity_number == BORN_1985
    assert loaded.personal_identity_index == identity_index(BORN_1985.replace("-", ""))
    assert loaded.organisation == enterprise
    assert DataKey.objects.count() == keys_before + 1
    assert (
        Participant.objects.exclude(pk=participant.pk)
        .filter(data_key_id=loaded.data_key_id)
        .count()
        == 0
    )
    [history] = loaded.history.all()
    assert history.history_type == "+"
    assert history.history_user == manager
    assert history.history_change_reason == "participant registered"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "stored"),
    [
        pytest.param("850312-1231", BORN_1985, id="YYMMDD-NNNN"),
        pytest.param("198503121231", BORN_1985, id="YYYYMMDDNNNN"),
        pytest.param("19850312-1231", BORN_1985, id="YYYYMMDD-NNNN"),
        pytest.param("8503121231", BORN_1985, id="YYMMDDNNNN"),
        pytest.param(" 850312-1231 ", BORN_1985, id="surrounding-spaces"),
        pytest.param("201010+1232", BORN_1920, id="plus-aged-100-or-more"),
        pytest.param("201010-1232", "20201010-1232", id="minus-same-digits-born-2020"),
        pytest.param("850372-1238", COORDINATION, id="samordningsnummer-short"),
        pytest.param("19850372-1238", COORDINATION, id="samordningsnummer-long"),
    ],
)
def test_create_accepts_number_formats(enterprise, manager, written, stored):
    participant = _create(enterprise, manager, personal_identity_number=written)

    participant.refresh_from_db()
    assert participant.personal_identity_number == stored
    assert participant.personal_identity_index == identity_index(stored.replace("-", ""))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "message"),
    [
        pytest.param("19850312-1232", INVALID_NUMBER, id="wrong-check-digit"),
        pytest.param("850312-1232", INVALID_NUMBER, id="wrong-check-digit-short"),
        pytest.param("19850230-1230", INVALID_NUMBER, id="impossible-date-30-feb"),
        pytest.param("19851312-1238", INVALID_NUMBER, id="impossible-month-13"),
        pytest.param("20261128-1235", INVALID_NUMBER, id="future-date-tomorrow"),
        pytest.param("19850372-1239", INVALID_NUMBER, id="samordningsnummer-check-digit"),
        pytest.param("19850392-1234", INVALID_NUMBER, id="samordningsnummer-day-92"),
        pytest.param("19850312-12A1", INVALID_NUMBER, id="letter-in-serial"),
        pytest.param("abcdefgh-ijkl", INVALID_NUMBER, id="letters-only"),
        pytest.param("19850312-123", INVALID_NUMBER, id="too-short"),
        pytest.param("1985031212310", INVALID_NUMBER, id="too-long"),
        pytest.param("19850312/1231", INVALID_NUMBER, id="wrong-separator"),
        pytest.param("1985031²-1231", INVALID_NUMBER, id="unicode-superscript-digit"),
        pytest.param("19850372-123\u0668", INVALID_NUMBER, id="arabic-indic-digit"),
        pytest.param("", "A personal identity number is required.", id="empty"),
        pytest.param("   ", "A personal identity number is required.", id="blank"),
    ],
)
def test_create_refuses_bad_number(enterprise, manager, written, message):
    with (
        nothing_written(Participant, DataKey),
        pytest.raises(ValidationError) as excinfo,
    ):
        _create(enterprise, manager, personal_identity_number=written)

    assert excinfo.value.message_dict == {"personal_identity_number": [message]}


@pytest.mark.django_db
def test_create_accepts_someone_born_today(enterprise, manager):
    participant = _create(enterprise, manager, personal_identity_number="20261127-1236")

    assert participant.personal_identity_number == "20261127-1236"


@pytest.mark.django_db
@pytest.mark.parametrize("second_format", ["850312-1231", "198503121231", "8503121231"])
def test_create_refuses_same_number_in_another_format_at_same_enterprise(
    enterprise, manager, second_format
):
    _create(enterprise, manager, personal_identity_number=BORN_1985)

    with (
        nothing_written(Participant, DataKey),
        pytest.raises(ValidationError) as excinfo,
    ):
        _create(enterprise, manager, personal_identity_number=second_format)

    assert excinfo.value.message_dict == {"personal_identity_number": [DUPLICATE]}
    assert excinfo.value.error_dict["personal_identity_number"][0].code == "duplicate"


@pytest.mark.django_db
def test_create_allows_same_number_at_another_enterprise(
    enterprise, other_enterprise, manager, other_manager
):
    first = _create(enterprise, manager, personal_identity_number=BORN_1985)

    second = _create(other_enterprise, other_manager, personal_identity_number="850312-1231")

    assert second.organisation == other_enterprise
    assert second.personal_identity_index == first.personal_identity_index
    assert second.data_key_id != first.data_key_id


@pytest.mark.django_db
def test_create_race_on_duplicate_leaves_no_data_key(enterprise, manager):
    """Two requests pass the duplicate check at once; the database refuses the second."""
    _create(enterprise, manager, personal_identity_number=BORN_1985)

    with (
        nothing_written(Participant, DataKey),
        mock.patch.object(QuerySet, "exists", return_value=False),
        pytest.raises(ValidationError) as excinfo,
    ):
        _create(enterprise, manager, personal_identity_number="850312-1231")

    assert excinfo.value.message_dict == {"personal_identity_number": [DUPLICATE]}


@pytest.mark.django_db
def test_create_refuses_organisation_that_is_not_an_enterprise(agency, manager):
    with (
        nothing_written(Participant, DataKey),
        pytest.raises(ValidationError, match="only be registered at a social enterprise"),
    ):
        _create(agency, manager)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"given_name": "  "}, "given_name", "This field is required."),
        ({"family_name": ""}, "family_name", "This field is required."),
        ({"gender": "female"}, "gender", "Choose a valid gender."),
        (
            {"labour_market_status": "retired"},
            "labour_market_status",
            "Choose a valid labour-market status.",
        ),
        ({"birth_year": 1899}, "birth_year", "Enter a birth year between 1900 and 2026."),
        ({"birth_year": 2027}, "birth_year", "Enter a birth year between 1900 and 2026."),
        (
            {"given_name": "A" * 101},
            "given_name",
            "Ensure this value has at most 100 characters (it has 101).",
        ),
    ],
)
def test_create_refuses_bad_profile(enterprise, manager, overrides, field, message):
    with (
        nothing_written(Participant, DataKey),
        pytest.raises(ValidationError) as excinfo,
    ):
        _create(enterprise, manager, **overrides)

    assert excinfo.value.message_dict[field] == [message]


# --- participant_update


@pytest.mark.django_db
def test_update_changes_profile_with_history(participant, enterprise):
    # Another manager than the one who registered the participant.
    second_manager = user_with_role(Role.MANAGER, enterprise, username="second_manager")
    old_phone = participant.phone

    participant_update(
        participant=participant,
        phone="070-123 45 67",
        municipality="Borlänge",
        acting_user=second_manager,
        reason="new phone",
    )

    loaded = Participant.objects.get(pk=participant.pk)
    assert (loaded.phone, loaded.municipality) == ("070-123 45 67", "Borlänge")
    latest, first = loaded.history.all()
    assert latest.history_type == "~"
    assert latest.history_user == second_manager
    assert latest.history_change_reason == "new phone"
    assert first.phone == old_phone
    assert first.municipality == "Falun"


@pytest.mark.django_db
def test_update_reindexes_new_number(participant, manager):
    participant_update(
        participant=participant,
        personal_identity_number="850372-1238",
        birth_year=1985,
        acting_user=manager,
    )

    loaded = Participant.objects.get(pk=participant.pk)
    assert loaded.personal_identity_number == COORDINATION
    assert loaded.personal_identity_index == identity_index(COORDINATION.replace("-", ""))


@pytest.mark.django_db
def test_update_refuses_number_of_another_participant(enterprise, manager, participant):
    other = _create(enterprise, manager, personal_identity_number=BORN_1985)
    stored = Participant.objects.get(pk=participant.pk).personal_identity_number

    with nothing_written(Participant), pytest.raises(ValidationError) as excinfo:
        participant_update(
            participant=participant, personal_identity_number="198503121231", acting_user=manager
        )

    assert excinfo.value.message_dict == {"personal_identity_number": [DUPLICATE]}
    assert Participant.objects.get(pk=participant.pk).personal_identity_number == stored
    assert other.personal_identity_number == BORN_1985


@pytest.mark.django_db
def test_update_keeps_own_number_in_another_format(enterprise, manager):
    participant = _create(enterprise, manager, personal_identity_number=BORN_1985)

    participant_update(
        participant=participant, personal_identity_number="8503121231", acting_user=manager
    )

    assert Participant.objects.get(pk=participant.pk).personal_identity_number == BORN_1985


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"personal_identity_number": "19850312-1232"}, "personal_identity_number", INVALID_NUMBER),
        ({"gender": "x"}, "gender", "Choose a valid gender."),
        ({"given_name": ""}, "given_name", "This field is required."),
    ],
)
def test_update_refuses_bad_input(participant, manager, changes, field, message):
    stored = Participant.objects.get(pk=participant.pk)

    with nothing_written(Participant), pytest.raises(ValidationError) as excinfo:
        participant_update(participant=participant, acting_user=manager, **changes)

    assert excinfo.value.message_dict[field] == [message]
    loaded = Participant.objects.get(pk=participant.pk)
    assert (loaded.personal_identity_number, loaded.gender, loaded.given_name) == (
        stored.personal_identity_number,
        stored.gender,
        stored.given_name,
    )


@pytest.mark.django_db
def test_update_refuses_fields_it_does_not_own(participant, manager):
    with nothing_written(Participant), pytest.raises(ValueError, match="organisation"):
        participant_update(participant=participant, organisation=None, acting_user=manager)


# --- consent_record and consent_withdraw


@pytest.mark.django_db
def test_consent_record_sharing_with_agency(participant, agency, manager):
    consent = consent_record(
        participant=participant,
        purpose=Consent.Purpose.SHARE_WITH_AGENCY,
        agency=agency,
        evidence="Underskriven blankett",
        acting_user=manager,
    )

    loaded = Consent.objects.get(pk=consent.pk)
    assert loaded.participant == participant
    assert loaded.agency == agency
    assert loaded.data_key_id == participant.data_key_id
    assert loaded.evidence == "Underskriven blankett"
    assert _just_now(loaded.given_at)
    assert loaded.recorded_by == manager
    [history] = loaded.history.all()
    assert history.history_user == manager
    assert history.history_change_reason == "consent recorded"


@pytest.mark.django_db
def test_consent_record_drops_agency_for_other_purposes(participant, agency, manager):
    consent = consent_record(
        participant=participant,
        purpose=Consent.Purpose.STATISTICS,
        agency=agency,
        acting_user=manager,
    )

    assert Consent.objects.get(pk=consent.pk).agency is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("purpose", "agency_fixture", "field", "message"),
    [
        ("marketing", None, "purpose", "Choose a valid purpose."),
        (
            "share_with_agency",
            None,
            "agency",
            "Name the agency the consent allows sharing with.",
        ),
        (
            "share_with_agency",
            "other_enterprise",
            "agency",
            "Name the agency the consent allows sharing with.",
        ),
    ],
)
def test_consent_record_refuses_bad_input(
    request, participant, manager, purpose, agency_fixture, field, message
):
    agency = request.getfixturevalue(agency_fixture) if agency_fixture else None

    with nothing_written(Consent), pytest.raises(ValidationError) as excinfo:
        consent_record(participant=participant, purpose=purpose, agency=agency, acting_user=manager)

    assert excinfo.value.message_dict == {field: [message]}


@pytest.fixture
def consent(participant, manager):
    return consent_record(
        participant=participant,
        purpose=Consent.Purpose.PROCESSING,
        given_at=TODAY - timedelta(days=10),
        acting_user=manager,
    )


@pytest.mark.django_db
def test_consent_withdraw(consent, enterprise):
    second_manager = user_with_role(Role.MANAGER, enterprise, username="second_manager")
    consent_withdraw(consent=consent, acting_user=second_manager)

    loaded = Consent.objects.get(pk=consent.pk)
    assert _just_now(loaded.withdrawn_at)
    latest, first = loaded.history.all()
    assert latest.history_user == second_manager
    assert latest.history_change_reason == "consent withdrawn"
    assert latest.withdrawn_at == loaded.withdrawn_at
    assert first.withdrawn_at is None


@pytest.mark.django_db
def test_consent_withdraw_twice_refused(consent, manager):
    consent_withdraw(consent=consent, acting_user=manager)

    with nothing_written(Consent), pytest.raises(ValidationError, match="already been withdrawn"):
        consent_withdraw(consent=consent, acting_user=manager)


@pytest.mark.django_db
def test_consent_withdraw_before_given_refused_and_leaves_consent_open(consent, manager):
    with nothing_written(Consent), pytest.raises(ValidationError) as excinfo:
        consent_withdraw(
            consent=consent, withdrawn_at=TODAY - timedelta(days=11), acting_user=manager
        )

    assert excinfo.value.message_dict == {
        "withdrawn_at": ["A consent cannot be withdrawn before it was given."]
    }
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None
    # The refused attempt does not leave the object looking withdrawn.
    consent_withdraw(consent=consent, acting_user=manager)
    assert _just_now(Consent.objects.get(pk=consent.pk).withdrawn_at)
