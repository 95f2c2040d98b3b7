"""A working day without typing URLs: from the home page to each main screen by
clicking the menu, links and breadcrumbs only, on a desk (1280 px) and on a phone
(390 px, where a menu button opens the menu). Any console message about the
Content Security Policy fails the test, as does a page that scrolls sideways."""

import re

import pytest

from tests.factories import UnitFactory

from .steps import screenshot, sign_in

pytestmark = pytest.mark.e2e

DESK = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desk": DESK, "phone": PHONE}


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


class Visit:
    """One person's browser: clicks through the menu, watches the console."""

    def __init__(self, page, viewport: str, person: str):
        self.page = page
        self.viewport = viewport
        self.person = person
        self.csp_messages: list[str] = []
        page.set_viewport_size(VIEWPORTS[viewport])
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_messages.append(f"{self.page.url}: {message.text}")

    @property
    def phone(self) -> bool:
        return self.viewport == "phone"

    def menu(self, entry: str) -> None:
        """Open a main-menu entry; on a phone, through the menu button."""
        page = self.page
        menu = page.get_by_role("navigation", name="Main menu")
        if self.phone:
            button = page.get_by_role("button", name="Menu")
            expect(menu).to_be_hidden()
            expect(button).to_have_attribute("aria-expanded", "false")
            button.click()
            expect(button).to_have_attribute("aria-expanded", "true")
        else:
            expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        menu.get_by_role("link", name=entry, exact=True).click()
        page.wait_for_load_state("networkidle")
        # Closed again on a phone after the page changed: found by its class, not its role.
        current = page.locator("nav.main-nav [aria-current=page]")
        expect(current).to_have_count(1)
        expect(current).to_have_text(entry)

    def heading(self, text) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_have_text(text)

    def crumb(self, name: str) -> None:
        self.page.get_by_role("navigation", name="Breadcrumbs").get_by_role(
            "link", name=name, exact=True
        ).click()
        self.page.wait_for_load_state("networkidle")

    def shot(self, name: str) -> None:
        self.check_layout()
        screenshot(self.page, f"navigation/{self.viewport}-{self.person}-{name}")

    def check_layout(self) -> None:
        page = self.page
        scroll_width, inner_width = page.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width, (
            f"{page.url} scrolls sideways at {inner_width} px: {scroll_width}"
        )
        menu_open = page.locator(".menu-toggle[aria-expanded=true]").count()
        if self.phone and not menu_open:
            # The closed header is one compact row: the brand and the menu button.
            height = page.locator(".site-header").bounding_box()["height"]
            assert height < 90, f"the phone header is {height} px high"

    def search(self, term: str) -> None:
        """The header's participant search (posted: the term stays out of the URL)."""
        page = self.page
        if self.phone:
            page.get_by_role("button", name="Menu").click()
        box = page.get_by_role("search", name="Participants")
        box.get_by_role("searchbox", name="Search participants").fill(term)
        box.get_by_role("button", name="Search").click()
        page.wait_for_load_state("networkidle")
        assert term not in page.url

    def assert_no_csp_messages(self) -> None:
        assert self.csp_messages == [], "CSP messages in the console:\n" + "\n".join(
            self.csp_messages
        )


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_a_supervisor_reaches_their_screens_by_clicking(world, new_page, viewport):
    visit = Visit(new_page(), viewport, "supervisor")
    sign_in(visit.page, world.supervisor, world.devices["supervisor"])
    visit.heading("Welcome, Sven Ek")
    visit.shot("home")

    visit.menu("Participants")
    visit.heading("Participants")
    visit.shot("participants")
    visit.page.get_by_role("link", name="Haddad, Amina").click()
    visit.heading("Amina Haddad")
    visit.shot("participant")
    tabs = visit.page.get_by_role("navigation", name="Sections of the record")
    for tab in ("Notes", "Goals", "Assessments"):
        tabs.get_by_role("link", name=tab, exact=True).click()
        expect(tabs.locator("[aria-current=page]")).to_have_text(tab)
        visit.shot(f"participant-{tab.lower()}")
    visit.crumb("Amina Haddad")
    visit.heading("Amina Haddad")
    visit.crumb("Participants")
    visit.heading("Participants")

    visit.menu("Placements")
    visit.heading("Placements")
    visit.shot("placements")
    # The name opens the record; the programme opens the placement.
    visit.page.locator("main tr", has_text="Amina Haddad").get_by_role(
        "link", name="Work training"
    ).click()
    visit.heading("Amina Haddad")
    visit.shot("placement")
    visit.crumb("Placements")
    visit.heading("Placements")

    # One unit: "Attendance" opens its week at once.
    visit.menu("Attendance")
    visit.heading("Attendance, Caféet")
    visit.shot("attendance")

    visit.search("Haddad")
    visit.heading("Participants")
    expect(visit.page.get_by_role("link", name="Haddad, Amina")).to_be_visible()
    visit.shot("search")

    visit.menu("Home")
    visit.heading("Welcome, Sven Ek")
    visit.page.get_by_role("link", name="All follow-ups due").click()
    visit.heading("Follow-ups due")
    visit.shot("follow-ups")
    visit.assert_no_csp_messages()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_a_manager_reaches_their_screens_by_clicking(world, new_page, viewport):
    UnitFactory(organisation=world.enterprise, name="Second hand")  # two units: a list
    visit = Visit(new_page(), viewport, "manager")
    sign_in(visit.page, world.manager, world.devices["manager"])
    visit.heading("Welcome, Maria Lind")
    visit.shot("home")

    visit.menu("Participants")
    visit.page.get_by_role("link", name="Register a participant").click()
    visit.heading("Register a participant")
    visit.shot("participant-create")
    visit.crumb("Participants")
    visit.page.get_by_role("link", name="Nilsson, Jonas").click()
    visit.heading("Jonas Nilsson")
    visit.page.get_by_role("navigation", name="Sections of the record").get_by_role(
        "link", name="History"
    ).click()
    visit.shot("participant-history")

    visit.menu("Placements")
    # The name opens the record; the programme opens the placement.
    visit.page.locator("main tr", has_text="Amina Haddad").get_by_role(
        "link", name="Work training"
    ).click()
    visit.heading("Amina Haddad")
    visit.page.get_by_role("link", name="Change supervisors").click()
    visit.heading("Change supervisors")
    visit.shot("placement-supervisors")
    visit.crumb("Amina Haddad")
    visit.heading("Amina Haddad")

    visit.menu("Attendance")
    visit.heading("Attendance")
    visit.shot("units")
    visit.page.locator("main").get_by_role("link", name="Caféet").click()
    visit.heading("Attendance, Caféet")
    expect(visit.page.locator("nav.main-nav [aria-current=page]")).to_have_text("Attendance")
    visit.shot("attendance")

    visit.menu("Reports")
    visit.heading("Outcome report")
    visit.shot("report")
    visit.page.get_by_role("link", name="Anonymised exports for funders").click()
    visit.heading("Anonymised exports")
    expect(visit.page.locator("nav.main-nav [aria-current=page]")).to_have_text("Reports")
    visit.shot("exports")

    visit.menu("Home")
    visit.page.get_by_role("link", name="Register a referral").click()
    visit.heading("Register a referral")
    visit.shot("referral")
    visit.crumb("Placements")
    visit.heading("Placements")

    visit.menu("Home")
    visit.page.get_by_role("region", name="Overdue").get_by_role(
        "link", name="All follow-ups due"
    ).click()
    visit.heading("Follow-ups due")
    visit.assert_no_csp_messages()


def test_the_phone_menu_closes_with_escape(world, new_page):
    visit = Visit(new_page(), "phone", "supervisor")
    sign_in(visit.page, world.supervisor, world.devices["supervisor"])
    button = visit.page.get_by_role("button", name="Menu")
    button.click()
    menu = visit.page.get_by_role("navigation", name="Main menu")
    expect(menu).to_be_visible()
    links = menu.get_by_role("link")
    expect(links).to_have_text(["Home", "Participants", "Placements", "Attendance"])
    # Each entry is a full tap target.
    for box in (links.nth(index).bounding_box() for index in range(4)):
        assert box["height"] >= 44 and box["width"] > 300
    visit.shot("menu-open")
    visit.page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    assert re.search(r"/$", visit.page.url)
    visit.assert_no_csp_messages()
