"""The outcome report form shows that it is working and cannot be sent twice."""

import pytest
from django.urls import reverse

from .steps import sign_in

pytestmark = pytest.mark.e2e

BUSY = "Computing the report. Over many enterprises this can take half a minute."


def test_the_report_form_shows_it_is_busy_and_is_not_sent_twice(world, new_page):
    from playwright.sync_api import expect

    page = new_page()
    sign_in(page, world.manager, world.devices["manager"])
    page.goto(reverse("casework:report"))
    form = page.locator("form.report-filter")
    show = form.get_by_role("button", name="Show")
    expect(show).to_be_enabled()
    expect(page.get_by_role("status")).to_have_text("")

    # Keep the page here after stegvis.js has seen the submit: a listener added
    # after its own runs after it, and stops the navigation.
    page.evaluate("document.addEventListener('submit', (event) => event.preventDefault())")
    show.click()

    expect(show).to_be_disabled()
    expect(page.get_by_role("status")).to_have_text(BUSY)
    expect(form).to_have_attribute("aria-busy", "true")


def test_the_report_form_still_shows_the_report(world, new_page):
    from playwright.sync_api import expect

    page = new_page()
    sign_in(page, world.manager, world.devices["manager"])
    page.goto(reverse("casework:report"))
    page.locator("form.report-filter").get_by_role("button", name="Show").click()

    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    expect(page.locator("form.report-filter").get_by_role("button", name="Show")).to_be_enabled()
