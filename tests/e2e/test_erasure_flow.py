"""Erasure by clicking: the manager requests it from the record, the
data-protection officer finds it under Data protection and approves it."""

import pytest

from accounts.models import Role
from accounts.services import totp_device_create
from audit.models import AccessEvent
from erasure.models import ErasureRequest
from participants.models import Participant
from tests.factories import user_with_role

from .steps import screenshot, sign_in

pytestmark = pytest.mark.e2e


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def test_manager_requests_and_the_data_protection_officer_approves(world, new_page):
    leaver = Participant.objects.get(placements__status="ended")
    page = new_page()
    sign_in(page, world.manager, world.devices["manager"])
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Participants"
    ).click()
    page.get_by_role("link", name="Sundberg, Elin").click()
    page.get_by_role("link", name="Erasure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erasure")
    page.get_by_label("The participant asked for erasure").check()
    screenshot(page, "erasure-request")
    page.get_by_role("button", name="Request erasure").click()
    expect(page.locator(".messages")).to_contain_text("the data-protection officer decides")
    expect(page.get_by_role("heading", level=1)).to_have_text("Erasure request")
    # The requester is told that someone else decides, and gets no form.
    expect(page.get_by_role("button", name="Record the decision")).to_have_count(0)

    # A record with a running placement is refused with the reason.
    page.goto(world.attending.get_absolute_url())
    page.get_by_role("link", name="Erasure").click()
    expect(page.get_by_role("alert")).to_contain_text("placement that has not ended")

    officer = user_with_role(
        Role.AUDITOR, world.enterprise, username="dpo", first_name="Dana", last_name="Holm"
    )
    device = totp_device_create(user=officer, confirmed=True)[0]
    page = new_page()
    sign_in(page, officer, device)
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Data protection"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erasure and retention")
    screenshot(page, "erasure-pending")
    page.get_by_role("link", name="Decide").click()
    expect(page.locator("main")).not_to_contain_text("Sundberg")  # ids, not names
    page.get_by_label("Approve: erase the record now").check()
    page.get_by_label("I have checked the legal basis").check()
    screenshot(page, "erasure-decide")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".messages")).to_contain_text("The record has been erased.")
    assert not Participant.objects.filter(pk=leaver.pk).exists()
    erasure = ErasureRequest.objects.get(participant_id=leaver.pk)
    assert erasure.status == ErasureRequest.Status.ERASED and erasure.decided_by == officer
    assert AccessEvent.objects.filter(action="erase", participant_id=leaver.pk).exists()
