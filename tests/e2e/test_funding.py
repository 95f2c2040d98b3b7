"""A manager finds the funded project from the menu, opens a placement in it and
records the data at entry, on a desk (1280 px) and a phone (390 px); no page
scrolls sideways."""

from datetime import date

import pytest

from accounts.models import Organisation
from funding.models import FileKind, ProjectKind, ProjectPlacement
from funding.services import ProjectInput, project_create, project_placement_add
from tests.factories import OrganisationFactory

from .steps import screenshot, sign_in
from .test_attendance import DESK, PHONE, expect, no_sideways_scroll

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["1280", "390"])
def test_manager_records_the_data_at_entry_of_a_placement_in_a_project(world, new_page, size):
    funder = OrganisationFactory(kind=Organisation.Kind.FUNDER, name="ESF-rådet")
    project = project_create(
        enterprise=world.enterprise,
        data=ProjectInput(
            kind=ProjectKind.ESF,
            name="Vägen framåt",
            reference="2026/00417",
            funder=funder,
            starts_on=date(2020, 1, 1),
            obligations=(FileKind.ESF_PARTICIPANTS,),
        ),
        acting_user=world.manager,
    )
    placement = world.attending_placement
    membership = project_placement_add(
        project=project,
        placement=placement,
        joined_on=placement.start_date,
        acting_user=world.manager,
    )
    page = new_page()
    page.set_viewport_size(size)
    sign_in(page, world.manager, world.devices["manager"])
    menu = page.get_by_role("navigation", name="Main menu")
    if size is PHONE:
        page.get_by_role("button", name="Menu").click()
    menu.get_by_role("link", name="Projects", exact=True).click()
    page.get_by_role("link", name="Vägen framåt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vägen framåt")
    no_sideways_scroll(page)
    page.get_by_role("link", name=world.attending.full_name).click()
    page.get_by_label("Labour-market status at entry").select_option("inactive_not_in_education")
    page.get_by_label("Homeless or affected by housing exclusion").select_option("declined")
    no_sideways_scroll(page)
    screenshot(page, f"funding-entry-{size['width']}")
    page.get_by_role("button", name="Save the data at entry").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vägen framåt")
    membership = ProjectPlacement.objects.get(pk=membership.pk)
    assert membership.entry_status == "inactive_not_in_education"
    assert membership.homeless == "declined"
