"""The time confirmation screens: allowed and denied, the flows, access events and
query counts."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from placements.models import Attendance
from timesheets.models import TimeConfirmation
from timesheets.selectors import control_code

from .conftest import MONTH, confirm, current_digest, record_week

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 1, 6)


def confirm_url(placement, month=MONTH):
    return reverse("placements:time_confirm", args=[placement.pk, month.year, month.month])


def dispute_url(placement, month=MONTH):
    return reverse("placements:time_dispute", args=[placement.pk, month.year, month.month])


def unit_month_url(unit, month=MONTH):
    return reverse("units:time_month", args=[unit.pk, month.year, month.month])


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("supervisor", 200),
        ("manager", 200),
        ("case_officer", 403),  # reads the state on the monthly PDF, records nothing
        ("other_supervisor", 404),
        ("other_case_officer", 403),
        ("analyst", 403),
        ("auditor", 403),
    ],
)
def test_who_opens_the_confirmation_page(january, users, login, user, status):
    assert login(users[user]).get(confirm_url(january)).status_code == status


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("manager", 200),
        ("supervisor", 403),
        ("case_officer", 403),
        ("other_supervisor", 403),
        ("analyst", 403),
    ],
)
def test_only_the_manager_opens_the_disputes(january, users, login, user, status):
    client = login(users[user])
    assert client.get(reverse("units:time_disputes")).status_code == status
    assert client.get(dispute_url(january)).status_code == status


def test_a_manager_of_another_enterprise_sees_no_dispute(january, other_manager, login):
    assert login(other_manager).get(dispute_url(january)).status_code == 404


def test_the_supervisor_records_a_dispute_on_screen(january, supervisor, login):
    client = login(supervisor)
    page = client.get(confirm_url(january))
    html = page.content.decode()
    assert "Not confirmed" in html
    assert 'value="2026-01-06"' in html
    response = client.post(
        confirm_url(january),
        {
            "channel": "on_screen",
            "digest": page.context["current"].digest,
            "disputed_days": ["2026-01-06"],
            "comment": "Jag gick hem efter två timmar",
        },
    )
    assert response.status_code == 302
    confirmation = TimeConfirmation.objects.get(placement=january)
    assert confirmation.status == "disputed"
    assert confirmation.recorded_by == supervisor
    html = client.get(confirm_url(january)).content.decode()
    assert "Disputed" in html
    assert "Jag gick hem efter två timmar" in html
    assert "waits for the manager" in html


def test_a_dispute_without_a_comment_is_shown_on_the_field(january, supervisor, login):
    client = login(supervisor)
    response = client.post(
        confirm_url(january),
        {
            "channel": "on_screen",
            "digest": current_digest(january),
            "disputed_days": ["2026-01-06"],
        },
    )
    assert response.status_code == 200
    assert "Write what the participant says is wrong." in response.content.decode()
    assert not TimeConfirmation.objects.exists()


def test_the_signed_paper_is_marked_received(january, supervisor, login):
    client = login(supervisor)
    wrong = client.post(
        confirm_url(january),
        {"channel": "paper", "digest": current_digest(january), "control_code": "0000-0000"},
    )
    assert "Print the month again" in wrong.content.decode()
    response = client.post(
        confirm_url(january),
        {
            "channel": "paper",
            "digest": "",
            "control_code": control_code(current_digest(january)),
        },
    )
    # The hidden digest is required by the form even for paper: the page always sends it.
    assert response.status_code == 200
    response = client.post(
        confirm_url(january),
        {
            "channel": "paper",
            "digest": current_digest(january),
            "control_code": control_code(current_digest(january)),
        },
    )
    assert response.status_code == 302
    assert TimeConfirmation.objects.get(placement=january).channel == "paper"


def test_the_manager_resolves_with_a_correction(january, supervisor, manager, login):
    confirm(january, supervisor, disputed_days=[TUESDAY], comment="Två timmar")
    client = login(manager)
    listed = client.get(reverse("units:time_disputes")).content.decode()
    assert dispute_url(january) in listed
    page = client.get(dispute_url(january)).content.decode()
    assert "Två timmar" in page
    response = client.post(
        dispute_url(january),
        {
            "resolution": "corrected",
            "resolution_comment": "Rättat efter samtal",
            "hours_2026-01-06": "2.5",  # English pages in the tests
            "reason_2026-01-06": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Attendance.objects.get(placement=january, date=TUESDAY).attended_hours == 2.5
    confirmation = TimeConfirmation.objects.get(placement=january)
    assert confirmation.resolution == "corrected"
    assert reverse("units:time_disputes") not in client.get(reverse("home")).content.decode()
    assert "Outdated" in login(supervisor).get(confirm_url(january)).content.decode()


def test_reading_a_comment_is_an_access_event(january, supervisor, manager, login):
    confirm(january, supervisor, disputed_days=[TUESDAY], comment="Två timmar")
    login(manager).get(dispute_url(january))
    event = AccessEvent.objects.filter(object_type="time_dispute").get()
    assert event.participant_id == january.participant_id
    assert event.section == "attendance"


def test_the_unit_month_lists_states(january, active_placements, supervisor, login):
    confirm(january, supervisor)
    html = login(supervisor).get(unit_month_url(january.unit)).content.decode()
    assert "Confirmed" in html
    assert confirm_url(january) in html


@pytest.mark.parametrize("count", [2, 20])
def test_unit_month_query_count_is_constant(
    count, january, active_placements, supervisor, login, django_assert_num_queries
):
    for placement in active_placements(count):
        record_week(placement, supervisor)
        confirm(placement, supervisor)
    client = login(supervisor)
    client.get(unit_month_url(january.unit))  # the session's first request starts its clock
    # Session, user, memberships (the roles), OTP device (4); the unit, the placements,
    # the month's confirmations and its attendance rows for the digests (4); the
    # access events, one INSERT (1); the header's unread notifications (1).
    with django_assert_num_queries(10):
        assert client.get(unit_month_url(january.unit)).status_code == 200


@pytest.mark.parametrize("count", [2, 20])
def test_disputes_query_count_is_constant(
    count, active_placements, supervisor, manager, login, django_assert_num_queries
):
    for placement in active_placements(count):
        record_week(placement, supervisor)
        confirm(placement, supervisor, disputed_days=[TUESDAY], comment="Fel")
    client = login(manager)
    client.get(reverse("units:time_disputes"))
    # Session, user, memberships (the roles), OTP device (4); the paginator's count
    # and the page (2); the access events, one INSERT (1); the header's unread
    # notifications (1).
    with django_assert_num_queries(8):
        assert client.get(reverse("units:time_disputes")).status_code == 200


def test_reachable_from_the_week_grid_and_the_placement(january, supervisor, login):
    client = login(supervisor)
    week = client.get(
        reverse("units:attendance_week", args=[january.unit.pk, date(2026, 1, 5)])
    ).content.decode()
    assert unit_month_url(january.unit) in week
    detail = client.get(reverse("placements:detail", args=[january.pk])).content.decode()
    assert "placeringar" in detail and "/tid/" in detail


def test_a_change_while_shown_is_refused_and_the_page_shows_the_month_again(
    january, supervisor, manager, login
):
    client = login(supervisor)
    shown = client.get(confirm_url(january)).context["current"].digest
    record_week(january, manager, changes={TUESDAY: (2, "")})
    response = client.post(confirm_url(january), {"channel": "on_screen", "digest": shown})
    assert "The attendance changed while it was shown" in response.content.decode()
    assert not TimeConfirmation.objects.exists()
    # The page now shows the month as recorded, and sends its digest with the answer.
    assert f'value="{current_digest(january)}"' in response.content.decode()


def test_a_supervisor_of_another_unit_sees_nothing(january, enterprise, login):
    from accounts.models import Role
    from tests.factories import UnitFactory, user_with_role

    elsewhere = user_with_role(Role.SUPERVISOR, enterprise, username="carpentry_supervisor")
    UnitFactory(organisation=enterprise, name="Snickeriet")
    client = login(elsewhere)
    assert client.get(confirm_url(january)).status_code == 404
    assert client.get(unit_month_url(january.unit)).status_code == 404
    assert client.get(reverse("units:time_disputes")).status_code == 403
