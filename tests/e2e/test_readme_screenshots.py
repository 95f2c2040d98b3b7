"""The README's screenshots: the main screens of each role in Swedish, on a desk
(1280×800) and on a phone (390×844).

Every run saves them to ``screenshots/readme/`` (git-ignored) and checks that each
page is Swedish (``<html lang="sv">``, a Swedish heading, none of the English
words of tests/test_swedish_pages.py). With ``STEGVIS_README_SCREENSHOTS=1`` they
are written to ``docs/screenshots/`` instead, where the README shows them:

    STEGVIS_README_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e/test_readme_screenshots.py
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.services import totp_device_create
from participants.services import participant_update
from tests.factories import user_with_role
from tests.test_swedish_pages import english_in, html_text

from .steps import ROOT, SCREENSHOTS, sign_in

pytestmark = pytest.mark.e2e

VIEWPORTS = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}


def target_folder() -> Path:
    if os.environ.get("STEGVIS_README_SCREENSHOTS") == "1":
        return ROOT / "docs" / "screenshots"
    return SCREENSHOTS / "readme"


def swedish_page(browser, live_server, user, device):
    """A Swedish browser (date fields as Swedish write them) signed in as ``user``."""
    context = browser.new_context(
        base_url=live_server.url, locale="sv-SE", timezone_id="Europe/Stockholm"
    )
    context.set_default_timeout(10_000)
    CONTEXTS.append(context)
    # The shared sign-in steps find the English labels; Swedish from then on.
    language = {"name": "django_language", "url": live_server.url}
    context.add_cookies([{**language, "value": "en"}])
    page = context.new_page()
    sign_in(page, user, device)
    context.add_cookies([{**language, "value": "sv"}])
    return page


CONTEXTS: list = []


@pytest.fixture(autouse=True)
def close_contexts():
    yield
    while CONTEXTS:
        CONTEXTS.pop().close()


def shoot(page, url: str, name: str, heading: str) -> None:
    folder = target_folder()
    folder.mkdir(parents=True, exist_ok=True)
    for width, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == "sv"
        assert heading in page.locator("h1").first.inner_text()
        texts, _numbers = html_text(page.content())
        assert english_in(texts) == set(), (url, english_in(texts))
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=False)


#: Skatteverket's well-known test personnummer (Tolvan Tolvansson): a published
#: image shows no number that may belong to a real person.
TEST_IDENTITY_NUMBER = "191212121212"


def test_readme_screenshots_in_swedish(world, browser, live_server):
    participant_update(
        participant=world.attending,
        personal_identity_number=TEST_IDENTITY_NUMBER,
        birth_year=1912,
        acting_user=world.manager,
    )
    supervisor = swedish_page(browser, live_server, world.supervisor, world.devices["supervisor"])
    shoot(supervisor, "/", "home-supervisor", "Välkommen")
    shoot(
        supervisor,
        reverse("units:attendance_week", args=[world.unit.pk, world.week_start]),
        "attendance-week",
        "Närvaro",
    )
    manager = swedish_page(browser, live_server, world.manager, world.devices["manager"])
    shoot(
        manager,
        reverse("participants:detail", args=[world.attending.pk]),
        "participant-record",
        "Amina",
    )
    shoot(manager, reverse("reports:outcome"), "outcome-report", "Utfallsrapport")
    auditor = user_with_role(
        Role.AUDITOR, world.enterprise, username="auditor", first_name="Åsa", last_name="Berg"
    )
    device = totp_device_create(user=auditor, confirmed=True)[0]
    auditor_page = swedish_page(browser, live_server, auditor, device)
    shoot(auditor_page, reverse("audit:events"), "access-log", "Åtkomstlogg")
