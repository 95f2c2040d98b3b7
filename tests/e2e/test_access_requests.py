"""A manager approves a pending role by clicking from the home page (four eyes)."""

import pytest

from accounts.models import Membership, Role
from accounts.services import membership_request
from tests.factories import UserFactory, user_with_role

from .steps import screenshot, sign_in

pytestmark = pytest.mark.e2e


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def test_manager_approves_a_new_supervisor_from_the_home_page(world, new_page):
    admin = user_with_role(Role.ADMIN, world.enterprise, username="admin", is_staff=True)
    newcomer = UserFactory(username="newcomer", first_name="Nils", last_name="Nykvist")
    pending = membership_request(
        user=newcomer, organisation=world.enterprise, role=Role.SUPERVISOR, acting_user=admin
    )
    page = new_page()
    sign_in(page, world.manager, world.devices["manager"])

    card = page.get_by_role("region", name="Access requests")
    expect(card).to_contain_text("1 role waits for your approval.")
    card.get_by_role("link", name="Review access requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Access requests")
    # The menu marks where the manager is.
    expect(
        page.get_by_role("navigation").get_by_role("link", name="Access requests")
    ).to_have_attribute("aria-current", "page")
    row = page.locator("tbody tr").filter(has_text="Nils Nykvist")
    screenshot(page, "access-requests-manager")
    row.get_by_role("button", name="Approve").click()

    expect(page.locator(".messages")).to_contain_text("Approved:")
    expect(page.get_by_text("No access requests are waiting.")).to_be_visible()
    assert Membership.objects.get(pk=pending.pk).approved_by == world.manager
