"""The flows a person does every day, in a real browser."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from casework.models import ProgressNote
from placements.models import Attendance, Placement

from .steps import screenshot, sign_in

pytestmark = pytest.mark.e2e

SHARED_NOTE = "Jonas runs the espresso machine on his own now."
INTERNAL_NOTE = "Talked about the conflict with a colleague; follow up next week."


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def test_supervisor_marks_a_unit_week_and_downloads_the_monthly_report(world, new_page):
    """(a) Sign in with TOTP, mark the week for the unit, download the month's PDF."""
    page = new_page()
    sign_in(page, world.supervisor, world.devices["supervisor"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Sven Ek")
    screenshot(page, "home-supervisor")

    page.get_by_role("region", name="Today's attendance").get_by_role("link", name="Caféet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance, Caféet")
    # Last week: every day of it has happened (days ahead take no hours).
    page.get_by_role("link", name=re.compile("Previous week")).click()
    week_start = world.week_start - timedelta(days=7)
    placement = world.attending_placement
    row = page.locator("tbody tr").filter(has_text="Amina Haddad")
    # The row shortcut fills every scheduled day with its planned hours (stegvis.js,
    # loaded with the CSP nonce); Wednesday is then changed to a sick day.
    row.get_by_role("button", name=re.compile("Present as planned")).click()
    wednesday = (week_start + timedelta(days=2)).isoformat()
    cell = f"[data-row='{placement.pk}'][data-day='{wednesday}']"
    expect(page.locator(f"input.hours{cell}")).to_have_value("4")
    page.locator(f"input.hours{cell}").fill("0")
    page.locator(f"select.reason{cell}").select_option(label="Sick")
    page.get_by_role("button", name="Save the week").click()

    expect(page.locator(".messages")).to_contain_text("Attendance saved.")
    recorded = Attendance.objects.filter(
        placement=placement,
        date__range=(week_start, week_start + timedelta(days=6)),
    )
    assert recorded.count() == 5
    assert sum(row.attended_hours for row in recorded) == Decimal(16)
    assert recorded.get(date=wednesday).absence_reason == Attendance.AbsenceReason.SICK
    # The saved week is shown again with its totals.
    expect(row.locator("td.number").last).to_have_text("16")
    screenshot(page, "attendance-week")

    page.goto("/")
    page.get_by_role("region", name="Your participants").get_by_role(
        "link", name="Amina Haddad"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amina Haddad")
    screenshot(page, "placement-detail")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Attendance report .* \(PDF\)")).click()
    download = download_info.value
    assert re.fullmatch(r"narvaro-\d{4}-\d{2}-[0-9a-f]{8}\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert AccessEvent.objects.filter(
        participant_id=world.attending.pk, action="print", user_id=world.supervisor.pk
    ).exists()


def test_manager_starts_case_officer_approves_and_reads_only_shared_notes(world, new_page):
    """(b) The manager starts the placement and sends the plan; the case officer
    approves it and reads the shared note but not the internal one."""
    manager = new_page()
    sign_in(manager, world.manager, world.devices["manager"])
    manager.get_by_role("region", name="Referrals waiting").get_by_role(
        "link", name="Jonas Nilsson"
    ).click()
    manager.get_by_role("link", name="Start the placement").click()
    manager.get_by_label("Unit").select_option(label="Caféet")
    manager.get_by_label("Sven Ek").check()
    manager.get_by_label("Hours per week").fill("20")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        manager.get_by_label(day).check()
    manager.get_by_role("button", name="Start the placement").click()
    expect(manager.locator(".messages")).to_contain_text("The placement has started.")
    expect(manager.locator(".lead .status")).to_have_text("Active")

    manager.get_by_role("link", name="Edit the plan").click()
    manager.get_by_label("Goals").fill("Work four hours a day in the café by March.")
    manager.get_by_label("Tasks").fill("Dishes, then the till, then the espresso machine.")
    manager.get_by_label("Support needs").fill("A quiet start to the day.")
    manager.get_by_role("button", name="Save and send for approval").click()
    expect(manager.locator(".messages")).to_contain_text("sent to the case officer")

    # Two notes through the participant page (htmx form): one shared, one internal.
    manager.goto(reverse("participants:detail", args=[world.referred.pk]))
    notes = manager.locator("#notes-section")
    for text, visibility in (
        (SHARED_NOTE, "Shared with the case officer"),
        (INTERNAL_NOTE, "Internal to the enterprise"),
    ):
        notes.get_by_label("Note").fill(text)
        notes.get_by_role("radio", name=visibility).check()
        notes.get_by_role("button", name="Save note").click()
        expect(manager.locator("#notes-section .notes")).to_contain_text(text)
    placement = Placement.objects.get(pk=world.referred_placement.pk)
    assert placement.status == Placement.Status.ACTIVE
    assert placement.plan_status == Placement.PlanStatus.SUBMITTED
    assert sorted(
        ProgressNote.objects.filter(placement=placement).values_list("visibility", flat=True)
    ) == ["internal", "shared"]

    officer = new_page()
    sign_in(officer, world.case_officer, world.devices["case_officer"])
    screenshot(officer, "home-case-officer")
    officer.get_by_role("region", name="Plans awaiting your approval").get_by_role(
        "link", name="Jonas Nilsson"
    ).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Decide on the plan")
    officer.get_by_label("Approve the plan").check()
    officer.get_by_role("button", name="Send the decision").click()
    expect(officer.locator(".messages")).to_contain_text("The plan was approved.")
    expect(officer.locator("#plan-heading")).to_contain_text("Approved")
    placement.refresh_from_db()
    assert placement.plan_status == Placement.PlanStatus.APPROVED

    officer.goto(reverse("participants:list"))
    officer.get_by_role("link", name="Nilsson, Jonas").click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text("Jonas Nilsson")
    expect(officer.locator("#notes-section .notes")).to_contain_text(SHARED_NOTE)
    assert INTERNAL_NOTE not in officer.content()
    officer.get_by_role("link", name="Notes", exact=True).click()
    expect(officer.locator(".notes")).to_contain_text(SHARED_NOTE)
    screenshot(officer, "notes-case-officer")
    assert INTERNAL_NOTE not in officer.content()


def test_supervisor_of_another_enterprise_reaches_neither_participant(world, new_page):
    """(c) Every screen of both participants answers 404, as if they did not exist."""
    page = new_page()
    sign_in(page, world.other_supervisor, world.devices["other_supervisor"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Olle Mora")
    names = ("Amina", "Haddad", "Jonas", "Nilsson")
    home = page.content()
    assert not any(name in home for name in names)

    urls = [reverse("units:attendance_week", args=[world.unit.pk, world.week_start])]
    for participant, placement in (
        (world.attending, world.attending_placement),
        (world.referred, world.referred_placement),
    ):
        urls += [
            reverse("participants:detail", args=[participant.pk]),
            reverse("participants:notes", args=[participant.pk]),
            reverse("participants:goals", args=[participant.pk]),
            reverse("placements:detail", args=[placement.pk]),
            reverse("placements:plan_edit", args=[placement.pk]),
        ]
    month = world.week_start
    urls.append(
        reverse(
            "placements:attendance_month_pdf",
            args=[world.attending_placement.pk, month.year, month.month],
        )
    )
    for url in urls:
        response = page.goto(url)
        assert response.status == 404, url
        content = page.content()
        assert not any(name in content for name in names), url

    for list_url in (reverse("participants:list"), reverse("placements:list")):
        response = page.goto(list_url)
        assert response.status == 200
        content = page.content()
        assert not any(name in content for name in names), list_url
