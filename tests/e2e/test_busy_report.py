"""The outcome report form shows that it is working and cannot be sent twice."""

import pytest
from django.urls import reverse

from accounts.services import recovery_codes_generate

from .steps import confirm_identity, sign_in

pytestmark = pytest.mark.e2e

BUSY = "Computing the report. Over many enterprises this can take half a minute."


def test_the_report_form_shows_it_is_busy_and_is_not_sent_twice(world, new_page):
    from playwright.sync_api import expect

    page = new_page()
    sign_in(page, world.manager, world.devices["manager"])
    page.goto(reverse("reports:outcome"))
    form = page.locator("form.report-filter")
    show = form.get_by_role("button", name="Show")
    expect(show).to_be_enabled()
    expect(form.get_by_role("status")).to_have_text("")

    # Keep the page here after stegvis.js has seen the submit: a listener added
    # after its own runs after it, and stops the navigation.
    page.evaluate("document.addEventListener('submit', (event) => event.preventDefault())")
    show.click()

    expect(show).to_be_disabled()
    expect(form.get_by_role("status")).to_have_text(BUSY)
    expect(form).to_have_attribute("aria-busy", "true")


def test_the_report_form_still_shows_the_report(world, new_page):
    from playwright.sync_api import expect

    page = new_page()
    sign_in(page, world.manager, world.devices["manager"])
    page.goto(reverse("reports:outcome"))
    page.locator("form.report-filter").get_by_role("button", name="Show").click()

    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    expect(page.locator("form.report-filter").get_by_role("button", name="Show")).to_be_enabled()


PREPARING = "Preparing the file. Over many enterprises this can take half a minute."
READY = "The file is ready. You find it among the browser's downloads."


def test_a_report_download_says_it_is_working_until_the_file_arrives(world, new_page):
    from playwright.sync_api import expect

    recovery_codes = recovery_codes_generate(user=world.manager)
    page = new_page()
    sign_in(page, world.manager, world.devices["manager"])
    page.goto(reverse("reports:outcome"))
    page.locator("form.report-filter").get_by_role("button", name="Show").click()
    # The files are exports: password and code again, then back to the report.
    page.get_by_role("link", name="PDF").click()
    confirm_identity(page, recovery_codes[0])
    expect(page.locator("form.report-filter")).to_be_visible()
    status = page.locator("[data-download-status]")
    links = page.locator("[data-downloads]")
    expect(status).to_have_text("")
    # Every text the status region shows, in order (Playwright's own locators
    # wait while the download's request is under way, so they cannot see it).
    page.evaluate(
        """() => {
          const status = document.querySelector("[data-download-status]");
          window.statusLog = [];
          new MutationObserver(() => window.statusLog.push(status.textContent))
            .observe(status, {childList: true, characterData: true, subtree: true});
        }"""
    )

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert "download=" in download.value.url

    expect(status).to_have_text(READY)
    assert page.evaluate("window.statusLog") == [PREPARING, READY]
    expect(links).not_to_have_attribute("aria-busy", "true")
    assert "stegvis_download" not in page.evaluate("document.cookie")
