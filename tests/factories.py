"""factory_boy factories for the non-personal models, and builders that make
person data through the services (so history, keys and grants are real)."""

import itertools
from contextlib import contextmanager
from datetime import UTC, date, datetime

import factory
from faker import Faker

from accounts.models import Membership, Organisation, Role, Unit, User
from participants.models import EducationLevel, Gender, LabourMarketStatus
from participants.services import ParticipantInput, participant_create
from placements.models import Programme
from placements.services import placement_start, referral_register

fake = Faker("sv_SE")
_serials = itertools.count(100)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.ENTERPRISE
    name = factory.Sequence(lambda n: f"Organisation {n}")
    municipality = "Falun"
    county = "Dalarna"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")
    trade = Unit.Trade.CAFE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.SUPERVISOR
    active_from = date(2020, 1, 1)
    # In force: approved by a second person (accounts.services.membership_approve).
    approved_at = datetime(2020, 1, 1, tzinfo=UTC)


def user_with_role(role: str, organisation: Organisation, **user_fields) -> User:
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def valid_identity_number(year: int | None = None) -> str:
    """A fresh, valid personnummer (Luhn-correct) for tests."""
    from stdnum import luhn

    year = year or 1970 + next(_serials) % 40
    serial = next(_serials) % 1000
    stem = f"{year % 100:02d}0{1 + serial % 9}{10 + serial % 18:02d}{serial:03d}"
    return f"{year}{stem[2:]}{luhn.calc_check_digit(stem)}"


def participant_input(**overrides) -> ParticipantInput:
    values = {
        "given_name": fake.first_name(),
        "family_name": fake.last_name(),
        "personal_identity_number": valid_identity_number(),
        "gender": Gender.WOMAN,
        "birth_year": 1985,
        "labour_market_status": LabourMarketStatus.LONG_TERM_UNEMPLOYED,
        "education_level": EducationLevel.ISCED_3_4,
        "municipality": "Falun",
    }
    values.update(overrides)
    # The birth year agrees with the number (participant_birth_year_validate).
    if (
        "birth_year" in overrides
        and "personal_identity_number" not in overrides
        and 1900 <= int(overrides["birth_year"]) <= datetime.now(tz=UTC).year
    ):
        values["personal_identity_number"] = valid_identity_number(int(overrides["birth_year"]))
    elif "birth_year" not in overrides:
        from django.core.exceptions import ValidationError

        from participants.identity import normalise_identity_number

        try:
            values["birth_year"] = int(
                normalise_identity_number(str(values["personal_identity_number"]))[:4]
            )
        except ValidationError:
            pass  # an invalid number, for a test of the refusal
    register_canary(f"{values['given_name']} {values['family_name']}")
    register_canary(str(values["personal_identity_number"]))
    register_canary(str(values.get("support_needs") or ""))
    return ParticipantInput(**values)


#: Personal data made by the tests; tests/conftest.py checks that none of it
#: reaches the application log during the whole run.
CANARIES: set[str] = set()


def register_canary(text: str) -> str:
    if len(text.strip()) >= 6:
        CANARIES.add(text.strip())
    return text


def make_participant(*, organisation: Organisation, acting_user: User, **overrides):
    return participant_create(
        organisation=organisation, data=participant_input(**overrides), acting_user=acting_user
    )


def make_active_placement(
    *,
    participant,
    unit: Unit,
    supervisors: list[User],
    acting_user: User,
    start_date: date = date(2026, 1, 5),
    agency: Organisation | None = None,
    case_officer: User | None = None,
    hours_per_week=20,
    weekdays: str = "12345",
    planned_end: date | None = None,
):
    placement = referral_register(
        participant=participant,
        programme=Programme.WORK_TRAINING,
        referred_on=start_date,
        referring_organisation=agency,
        case_officer=case_officer,
        acting_user=acting_user,
    )
    return placement_start(
        placement=placement,
        unit=unit,
        supervisors=supervisors,
        start_date=start_date,
        planned_end=planned_end,
        hours_per_week=hours_per_week,
        weekdays=weekdays,
        acting_user=acting_user,
    )


def make_active_placements(
    count: int,
    *,
    organisation: Organisation,
    unit: Unit,
    supervisor: User,
    acting_user: User,
    agency: Organisation | None = None,
    case_officer: User | None = None,
    **placement,
) -> list:
    """``count`` running placements in ``unit``, each with a participant of its own."""
    return [
        make_active_placement(
            participant=make_participant(organisation=organisation, acting_user=acting_user),
            unit=unit,
            supervisors=[supervisor],
            acting_user=acting_user,
            agency=agency,
            case_officer=case_officer,
            **placement,
        )
        for _index in range(count)
    ]


def row_counts(*tracked_models) -> dict[str, int]:
    """Rows in each model's table and, for a tracked model, in its history table."""
    counts = {}
    for model in tracked_models:
        counts[model._meta.label] = model._default_manager.count()
        history = getattr(model, "history", None)
        if history is not None:
            counts[history.model._meta.label] = history.model._default_manager.count()
    return counts


@contextmanager
def nothing_written(*tracked_models):
    """Assert that the block leaves these tables (and their history) unchanged."""
    before = row_counts(*tracked_models)
    yield
    assert row_counts(*tracked_models) == before, "a failed write left rows behind"
