"""The attendance grid in a real browser: a phone at 390 px, a desk at 1280 px, and
ending a placement on its real last day after clearing days recorded by mistake."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from placements.models import Attendance, Placement
from placements.services import AttendanceEntry, attendance_record_week, placement_pause
from tests.factories import make_active_placement, make_participant

from .steps import (
    BLOCKING_IMPACTS,
    SCREENSHOTS,
    axe_run,
    describe_violations,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def no_sideways_scroll(page) -> None:
    scroll_width, inner_width = page.evaluate(
        "[document.scrollingElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"page scrolls sideways: {scroll_width} > {inner_width}"


def _participant_placement(world, given_name, family_name, **placement):
    participant = make_participant(
        organisation=world.enterprise,
        acting_user=world.manager,
        given_name=given_name,
        family_name=family_name,
    )
    return make_active_placement(
        participant=participant,
        unit=world.unit,
        supervisors=[world.supervisor],
        acting_user=world.manager,
        agency=world.agency,
        case_officer=world.case_officer,
        hours_per_week=20,
        weekdays="12345",
        **placement,
    )


@pytest.fixture
def last_week(world):
    """Last week (every day of it has happened) at the café: Amina (from the shared
    world), Bo (paused) and Cecilia (started on Wednesday)."""
    monday = world.week_start - timedelta(days=7)
    paused = _participant_placement(world, "Bo", "Paulsson", start_date=monday - timedelta(weeks=2))
    placement_pause(placement=paused, reason="Sjukskriven två veckor", acting_user=world.manager)
    starting = _participant_placement(
        world, "Cecilia", "Startberg", start_date=monday + timedelta(days=2)
    )
    return monday, paused, starting


def test_supervisor_records_one_day_on_a_phone(world, last_week, new_page):
    monday, paused, starting = last_week
    wednesday, thursday = monday + timedelta(days=2), monday + timedelta(days=3)
    amina = world.attending_placement
    page = new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, world.supervisor, world.devices["supervisor"])
    page.goto(reverse("units:attendance_week", args=[world.unit.pk, monday]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance, Caféet")
    no_sideways_scroll(page)

    # One day at a time: choose Wednesday in the day picker.
    page.locator("label[for='show-day-2']").click()
    expect(
        page.locator(f"input.hours[data-row='{amina.pk}'][data-day='{wednesday}']")
    ).to_be_visible()
    expect(page.locator(f"input.hours[data-row='{amina.pk}'][data-day='{monday}']")).to_be_hidden()
    no_sideways_scroll(page)

    # "All present" fills the day's open cells; the paused person has none to fill.
    page.locator("th.d2").get_by_role("button", name=re.compile("All present")).click()
    expect(
        page.locator(f"input.hours[data-row='{amina.pk}'][data-day='{wednesday}']")
    ).to_have_value("4")
    expect(
        page.locator(f"input.hours[data-row='{starting.pk}'][data-day='{wednesday}']")
    ).to_have_value("4")
    expect(page.locator(f"input.hours[data-row='{paused.pk}']")).to_have_count(0)
    expect(page.locator(f"input.hours[data-row='{amina.pk}'][data-day='{monday}']")).to_have_value(
        ""
    )
    paused_row = page.locator("tbody tr").filter(has_text="Bo Paulsson")
    expect(paused_row).to_contain_text("Paused: no hours are recorded")
    screenshot(page, "attendance-week-390")
    page.screenshot(path=str(SCREENSHOTS / "attendance-week-390-full.png"), full_page=True)

    # Thursday: Amina was sick; choosing the reason sets her hours to 0.
    page.locator("label[for='show-day-3']").click()
    page.locator(f"input.hours[data-row='{amina.pk}'][data-day='{thursday}']").fill("5")
    page.locator(f"select.reason[data-row='{amina.pk}'][data-day='{thursday}']").select_option(
        label="Sick"
    )
    expect(
        page.locator(f"input.hours[data-row='{amina.pk}'][data-day='{thursday}']")
    ).to_have_value("0")
    page.get_by_role("button", name="Save the week").click()

    expect(page.locator(".messages")).to_contain_text("Attendance saved.")
    no_sideways_scroll(page)
    recorded = {
        (row.placement_id, row.date): (row.attended_hours, row.absence_reason)
        for row in Attendance.objects.all()
    }
    assert recorded == {
        (amina.pk, wednesday): (Decimal(4), ""),
        (starting.pk, wednesday): (Decimal(4), ""),
        (amina.pk, thursday): (Decimal(0), "sick"),
    }
    screenshot(page, "attendance-week-390-saved")


def test_manager_clears_wrong_days_then_ends_on_the_real_last_day(world, last_week, new_page):
    monday, _paused, _starting = last_week
    dana = _participant_placement(world, "Dana", "Lastday", start_date=monday - timedelta(weeks=6))
    # Recorded Monday to Thursday, but Dana's real last day was Tuesday.
    attendance_record_week(
        unit=world.unit,
        week_start=monday,
        entries=[
            AttendanceEntry(placement_id=dana.pk, date=monday + timedelta(days=d), attended_hours=4)
            for d in range(4)
        ],
        acting_user=world.supervisor,
    )
    tuesday = monday + timedelta(days=1)
    wrong = [monday + timedelta(days=2), monday + timedelta(days=3)]
    page = new_page()
    page.set_viewport_size(DESK)
    sign_in(page, world.manager, world.devices["manager"])

    def end_on_tuesday():
        page.goto(reverse("placements:end", args=[dana.pk]))
        page.get_by_label("Last day").fill(tuesday.isoformat())
        page.get_by_label("Exit outcome").select_option(value="studies")
        page.locator("main").get_by_role("button", name="End the placement").click()

    end_on_tuesday()
    message = page.locator("main")
    expect(message).to_contain_text(f"on {wrong[0]}, {wrong[1]}. Clear those days")
    assert Placement.objects.get(pk=dana.pk).status == Placement.Status.ACTIVE

    page.goto(reverse("units:attendance_week", args=[world.unit.pk, monday]))
    no_sideways_scroll(page)
    for day in wrong:
        page.locator(f"input[name='c-{dana.pk}-{day.isoformat()}']").check()
    page.get_by_label("Why are the ticked days cleared?").select_option(value="after_end")
    screenshot(page, "attendance-week-1280")
    page.screenshot(path=str(SCREENSHOTS / "attendance-week-1280-full.png"), full_page=True)
    page.get_by_role("button", name="Save the week").click()
    expect(page.locator(".messages")).to_contain_text("Attendance saved; 2 days cleared.")

    end_on_tuesday()
    expect(page.locator(".messages")).to_contain_text("The placement has ended.")
    dana.refresh_from_db()
    assert (dana.status, dana.actual_end) == (Placement.Status.ENDED, tuesday)
    assert sorted(dana.attendance.values_list("date", flat=True)) == [monday, tuesday]
    assert (
        Attendance.history.filter(
            placement_id=dana.pk,
            history_type="-",
            history_change_reason="attendance cleared: after_end",
        ).count()
        == 2
    )


def test_the_one_day_layout_has_no_serious_accessibility_violations(world, last_week, new_page):
    monday, _paused, _starting = last_week
    page = new_page(bypass_csp=True)  # axe is injected without the page's nonce
    page.set_viewport_size(PHONE)
    sign_in(page, world.supervisor, world.devices["supervisor"])
    page.goto(reverse("units:attendance_week", args=[world.unit.pk, monday]))
    page.locator("label[for='show-day-1']").click()
    result = axe_run(page)
    assert result.passes > 0
    blocking = [v for v in result.violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, describe_violations("attendance-week-390", blocking)
