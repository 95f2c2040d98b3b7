"""Notifications in a referral, by clicking at 390 px: the case officer refers, the
manager is told (the count in the header, the list) and asks for more information,
the case officer is told in turn. The e-mails in the outbox hold a count and a link,
never the person's name, personal identity number or the referral's text."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from referrals.models import Agreement

from .steps import screenshot, sign_in
from .test_attendance import PHONE, expect, no_sideways_scroll

pytestmark = pytest.mark.e2e

NUMBER = "19850412-1230"
NAME = ("Saga", "Aviseradotter")
REASON = "Vill pröva arbete i kafé efter sjukskrivning."
QUESTION = "Kan hon börja klockan åtta?"


def test_referral_notifications_reach_each_party(world, new_page):
    Agreement.objects.create(
        agency=world.agency, enterprise=world.enterprise, valid_from=timezone.localdate()
    )
    for user in (world.case_officer, world.manager):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    mail.outbox = []

    officer = new_page()
    officer.set_viewport_size(PHONE)
    sign_in(officer, world.case_officer, world.devices["case_officer"])
    officer.get_by_role("link", name="New referral").click()
    officer.get_by_label("Personal identity number").fill(NUMBER)
    officer.get_by_label("Given name").fill(NAME[0])
    officer.get_by_label("Family name").fill(NAME[1])
    officer.get_by_label("Gender").select_option("woman")
    officer.get_by_label("Labour-market status").select_option("long_term_unemployed")
    officer.get_by_label("Enterprise").select_option(label=world.enterprise.name)
    officer.get_by_label("Agency decision number").fill("AF-2026-77")
    officer.get_by_label("Hours per week").fill("20")
    officer.get_by_label("Wanted start").fill(
        (timezone.localdate() + timedelta(days=14)).isoformat()
    )
    officer.get_by_label("Reason for the referral").fill(REASON)
    officer.get_by_role("button", name="Send the referral").click()
    expect(officer.locator(".messages")).to_contain_text("sent to the enterprise")

    # The manager sees the count in the header, opens the list and the referral.
    manager = new_page()
    manager.set_viewport_size(PHONE)
    sign_in(manager, world.manager, world.devices["manager"])
    header_link = manager.locator("a.notifications-link")
    expect(header_link.locator(".notification-badge")).to_have_text("1")
    header_link.click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Notifications")
    no_sideways_scroll(manager)
    screenshot(manager, "notifications-manager-390")
    manager.get_by_role("button", name="New referral").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text(" ".join(NAME))
    expect(manager.locator("a.notifications-link .notification-badge")).to_have_count(0)
    manager.get_by_role("link", name="Ask for more information").click()
    manager.get_by_label("What do you need to know?").fill(QUESTION)
    manager.get_by_role("button", name="Send the question").click()
    expect(manager.locator(".lead")).to_contain_text("More information requested")

    # The case officer is told the referral was answered.
    officer.goto("/")
    officer.locator("a.notifications-link").click()
    officer.get_by_role("button", name="Referral answered").click()
    expect(officer.locator("main")).to_contain_text(QUESTION)
    no_sideways_scroll(officer)

    # One e-mail to each (both want these at once by default): a count and a link.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [world.case_officer.email, world.manager.email]
    )
    text = "\n".join(f"{message.subject}\n{message.body}" for message in mail.outbox)
    for secret in (*NAME, NUMBER, NUMBER.replace("-", ""), REASON, QUESTION):
        assert secret not in text
    assert "/aviseringar/" in text
