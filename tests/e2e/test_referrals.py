"""A referral by clicking, case officer → manager → case officer, on a desk (1280 px)
and a phone (390 px): the case officer sends it from the home page, the manager asks
for more information, the case officer answers, the manager accepts (a planned
placement), and both write in the placement's messages. No page scrolls sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone

from placements.models import Placement
from referrals.models import Agreement, Referral

from .steps import screenshot, sign_in
from .test_attendance import DESK, PHONE, expect, no_sideways_scroll

pytestmark = pytest.mark.e2e

NUMBER = "19850412-1230"


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["1280", "390"])
def test_case_officer_refers_manager_asks_and_accepts(world, new_page, size):
    tag = size["width"]
    Agreement.objects.create(
        agency=world.agency, enterprise=world.enterprise, valid_from=timezone.localdate()
    )
    start = timezone.localdate() + timedelta(days=14)

    # The case officer sends the referral from their home page.
    officer = new_page()
    officer.set_viewport_size(size)
    sign_in(officer, world.case_officer, world.devices["case_officer"])
    officer.get_by_role("link", name="New referral").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("New referral")
    officer.get_by_label("Personal identity number").fill(NUMBER)
    officer.get_by_label("Given name").fill("Saga")
    officer.get_by_label("Family name").fill("Remissdotter")
    officer.get_by_label("Gender").select_option("woman")
    officer.get_by_label("Labour-market status").select_option("long_term_unemployed")
    officer.get_by_label("Enterprise").select_option(label=world.enterprise.name)
    officer.get_by_label("Agency decision number").fill("AF-2026-77")
    officer.get_by_label("Hours per week").fill("20")
    officer.get_by_label("Wanted start").fill(start.isoformat())
    officer.get_by_label("Reason for the referral").fill("Vill pröva arbete i kafé.")
    no_sideways_scroll(officer)
    screenshot(officer, f"referral-new-{tag}")
    officer.get_by_role("button", name="Send the referral").click()
    expect(officer.locator(".messages")).to_contain_text("sent to the enterprise")
    expect(officer.get_by_role("heading", level=1)).to_have_text("Saga Remissdotter")
    no_sideways_scroll(officer)
    screenshot(officer, f"referral-sent-{tag}")

    # The manager finds it on the home page and asks for more information.
    manager = new_page()
    manager.set_viewport_size(size)
    sign_in(manager, world.manager, world.devices["manager"])
    card = manager.locator(
        "section", has=manager.get_by_role("heading", name="Referrals from agencies")
    )
    card.get_by_role("link", name="Saga Remissdotter").click()
    no_sideways_scroll(manager)
    screenshot(manager, f"referral-manager-{tag}")
    manager.get_by_role("link", name="Ask for more information").click()
    manager.get_by_label("What do you need to know?").fill("Kan hon börja klockan åtta?")
    manager.get_by_role("button", name="Send the question").click()
    expect(manager.locator(".lead")).to_contain_text("More information requested")

    # The case officer answers from "My referrals".
    officer.goto("/")
    officer.get_by_role("link", name="All my referrals").click()
    expect(officer.get_by_role("cell", name="More information requested")).to_be_visible()
    no_sideways_scroll(officer)
    screenshot(officer, f"referral-my-list-{tag}")
    officer.get_by_role("link", name="Saga Remissdotter").click()
    expect(officer.locator("main")).to_contain_text("Kan hon börja klockan åtta?")
    officer.get_by_role("link", name="Answer with more information").click()
    officer.get_by_label("Your answer").fill("Ja, från klockan åtta.")
    officer.get_by_role("button", name="Send the answer").click()
    expect(officer.locator(".lead")).to_contain_text("Sent, waiting for an answer")

    # The manager accepts: unit, supervisor and start date; a planned placement.
    manager.goto("/")
    card = manager.locator(
        "section", has=manager.get_by_role("heading", name="Referrals from agencies")
    )
    card.get_by_role("link", name="Saga Remissdotter").click()
    expect(manager.locator("main")).to_contain_text("Ja, från klockan åtta.")
    manager.get_by_role("link", name="Accept", exact=True).click()
    manager.get_by_label("Unit").select_option(label=world.unit.name)
    manager.get_by_label("Supervisor").select_option(label="Sven Ek")
    manager.get_by_label("Start date").fill(start.isoformat())
    no_sideways_scroll(manager)
    screenshot(manager, f"referral-accept-{tag}")
    manager.get_by_role("button", name="Accept and plan the placement").click()
    expect(manager.locator(".messages")).to_contain_text("the placement is planned")
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.ACCEPTED
    placement = Placement.objects.get(pk=referral.placement_id)
    assert (placement.status, placement.decision_number) == ("planned", "AF-2026-77")

    # Both write in the placement's messages.
    manager.get_by_role("link", name="Open the placement").click()
    manager.get_by_role("link", name="Messages").click()
    manager.get_by_label("New message").fill("Välkommen den första! <b>Fika</b> kl 10.")
    manager.get_by_role("button", name="Send", exact=True).click()
    expect(manager.locator(".messages")).to_contain_text("Your message has been sent")
    expect(manager.locator("ol.thread")).to_contain_text("<b>Fika</b>")  # shown as text

    officer.goto(referral.get_absolute_url())
    expect(officer.locator(".lead")).to_contain_text("Accepted")
    officer.get_by_role("link", name="Open the placement").click()
    officer.get_by_role("link", name="Messages").click()
    expect(officer.locator("ol.thread")).to_contain_text("Välkommen den första!")
    officer.get_by_label("New message").fill("Tack, jag kommer på uppföljningen.")
    officer.get_by_role("button", name="Send", exact=True).click()
    expect(officer.locator("ol.thread li")).to_have_count(2)
    no_sideways_scroll(officer)
    screenshot(officer, f"referral-messages-{tag}")

    # The other enterprise's supervisor sees none of it.
    outsider = new_page()
    outsider.set_viewport_size(size)
    sign_in(outsider, world.other_supervisor, world.devices["other_supervisor"])
    assert outsider.goto(referral.get_absolute_url()).status == 403
    assert outsider.goto(f"/placeringar/{placement.pk}/meddelanden/").status == 404
    expect(outsider.locator("main")).not_to_contain_text("Remissdotter")
