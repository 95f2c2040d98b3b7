"""Browser tests: Playwright (sync API) driving the distribution's Chromium against
pytest-django's live server.

No browser is downloaded: Playwright's own browser builds cannot be fetched on our
machines, so the tests use the system Chromium (Debian package ``chromium``,
installed by ``.ci/run``). Without it the tests skip with a reason locally and
fail in CI (``CI=true``), so a broken install step cannot pass unnoticed.
"""

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Organisation, Role
from accounts.services import totp_device_create
from casework.models import ProgressNote
from casework.services import placement_end, progress_note_add
from placements.models import Programme
from placements.services import referral_register
from tests.factories import (
    OrganisationFactory,
    UnitFactory,
    make_active_placement,
    make_participant,
    user_with_role,
)

CHROMIUM = Path(os.environ.get("STEGVIS_CHROMIUM", "/usr/bin/chromium"))
# --headless is added by Playwright itself; Playwright also gives every launch a
# fresh temporary profile (user-data-dir). The background-networking flags keep
# Chromium from calling out of this machine's closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}


def _browser_unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module; the Playwright loop lives as long as it does."""
    reason = _browser_unavailable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(f"browser tests need a browser: {reason}")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's sync API keeps an asyncio loop running in this thread, so
        # Django's async-safety check would refuse every ORM call the tests (and
        # the database teardown) make while the browser is open. Module scope
        # keeps that exemption to the browser tests; the live server has its own
        # thread and keeps the check.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page()``: a page in a fresh browser context (its own cookies)."""
    contexts = []

    def make(*, bypass_csp: bool = False):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORT,
            # English: the tests find elements by their visible text, and
            # Swedish translations may change it.
            locale="en-GB",
            timezone_id="Europe/Stockholm",
            accept_downloads=True,
            # Test only: axe-core is injected as a script without the page's CSP
            # nonce, which the app's strict CSP (rightly) refuses. Pages under an
            # axe check are loaded in a context that bypasses the CSP.
            bypass_csp=bypass_csp,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@dataclass
class World:
    """Two enterprises, an agency and the people of the three flows."""

    enterprise: Organisation
    other_enterprise: Organisation
    agency: Organisation
    unit: object
    manager: object
    supervisor: object
    case_officer: object
    other_supervisor: object
    devices: dict
    attending: object  # participant with a running placement (flow a)
    attending_placement: object
    referred: object  # participant with a referral only (flow b)
    referred_placement: object
    week_start: date


@pytest.fixture
def world(transactional_db) -> World:
    """Data built through the services, as production builds it."""
    enterprise = OrganisationFactory(kind=Organisation.Kind.ENTERPRISE, name="Kaffekvarnen ASF")
    other_enterprise = OrganisationFactory(
        kind=Organisation.Kind.ENTERPRISE, name="Snickeriet i Mora"
    )
    agency = OrganisationFactory(kind=Organisation.Kind.AGENCY, name="Arbetsförmedlingen Falun")
    unit = UnitFactory(organisation=enterprise, name="Caféet")
    UnitFactory(organisation=other_enterprise, name="Verkstaden")
    people = {
        "manager": user_with_role(
            Role.MANAGER, enterprise, username="manager", first_name="Maria", last_name="Lind"
        ),
        "supervisor": user_with_role(
            Role.SUPERVISOR, enterprise, username="supervisor", first_name="Sven", last_name="Ek"
        ),
        "case_officer": user_with_role(
            Role.CASE_OFFICER, agency, username="officer", first_name="Karin", last_name="Berg"
        ),
        "other_supervisor": user_with_role(
            Role.SUPERVISOR,
            other_enterprise,
            username="other_supervisor",
            first_name="Olle",
            last_name="Mora",
        ),
    }
    devices = {
        name: totp_device_create(user=user, confirmed=True)[0] for name, user in people.items()
    }
    manager, supervisor = people["manager"], people["supervisor"]
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday())

    attending = make_participant(
        organisation=enterprise, acting_user=manager, given_name="Amina", family_name="Haddad"
    )
    attending_placement = make_active_placement(
        participant=attending,
        unit=unit,
        supervisors=[supervisor],
        acting_user=manager,
        start_date=week_start - timedelta(weeks=4),
        agency=agency,
        case_officer=people["case_officer"],
        hours_per_week=20,
        weekdays="12345",
    )
    referred = make_participant(
        organisation=enterprise, acting_user=manager, given_name="Jonas", family_name="Nilsson"
    )
    referred_placement = referral_register(
        participant=referred,
        programme=Programme.WORK_TRAINING,
        referred_on=today - timedelta(days=7),
        referring_organisation=agency,
        case_officer=people["case_officer"],
        proposed_start=today,
        acting_user=manager,
    )
    # An ended placement, so that the follow-ups screen has a row that is due.
    leaver = make_participant(
        organisation=enterprise, acting_user=manager, given_name="Elin", family_name="Sundberg"
    )
    leaver_placement = make_active_placement(
        participant=leaver,
        unit=unit,
        supervisors=[supervisor],
        acting_user=manager,
        start_date=week_start - timedelta(weeks=16),
        agency=agency,
        case_officer=people["case_officer"],
    )
    progress_note_add(
        placement=leaver_placement,
        text="Steady weeks in the café; ready for an interview.",
        kind=ProgressNote.Kind.MILESTONE,
        visibility=ProgressNote.Visibility.SHARED,
        on=week_start - timedelta(weeks=6),
        acting_user=supervisor,
    )
    placement_end(
        placement=leaver_placement,
        ended_on=today - timedelta(days=35),
        outcome="employed_subsidised",
        acting_user=manager,
    )
    return World(
        enterprise=enterprise,
        other_enterprise=other_enterprise,
        agency=agency,
        unit=unit,
        devices=devices,
        attending=attending,
        attending_placement=attending_placement,
        referred=referred,
        referred_placement=referred_placement,
        week_start=week_start,
        **people,
    )
