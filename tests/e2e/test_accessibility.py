"""axe-core on the main screens: no serious or critical violation.

The other violations (moderate, minor) are printed, to be worked through; run
``make e2e PYTEST_ARGS=-s`` to see them. Each screen is also saved as a
screenshot into ``screenshots/axe/`` (git-ignored).
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from notifications.kinds import Kind
from notifications.services import notify

from .steps import (
    BLOCKING_IMPACTS,
    axe_run,
    describe_violations,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.e2e


class AxeReport:
    def __init__(self):
        self.blocking: list[str] = []
        self.other: list[str] = []
        self.needs_review: list[str] = []
        self.screens: list[str] = []

    def check(self, page, screen: str) -> None:
        page.wait_for_load_state("networkidle")  # htmx sections that load themselves
        screenshot(page, f"axe/{screen}")
        result = axe_run(page)
        assert result.passes > 0, f"axe-core checked nothing on {screen}"
        violations = result.violations
        self.screens.append(screen)
        if result.incomplete:
            self.needs_review.append(f"  [{screen}] {', '.join(sorted(result.incomplete))}")
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        other = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
        if blocking:
            self.blocking.append(describe_violations(screen, blocking))
        if other:
            self.other.append(describe_violations(screen, other))


def test_main_screens_have_no_serious_accessibility_violations(world, new_page):
    report = AxeReport()

    # Signed out: the sign-in form and the second step; then the supervisor's day.
    page = new_page(bypass_csp=True)
    page.goto(reverse("login"))
    report.check(page, "sign-in")
    sign_in(page, world.supervisor, world.devices["supervisor"])
    report.check(page, "home-supervisor")
    page.goto(reverse("units:attendance_week", args=[world.unit.pk, world.week_start]))
    report.check(page, "attendance-week-empty")
    page.goto(reverse("participants:list"))
    report.check(page, "participant-list")
    page.goto(reverse("participants:detail", args=[world.attending.pk]))
    report.check(page, "participant-detail")
    page.goto(reverse("placements:detail", args=[world.attending_placement.pk]))
    report.check(page, "placement-detail-supervisor")
    page.goto(reverse("participants:follow_ups_due"))
    report.check(page, "follow-ups-due-supervisor")

    verify = new_page(bypass_csp=True)
    verify.goto(reverse("login"))
    verify.get_by_label("Username").fill(world.manager.username)
    verify.get_by_label("Password").fill("correct horse battery")
    verify.locator("main").get_by_role("button", name="Sign in").click()
    verify.wait_for_url(lambda url: "/login/verify/" in url)
    report.check(verify, "sign-in-code")

    manager = new_page(bypass_csp=True)
    sign_in(manager, world.manager, world.devices["manager"])
    report.check(manager, "home-manager")
    manager.goto(reverse("participants:list"))
    report.check(manager, "participant-list-manager")
    manager.goto(reverse("placements:detail", args=[world.referred_placement.pk]))
    report.check(manager, "placement-detail-referral")
    manager.goto(reverse("placements:list"))
    report.check(manager, "placement-list")
    manager.goto(reverse("participants:follow_ups_due"))
    report.check(manager, "follow-ups-due")
    last_week = world.week_start - timedelta(weeks=1)
    manager.goto(reverse("units:attendance_week", args=[world.unit.pk, last_week]))
    report.check(manager, "attendance-week-manager")

    officer = new_page(bypass_csp=True)
    sign_in(officer, world.case_officer, world.devices["case_officer"])
    report.check(officer, "home-case-officer")
    officer.goto(reverse("participants:detail", args=[world.attending.pk]))
    report.check(officer, "participant-detail-case-officer")
    officer.goto(reverse("participants:notes", args=[world.attending.pk]))
    report.check(officer, "notes-case-officer")
    officer.goto(reverse("placements:detail", args=[world.attending_placement.pk]))
    report.check(officer, "placement-detail-case-officer")
    officer.goto(reverse("placements:reviews_due"))
    report.check(officer, "reviews-due")
    notify(
        kind=Kind.REVIEW_DUE,
        recipients=[world.case_officer],
        url=reverse("placements:reviews_due"),
    )
    officer.goto(reverse("notifications:list"))
    report.check(officer, "notifications")
    officer.goto(reverse("notifications:preferences"))
    report.check(officer, "notification-preferences")

    print(f"\naxe-core checked {len(report.screens)} screens: {', '.join(report.screens)}")
    if report.other:
        print("Violations below 'serious' (to fix in time):")
        print("\n".join(report.other))
    if report.needs_review:
        print("For a person to review (axe could not decide):")
        print("\n".join(report.needs_review))
    assert not report.blocking, "serious or critical axe violations:\n" + "\n".join(report.blocking)
