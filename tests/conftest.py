"""Shared fixtures: one enterprise, agency and funder, one user per role."""

import pytest

from accounts.models import Organisation, Role
from casework.services import instrument_ensure_default
from tests.factories import (
    OrganisationFactory,
    UnitFactory,
    make_active_placement,
    make_active_placements,
    make_participant,
    user_with_role,
)


@pytest.fixture
def enterprise(db):
    return OrganisationFactory(kind=Organisation.Kind.ENTERPRISE, name="Kaffekvarnen ASF")


@pytest.fixture
def other_enterprise(db):
    return OrganisationFactory(kind=Organisation.Kind.ENTERPRISE, name="Snickeriet i Mora")


@pytest.fixture
def agency(db):
    return OrganisationFactory(kind=Organisation.Kind.AGENCY, name="Arbetsförmedlingen Falun")


@pytest.fixture
def funder(db):
    return OrganisationFactory(kind=Organisation.Kind.FUNDER, name="Region Dalarna")


@pytest.fixture
def unit(enterprise):
    return UnitFactory(organisation=enterprise, name="Caféet")


@pytest.fixture
def other_unit(other_enterprise):
    return UnitFactory(organisation=other_enterprise, name="Verkstaden")


@pytest.fixture
def manager(enterprise):
    return user_with_role(Role.MANAGER, enterprise, username="manager")


@pytest.fixture
def supervisor(enterprise):
    return user_with_role(Role.SUPERVISOR, enterprise, username="supervisor")


@pytest.fixture
def other_manager(other_enterprise):
    return user_with_role(Role.MANAGER, other_enterprise, username="other_manager")


@pytest.fixture
def other_supervisor(other_enterprise):
    return user_with_role(Role.SUPERVISOR, other_enterprise, username="other_supervisor")


@pytest.fixture
def case_officer(agency):
    return user_with_role(Role.CASE_OFFICER, agency, username="case_officer")


@pytest.fixture
def active_placements(enterprise, unit, supervisor, manager, agency, case_officer):
    """``active_placements(count, **placement)``: running placements in ``unit``,
    each with a participant of its own, supervised by ``supervisor``, referred by
    ``agency`` and followed by ``case_officer``, started by ``manager``."""

    def make(count: int, **placement):
        return make_active_placements(
            count,
            organisation=enterprise,
            unit=unit,
            supervisor=supervisor,
            acting_user=manager,
            agency=agency,
            case_officer=case_officer,
            **placement,
        )

    return make


@pytest.fixture
def analyst(funder):
    return user_with_role(Role.ANALYST, funder, username="analyst")


@pytest.fixture
def auditor(enterprise):
    return user_with_role(Role.AUDITOR, enterprise, username="auditor")


@pytest.fixture
def admin_user(enterprise):
    return user_with_role(Role.ADMIN, enterprise, username="admin", is_staff=True)


@pytest.fixture
def participant(enterprise, manager):
    return make_participant(organisation=enterprise, acting_user=manager)


@pytest.fixture
def placement(participant, unit, supervisor, manager, agency, case_officer):
    return make_active_placement(
        participant=participant,
        unit=unit,
        supervisors=[supervisor],
        acting_user=manager,
        agency=agency,
        case_officer=case_officer,
    )


@pytest.fixture
def instrument(db):
    return instrument_ensure_default()


@pytest.fixture
def signed_in():
    """``signed_in(client, user)``: a session that has passed the second factor."""
    from tests.accounts.signin_helpers import sign_in

    return sign_in


class _LogCollector:
    """Keeps every formatted log record of the run, to search for personal data."""

    def __init__(self):
        import logging

        from config.logging import JsonFormatter

        self.records: list[str] = []
        self.formatter = JsonFormatter()
        self.handler = logging.Handler(level=logging.DEBUG)
        self.handler.emit = self.emit

    def emit(self, record):
        self.records.append(self.formatter.format(record))
        # The raw message too: a formatter must not be what hides a leak.
        self.records.append(record.getMessage())


@pytest.fixture(scope="session", autouse=True)
def no_personal_data_in_logs():
    """Across the whole suite: no name, personnummer or health text made by the
    tests (tests.factories.CANARIES) appears in the application log."""
    import logging

    from tests.factories import CANARIES

    collector = _LogCollector()
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in ("django", "stegvis"))]
    for logger in loggers:
        logger.addHandler(collector.handler)
    yield collector
    for logger in loggers:
        logger.removeHandler(collector.handler)
    text = "\n".join(collector.records)
    leaked = sorted(canary for canary in CANARIES if canary in text)
    assert not leaked, f"personal data reached the application log: {len(leaked)} values"


@pytest.fixture
def english(client):
    """Run a test in English: messages computed in code, and pages the test
    client fetches (Swedish stays the product's default; tests/test_translations.py
    covers it)."""
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def other_case_officer(db):
    """A case officer at another agency: no relationship to the fixture placement."""
    from tests.factories import OrganisationFactory

    other_agency = OrganisationFactory(kind=Organisation.Kind.AGENCY, name="Kommunen AME")
    return user_with_role(Role.CASE_OFFICER, other_agency, username="other_case_officer")


@pytest.fixture
def login(client, signed_in):
    """``login(user)`` → the test client, signed in past the second factor, English pages."""

    def _login(user):
        signed_in(client, user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _login


@pytest.fixture
def users(
    manager,
    supervisor,
    other_supervisor,
    case_officer,
    other_case_officer,
    analyst,
    auditor,
    admin_user,
):
    """One user per role and relationship, by name, for allowed/denied tables."""
    return {
        "manager": manager,
        "supervisor": supervisor,
        "other_supervisor": other_supervisor,
        "case_officer": case_officer,
        "other_case_officer": other_case_officer,
        "analyst": analyst,
        "auditor": auditor,
        "admin": admin_user,
    }
