"""The participant record as hub, by clicking: the summary header on every tab, the
timeline, pausing with a reason, the referral's person search and the review's
basis; on a desk (1280 px) and a phone (390 px), with no CSP message and no page
that scrolls sideways. Screenshots go to screenshots/hub/."""

import pytest

from .steps import screenshot, sign_in
from .test_navigation import VIEWPORTS, Visit, expect

pytestmark = pytest.mark.e2e


def shot(visit: Visit, name: str) -> None:
    visit.check_layout()
    screenshot(visit.page, f"hub/{visit.viewport}-{visit.person}-{name}")


def summary(page):
    return page.locator("header.record-summary")


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_manager_works_from_the_record(world, new_page, viewport):
    visit = Visit(new_page(), viewport, "manager")
    page = visit.page
    sign_in(page, world.manager, world.devices["manager"])
    visit.menu("Participants")
    page.get_by_role("link", name="Haddad, Amina").click()
    visit.heading("Amina Haddad")
    header = summary(page)
    for text in ("Caféet", "Sven Ek", "Karin Berg", "Active", "Next due"):
        expect(header).to_contain_text(text)
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Started")
    shot(visit, "record")

    # Every tab keeps the header.
    tabs = page.get_by_role("navigation", name="Sections of the record")
    for tab in ("Notes", "Goals", "Assessments", "History"):
        tabs.get_by_role("link", name=tab, exact=True).click()
        expect(tabs.locator("[aria-current=page]")).to_have_text(tab)
        expect(summary(page)).to_contain_text("Karin Berg")
    shot(visit, "record-history")
    tabs.get_by_role("link", name="Overview", exact=True).click()

    # Pause from the timeline: a page that asks why, refuses no reason, then confirms.
    page.locator("#timeline").get_by_role("link", name="Pause", exact=True).click()
    visit.heading("Pause the placement")
    page.get_by_role("button", name="Confirm the pause").click()
    expect(page.locator(".errorlist")).to_contain_text("Say why the placement is paused.")
    page.get_by_label("Reason for the pause").fill("Sick leave for two weeks.")
    shot(visit, "pause")
    page.get_by_role("button", name="Confirm the pause").click()
    expect(page.locator(".messages")).to_contain_text("The placement is paused.")
    # The name on the placement page leads back to the record.
    page.get_by_role("heading", level=1).get_by_role("link", name="Amina Haddad").click()
    visit.heading("Amina Haddad")
    expect(summary(page)).to_contain_text("Paused")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Sick leave for two weeks.")
    expect(timeline.get_by_role("link", name="Resume")).to_be_visible()
    timeline.scroll_into_view_if_needed()
    shot(visit, "timeline-paused")

    # A referral: the person is found by a search, not picked from everyone.
    visit.menu("Placements")
    page.get_by_role("link", name="Register a referral").click()
    visit.heading("Register a referral")
    expect(page.get_by_role("radio")).to_have_count(0)
    page.get_by_label("Search by name or personal identity number").fill("nils")
    page.get_by_role("button", name="Search", exact=True).last.click()
    expect(page.get_by_role("radio", name="Jonas Nilsson")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(1)
    shot(visit, "referral-search")
    visit.assert_no_csp_messages()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_case_officer_reviews_with_the_basis_in_view(world, new_page, viewport):
    visit = Visit(new_page(), viewport, "case_officer")
    page = visit.page
    sign_in(page, world.case_officer, world.devices["case_officer"])
    visit.menu("Participants")
    page.get_by_role("link", name="Haddad, Amina").click()
    visit.heading("Amina Haddad")
    number = world.attending.personal_identity_number
    expect(summary(page)).to_contain_text(number)  # the case officer sees it whole
    shot(visit, "record")
    page.locator("#timeline").get_by_role("link", name="Record a review").click()
    visit.heading("Record a review")
    basis = page.locator(".review-basis")
    expect(basis).to_contain_text("What the review is based on")
    expect(basis).to_contain_text("Attendance")
    shot(visit, "review-form")
    visit.assert_no_csp_messages()


def test_supervisor_sees_the_number_masked(world, new_page):
    visit = Visit(new_page(), "desk", "supervisor")
    page = visit.page
    sign_in(page, world.supervisor, world.devices["supervisor"])
    visit.menu("Participants")
    page.get_by_role("link", name="Haddad, Amina").click()
    number = world.attending.personal_identity_number
    expect(summary(page)).to_contain_text(number[:-4] + "••••")
    assert number not in page.content()
    visit.assert_no_csp_messages()
