"""The participant confirms their time, by clicking on a phone (390 px): the supervisor
opens the unit's month from the attendance grid and records the participant's dispute
of a day on screen; the manager finds it on the home page and keeps the attendance,
with a reason. No page scrolls sideways."""

import pytest

from timesheets.models import TimeConfirmation

from .steps import screenshot, sign_in
from .test_attendance import PHONE, expect, no_sideways_scroll

pytestmark = pytest.mark.e2e


def test_supervisor_records_a_dispute_and_the_manager_decides(world, new_page):
    supervisor = new_page()
    supervisor.set_viewport_size(PHONE)
    sign_in(supervisor, world.supervisor, world.devices["supervisor"])
    supervisor.get_by_role("button", name="Menu").click()
    menu = supervisor.get_by_role("navigation", name="Main menu")
    menu.get_by_role("link", name="Attendance", exact=True).click()
    supervisor.get_by_role("link", name="Time confirmations").click()
    expect(supervisor.get_by_role("heading", level=1)).to_contain_text("Time confirmations")
    expect(supervisor.locator("main")).to_contain_text("Not confirmed")
    no_sideways_scroll(supervisor)
    screenshot(supervisor, "time-month-390")
    row = supervisor.locator("li", has_text="Amina Haddad")
    row.get_by_role("link", name="Confirm time").click()
    expect(supervisor.get_by_role("heading", name="Days and hours")).to_be_visible()
    supervisor.locator('input[name="disputed_days"]').first.check()
    supervisor.get_by_label("The participant's comment").fill("Jag var där hela dagen.")
    no_sideways_scroll(supervisor)
    screenshot(supervisor, "time-confirm-390")
    supervisor.get_by_role("button", name="Record the answer").click()
    expect(supervisor.locator(".messages")).to_contain_text("The dispute is recorded")
    expect(supervisor.locator("main")).to_contain_text("waits for the manager's decision")
    confirmation = TimeConfirmation.objects.get()
    assert (confirmation.status, confirmation.channel) == ("disputed", "on_screen")

    manager = new_page()
    manager.set_viewport_size(PHONE)
    sign_in(manager, world.manager, world.devices["manager"])
    card = manager.locator(
        "section", has=manager.get_by_role("heading", name="Disputed attendance")
    )
    expect(card).to_contain_text("1 month of attendance is disputed")
    card.get_by_role("link", name="Decide on disputed attendance").click()
    manager.get_by_role("link", name="Amina Haddad").click()
    expect(manager.locator("main")).to_contain_text("Jag var där hela dagen.")
    manager.get_by_label("Attendance kept as recorded").check()
    manager.get_by_label("Reason for the decision").fill("Stämplingen visar halv dag.")
    no_sideways_scroll(manager)
    screenshot(manager, "time-dispute-390")
    manager.get_by_role("button", name="Record the decision").click()
    expect(manager.locator(".messages")).to_contain_text("The decision on the dispute is recorded")
    expect(manager.locator("main")).to_contain_text("No disputed attendance waits")
    confirmation.refresh_from_db()
    assert confirmation.resolution == "kept" and confirmation.resolved_by == world.manager
