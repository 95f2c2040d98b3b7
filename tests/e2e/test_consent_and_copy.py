"""A manager records a consent and produces the participant's copy of their data,
by clicking from the home page."""

import io
import zipfile

import pytest

from accounts.services import recovery_codes_generate
from participants.models import Consent
from subject_copy.models import SubjectCopy

from .steps import confirm_identity, screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_manager_records_a_consent_and_hands_over_a_copy(world, new_page):
    from playwright.sync_api import expect

    recovery_codes = recovery_codes_generate(user=world.manager)
    page = new_page()
    sign_in(page, world.manager, world.devices["manager"])

    # Home → participant → Consents → record a consent.
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Participants", exact=True
    ).click()
    page.get_by_role("link", name="Haddad, Amina").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amina Haddad")
    tabs = page.get_by_role("navigation", name="Sections of the record")
    tabs.get_by_role("link", name="Consents", exact=True).click()
    expect(tabs.locator("[aria-current=page]")).to_have_text("Consents")
    expect(page.get_by_text("No consent in force.")).to_be_visible()
    page.get_by_role("link", name="Record a consent").click()
    page.get_by_label("Purpose").select_option(label="Sharing health and support needs with agency")
    page.get_by_label("Agency").select_option(label=world.agency.name)
    page.get_by_label("Evidence").fill("Signed form, binder 4")
    screenshot(page, "consent-record")
    page.get_by_role("button", name="Record consent").click()

    expect(page.get_by_text("The consent has been recorded.")).to_be_visible()
    in_force = page.get_by_role("table", name="Consents in force")
    expect(in_force.get_by_text("Signed form, binder 4")).to_be_visible()
    expect(in_force.get_by_text(f"Case officers at {world.agency.name}")).to_be_visible()
    screenshot(page, "consents")
    consent = Consent.objects.get(participant=world.attending)
    assert consent.agency == world.agency and consent.withdrawn_at is None

    # → Copy of personal data → produce (password and code again) → download.
    tabs.get_by_role("link", name="Copy of personal data", exact=True).click()
    page.get_by_role("link", name="Produce a copy").click()
    confirm_identity(page, recovery_codes[0])
    page.get_by_role("button", name="Produce the copy").click()
    download_link = page.get_by_role("link", name="Download the copy (ZIP)")
    expect(download_link).to_be_visible(timeout=30_000)
    screenshot(page, "subject-copy-ready")
    with page.expect_download() as download_info:
        download_link.click()
    content = open(download_info.value.path(), "rb").read()  # noqa: PTH123, SIM115
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == ["registerutdrag.json", "registerutdrag.pdf"]
        assert "Signed form, binder 4" in archive.read("registerutdrag.json").decode()
    assert SubjectCopy.objects.get(participant=world.attending).status == SubjectCopy.Status.DONE
