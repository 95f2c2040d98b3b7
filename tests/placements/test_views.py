"""Placement screens: allowed and denied per role, forms, the attendance grid, the PDF."""

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent
from participants import policy
from placements.models import Attendance, Placement, PlacementSupervisor, Programme
from placements.services import AttendanceEntry, attendance_record_week, referral_register
from tests.factories import (
    UnitFactory,
    make_active_placement,
    make_participant,
    user_with_role,
)

TODAY = datetime(2026, 3, 25, 10, tzinfo=UTC)  # a Wednesday
START = date(2026, 1, 5)  # the fixture placement's first day, a Monday
WEEK = date(2026, 1, 12)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY):
        yield


def _expect(allowed: set, hidden: set = frozenset()) -> dict:
    """Expected status per role: 200 allowed, 404 hidden object, 403 otherwise."""
    roles = [
        "manager",
        "supervisor",
        "other_supervisor",
        "case_officer",
        "other_case_officer",
        "analyst",
        "auditor",
        "admin",
    ]
    return {role: 200 if role in allowed else 404 if role in hidden else 403 for role in roles}


DETAIL = _expect(
    {"manager", "supervisor", "case_officer"}, hidden={"other_supervisor", "other_case_officer"}
)


@pytest.mark.parametrize("role,status", DETAIL.items())
def test_detail_allowed_and_denied(role, status, users, placement, login):
    response = login(users[role]).get(reverse("placements:detail", args=[placement.pk]))
    assert response.status_code == status


def test_detail_records_a_view_event(placement, manager, login):
    login(manager).get(reverse("placements:detail", args=[placement.pk]))
    event = AccessEvent.objects.get(object_type="placement")
    assert event.participant_id == placement.participant_id
    assert event.user_id == manager.pk and event.action == "view"


def test_hidden_placement_404_is_identical_to_a_missing_one(placement, other_supervisor, login):
    client = login(other_supervisor)
    hidden = client.get(reverse("placements:detail", args=[placement.pk]))
    missing = client.get(reverse("placements:detail", args=[uuid.uuid4()]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


@pytest.mark.parametrize(
    "role,status",
    _expect(
        {"manager", "supervisor", "case_officer", "other_supervisor", "other_case_officer"}
    ).items(),
)
def test_list_allowed_and_denied(role, status, users, placement, login):
    response = login(users[role]).get(reverse("placements:list"))
    assert response.status_code == status


def test_list_shows_only_visible_placements(placement, other_supervisor, manager, login):
    name = placement.participant.full_name
    assert name in login(manager).get(reverse("placements:list")).content.decode()
    assert name not in login(other_supervisor).get(reverse("placements:list")).content.decode()


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# Session, user, memberships, OTP device (4); paginator COUNT, page rows,
# current supervisors (3); the access event INSERT (1); the session's
# last-seen time saved (savepoint, UPDATE, release: 3); the header's unread notifications (1).
# Rows add none.
LIST_QUERIES = 12


@pytest.mark.parametrize("rows", [2, 20])
def test_list_query_count_is_constant(
    rows, manager, login, django_assert_num_queries, active_placements
):
    active_placements(rows)
    client = login(manager)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("placements:list"))
    assert response.status_code == 200


# --- referral -------------------------------------------------------------------------


def test_referral_register(participant, manager, agency, case_officer, login):
    client = login(manager)
    assert client.get(reverse("placements:referral_create")).status_code == 200
    officer_membership = case_officer.memberships.get()
    response = client.post(
        reverse("placements:referral_create"),
        {
            "participant": participant.pk,
            "programme": Programme.WORK_TRAINING,
            "referring_organisation": agency.pk,
            "case_officer": officer_membership.pk,
            "referred_on": "2026-03-20",
            "proposed_start": "2026-04-06",
        },
    )
    placement = Placement.objects.get(participant=participant)
    assert response.status_code == 302
    assert response["Location"] == placement.get_absolute_url()
    assert placement.status == Placement.Status.REFERRED
    assert placement.case_officer == case_officer


def test_referral_bad_input_keeps_values_and_shows_errors(participant, manager, agency, login):
    response = login(manager).post(
        reverse("placements:referral_create"),
        {
            "participant": participant.pk,
            "programme": Programme.INTERNSHIP,
            "referring_organisation": agency.pk,
            "referred_on": "2026-03-20",
            "proposed_start": "2026-03-01",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "proposed_start": ["The proposed start cannot be before the referral date."]
    }
    html = response.content.decode()
    assert 'value="2026-03-01"' in html
    assert f'<option value="{Programme.INTERNSHIP}" selected>' in html
    assert not Placement.objects.exists()


def test_referral_garbage_dates(participant, manager, login):
    response = login(manager).post(
        reverse("placements:referral_create"),
        {"participant": participant.pk, "programme": "nonsense", "referred_on": "31/31/2026"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"programme", "referred_on"}
    assert 'value="31/31/2026"' in response.content.decode()


@pytest.mark.parametrize("role", ["supervisor", "case_officer", "analyst"])
def test_referral_denied(role, users, login):
    assert login(users[role]).get(reverse("placements:referral_create")).status_code == 403


def test_referral_cannot_name_a_participant_of_another_enterprise(
    other_enterprise, manager, login, db
):
    other_manager = user_with_role(Role.MANAGER, other_enterprise)
    stranger = make_participant(organisation=other_enterprise, acting_user=other_manager)
    response = login(manager).post(
        reverse("placements:referral_create"),
        {
            "participant": stranger.pk,
            "programme": Programme.INTERNSHIP,
            "referred_on": "2026-03-20",
        },
    )
    assert response.status_code == 200
    assert "participant" in response.context["form"].errors


# --- start ----------------------------------------------------------------------------


@pytest.fixture
def referral(participant, manager, agency, case_officer):
    return referral_register(
        participant=participant,
        programme=Programme.WORK_TRAINING,
        referred_on=date(2026, 3, 2),
        referring_organisation=agency,
        case_officer=case_officer,
        acting_user=manager,
    )


def test_start(referral, unit, supervisor, manager, login):
    response = login(manager).post(
        reverse("placements:start", args=[referral.pk]),
        {
            "unit": unit.pk,
            "supervisors": [supervisor.pk],
            "start_date": "2026-03-23",
            "planned_end": "2026-09-30",
            "hours_per_week": "25",
            "weekdays": ["1", "2", "3", "4", "5"],
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Placement.Status.ACTIVE
    assert referral.hours_per_week == Decimal("25")
    assert referral.supervisor_assignments.get().supervisor == supervisor


def test_start_bad_input(referral, unit, manager, login):
    response = login(manager).post(
        reverse("placements:start", args=[referral.pk]),
        {
            "unit": unit.pk,
            "start_date": "2026-03-23",
            "planned_end": "2026-03-01",
            "hours_per_week": "45",
            "weekdays": [],
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"supervisors", "planned_end", "hours_per_week", "weekdays"}
    assert errors["planned_end"] == ["The planned end cannot be before the start date."]
    html = response.content.decode()
    assert 'value="45"' in html and 'value="2026-03-01"' in html
    referral.refresh_from_db()
    assert referral.status == Placement.Status.REFERRED


def test_start_service_refusal_is_shown(placement, unit, supervisor, manager, login):
    """An active placement cannot start again: the service's message, on top."""
    response = login(manager).post(
        reverse("placements:start", args=[placement.pk]),
        {
            "unit": unit.pk,
            "supervisors": [supervisor.pk],
            "start_date": "2026-03-23",
            "hours_per_week": "20",
            "weekdays": ["1"],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Only a referred or planned placement can be started."
    ]


@pytest.mark.parametrize("role,status", [("supervisor", 403), ("case_officer", 403)])
def test_start_denied(role, status, users, placement, login):
    url = reverse("placements:start", args=[placement.pk])
    assert login(users[role]).get(url).status_code == status


def test_start_other_enterprise_manager_gets_404(placement, other_enterprise, login):
    other_manager = user_with_role(Role.MANAGER, other_enterprise)
    url = reverse("placements:start", args=[placement.pk])
    assert login(other_manager).get(url).status_code == 404


# --- plan -----------------------------------------------------------------------------


def test_plan_edit_submit_and_approve(placement, supervisor, case_officer, client, signed_in):
    signed_in(client, supervisor)
    url = reverse("placements:plan_edit", args=[placement.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"goals": "Arbeta fyra timmar", "tasks": "Kassa", "support": "", "submit": "1"}
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.plan_status == Placement.PlanStatus.SUBMITTED
    signed_in(client, case_officer)
    decide = reverse("placements:plan_decide", args=[placement.pk])
    assert client.get(decide).status_code == 200
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    placement.refresh_from_db()
    assert placement.plan_status == Placement.PlanStatus.APPROVED


def test_plan_submit_without_goals_shows_error_next_to_goals(placement, supervisor, login):
    response = login(supervisor).post(
        reverse("placements:plan_edit", args=[placement.pk]),
        {"goals": "  ", "tasks": "Disk och kassa", "support": "", "submit": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "goals": ["Write the plan's goals before submitting it."]
    }
    assert "Disk och kassa" in response.content.decode()


def test_plan_changes_need_a_comment(placement, manager, case_officer, login):
    placement.plan_goals = "x"
    from placements.services import placement_plan_submit

    placement_plan_submit(placement=placement, acting_user=manager)
    response = login(case_officer).post(
        reverse("placements:plan_decide", args=[placement.pk]), {"decision": "changes"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"comment": ["Say what should change in the plan."]}


@pytest.mark.parametrize(
    "role,status",
    [("manager", 403), ("supervisor", 403), ("other_case_officer", 404), ("analyst", 403)],
)
def test_plan_decide_denied(role, status, users, placement, login):
    url = reverse("placements:plan_decide", args=[placement.pk])
    assert login(users[role]).get(url).status_code == status


@pytest.mark.parametrize(
    "role,status", [("case_officer", 403), ("other_supervisor", 404), ("auditor", 403)]
)
def test_plan_edit_denied(role, status, users, placement, login):
    url = reverse("placements:plan_edit", args=[placement.pk])
    assert login(users[role]).get(url).status_code == status


# --- pause, resume, supervisors, unit -------------------------------------------------


def test_pause_and_resume(placement, manager, login):
    client = login(manager)
    url = reverse("placements:pause", args=[placement.pk])
    assert client.get(url).status_code == 200  # the confirmation step, asking why
    refused = client.post(url, {"reason": "  ", "on": placement.start_date.isoformat()})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"] == ["Say why the placement is paused."]
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACTIVE
    paused = client.post(url, {"reason": "Sjukskriven", "on": placement.start_date.isoformat()})
    assert paused.status_code == 302
    placement.refresh_from_db()
    assert placement.status == Placement.Status.PAUSED
    assert placement.pauses.get().reason == "Sjukskriven"
    assert client.post(reverse("placements:resume", args=[placement.pk])).status_code == 302
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACTIVE


def test_resume_an_active_placement_shows_the_refusal(placement, manager, login):
    response = login(manager).post(reverse("placements:resume", args=[placement.pk]))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Only a paused placement can be resumed."
    ]


@pytest.mark.parametrize("name", ["pause", "resume", "supervisors", "change_unit"])
@pytest.mark.parametrize("role,status", [("supervisor", 403), ("case_officer", 403)])
def test_manager_actions_denied(name, role, status, users, placement, login):
    url = reverse(f"placements:{name}", args=[placement.pk])
    assert login(users[role]).post(url).status_code == status
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACTIVE


def test_change_supervisors(placement, enterprise, supervisor, manager, login):
    new = user_with_role(Role.SUPERVISOR, enterprise)
    response = login(manager).post(
        reverse("placements:supervisors", args=[placement.pk]), {"supervisors": [new.pk]}
    )
    assert response.status_code == 302
    current = PlacementSupervisor.objects.filter(placement=placement, ended_on__isnull=True)
    assert [assignment.supervisor for assignment in current] == [new]


def test_change_supervisors_refuses_an_outsider(placement, other_supervisor, manager, login):
    response = login(manager).post(
        reverse("placements:supervisors", args=[placement.pk]),
        {"supervisors": [other_supervisor.pk]},
    )
    assert response.status_code == 200
    assert "supervisors" in response.context["form"].errors


def test_change_unit_keeps_history_and_grants(placement, enterprise, supervisor, manager, login):
    new_unit = UnitFactory(organisation=enterprise, name="Second hand-butiken")
    client = login(manager)
    response = client.post(
        reverse("placements:change_unit", args=[placement.pk]), {"unit": new_unit.pk}
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.unit == new_unit
    assert placement.history.first().history_change_reason == "unit changed"
    assert supervisor.has_perm("placements.log_progress", placement) or (
        placement.user_grants.filter(user=supervisor, permission__codename="log_progress").exists()
    )


def test_change_unit_to_another_enterprise_is_not_offered(placement, other_unit, manager, login):
    response = login(manager).post(
        reverse("placements:change_unit", args=[placement.pk]), {"unit": other_unit.pk}
    )
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors


# --- attendance grid ------------------------------------------------------------------


def _grid_url(unit, week=WEEK):
    return reverse("units:attendance_week", args=[unit.pk, week])


@pytest.mark.parametrize(
    "role,status",
    _expect({"manager", "supervisor"}, hidden={"other_supervisor"}).items(),
)
def test_grid_allowed_and_denied(role, status, users, placement, login):
    assert login(users[role]).get(_grid_url(placement.unit)).status_code == status


def test_grid_of_another_enterprise_unit_is_404_like_a_missing_unit(
    placement, other_unit, manager, login
):
    client = login(manager)
    other = client.get(_grid_url(other_unit))
    missing = client.get(reverse("units:attendance_week", args=[uuid.uuid4(), WEEK]))
    assert other.status_code == missing.status_code == 404
    assert other.content == missing.content


def test_grid_supervisor_without_placements_at_the_unit_gets_404(placement, enterprise, login):
    colleague = user_with_role(Role.SUPERVISOR, enterprise)
    assert login(colleague).get(_grid_url(placement.unit)).status_code == 404


def test_grid_redirects_a_mid_week_date_to_its_monday(placement, manager, login):
    response = login(manager).get(_grid_url(placement.unit, date(2026, 1, 15)))
    assert response.status_code == 302
    assert response["Location"] == _grid_url(placement.unit)


def test_grid_bad_date_is_404(placement, manager, login):
    url = f"/placeringar/enheter/{placement.unit.pk}/narvaro/2026-02-31/"
    assert login(manager).get(url).status_code == 404


def _fill_week(response, placements, hours="4"):
    """The POST a supervisor makes after 'all present' on Monday–Friday."""
    form = response.context["form"]
    data = {}
    for placement in placements:
        for offset in range(7):
            day = WEEK + timedelta(days=offset)
            key = form.cell_key(placement.pk, day)
            data[f"h-{key}"] = hours if offset < 5 else ""
            data[f"r-{key}"] = ""
    return data


def test_grid_saves_fifteen_people_in_one_post(
    placement, unit, supervisor, login, active_placements
):
    active_placements(14)
    client = login(supervisor)
    page = client.get(_grid_url(unit))
    rows = page.context["week"].rows
    assert len(rows) == 15
    placements = [row.placement for row in rows]
    response = client.post(_grid_url(unit), _fill_week(page, placements))
    assert response.status_code == 302, response.context["form"].errors
    assert Attendance.objects.filter(date__range=(WEEK, WEEK + timedelta(days=6))).count() == 75
    assert Attendance.history.filter(history_type="+").count() == 75


def test_grid_correction_keeps_history(placement, supervisor, login):
    attendance_record_week(
        unit=placement.unit,
        week_start=WEEK,
        entries=[
            AttendanceEntry(
                placement_id=placement.pk, date=WEEK, attended_hours=Decimal("4"), note="Kom i tid"
            )
        ],
        acting_user=supervisor,
    )
    client = login(supervisor)
    page = client.get(_grid_url(placement.unit))
    key = page.context["form"].cell_key(placement.pk, WEEK)
    assert page.context["form"][f"h-{key}"].value() == Decimal("4.00")
    response = client.post(_grid_url(placement.unit), {f"h-{key}": "0", f"r-{key}": "sick"})
    assert response.status_code == 302
    row = Attendance.objects.get(placement=placement, date=WEEK)
    assert (row.attended_hours, row.absence_reason, row.note) == (Decimal("0"), "sick", "Kom i tid")
    assert [h.history_change_reason for h in row.history.order_by("history_date")] == [
        "attendance recorded",
        "attendance corrected",
    ]


def test_grid_errors_next_to_cells_and_values_kept(placement, supervisor, login):
    client = login(supervisor)
    page = client.get(_grid_url(placement.unit))
    form = page.context["form"]
    monday, tuesday = (form.cell_key(placement.pk, WEEK + timedelta(days=d)) for d in (0, 1))
    response = client.post(
        _grid_url(placement.unit),
        {f"h-{monday}": "abc", f"h-{tuesday}": "0", f"r-{tuesday}": ""},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {f"h-{monday}", f"r-{tuesday}"}
    assert errors[f"r-{tuesday}"] == ["Choose why the day was not attended."]
    html = response.content.decode()
    assert 'value="abc"' in html
    # The grid writes its inputs itself: the error is tied to its input as a
    # form widget would tie it (aria-invalid, aria-describedby -> the list's id).
    assert f'id="id_h-{monday}" aria-invalid="true" aria-describedby="id_h-{monday}_error"' in html
    assert f'<ul class="errorlist" id="id_h-{monday}_error">' in html
    assert f'aria-describedby="id_r-{tuesday}_error"' in html
    assert not Attendance.objects.exists()


def test_grid_keeps_a_chosen_reason_when_another_cell_is_wrong(placement, supervisor, login):
    client = login(supervisor)
    form = client.get(_grid_url(placement.unit)).context["form"]
    monday, tuesday = (form.cell_key(placement.pk, WEEK + timedelta(days=d)) for d in (0, 1))
    response = client.post(
        _grid_url(placement.unit),
        {f"h-{monday}": "25", f"h-{tuesday}": "0", f"r-{tuesday}": "sick"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {f"h-{monday}"}
    html = response.content.decode()
    select = html[html.index(f'name="r-{tuesday}"') :]
    select = select[: select.index("</select>")]
    assert '<option value="sick" selected>' in select
    assert '<option value="" selected>' not in select
    assert 'value="25"' in html


def test_grid_over_the_weekly_scope_is_refused_on_the_row(placement, supervisor, login):
    client = login(supervisor)
    page = client.get(_grid_url(placement.unit))
    response = client.post(_grid_url(placement.unit), _fill_week(page, [placement], hours="8"))
    assert response.status_code == 200
    assert "more than the placement&#x27;s scope" in response.content.decode()
    assert response.context["form"].row_errors
    assert not Attendance.objects.exists()


def test_grid_ignores_cells_of_placements_not_shown(
    placement, other_enterprise, other_unit, other_supervisor, supervisor, login
):
    """A posted field for someone else's placement is not a field: never written."""
    other_manager = user_with_role(Role.MANAGER, other_enterprise)
    stranger = make_active_placement(
        participant=make_participant(organisation=other_enterprise, acting_user=other_manager),
        unit=other_unit,
        supervisors=[other_supervisor],
        acting_user=other_manager,
    )
    response = login(supervisor).post(
        _grid_url(placement.unit), {f"h-{stranger.pk}-{WEEK.isoformat()}": "4"}
    )
    assert response.status_code == 302
    assert not Attendance.objects.exists()


def test_grid_records_one_access_event_per_participant_in_one_insert(
    placement, unit, supervisor, login, active_placements
):
    active_placements(2)
    login(supervisor).get(_grid_url(unit))
    events = AccessEvent.objects.filter(section="attendance", object_type="unit")
    assert events.count() == 3
    assert {event.object_id for event in events} == {str(unit.pk)}
    assert {event.role for event in events} == {"supervisor"}
    assert len({event.participant_id for event in events}) == 3


# Session, user, memberships, OTP device (4); unit, placements, the week's
# attendance (3); one INSERT for every participant's access event (1); the
# session's last-seen time saved (savepoint, UPDATE, release: 3); the header's unread
# notifications (1). Rows add none.
GRID_QUERIES = 12


@pytest.mark.parametrize("rows", [2, 20])
def test_grid_query_count_is_constant(
    rows, unit, supervisor, login, django_assert_num_queries, active_placements
):
    active_placements(rows)
    placements = list(Placement.objects.filter(unit=unit))
    attendance_record_week(
        unit=unit,
        week_start=WEEK,
        entries=[
            AttendanceEntry(placement_id=p.pk, date=WEEK, attended_hours=Decimal("4"), note="n")
            for p in placements
        ],
        acting_user=supervisor,
    )
    client = login(supervisor)
    with django_assert_num_queries(GRID_QUERIES):
        response = client.get(_grid_url(unit))
    assert len(response.context["week"].rows) == rows


# --- attendance that cannot lie -------------------------------------------------------

THIS_WEEK = date(2026, 3, 23)  # TODAY (Wednesday 25 March) is in it


def _swedish(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "sv"
    return client


def _key(placement, day):
    return f"{placement.pk}-{day.isoformat()}"


def _record(placement, user, hours_by_day, reason=""):
    attendance_record_week(
        unit=placement.unit,
        week_start=date.fromordinal(min(hours_by_day).toordinal() - min(hours_by_day).weekday()),
        entries=[
            AttendanceEntry(
                placement_id=placement.pk,
                date=day,
                attended_hours=Decimal(str(hours)),
                absence_reason=reason if hours == 0 else "",
            )
            for day, hours in hours_by_day.items()
        ],
        acting_user=user,
    )


def test_grid_days_ahead_take_no_hours(placement, supervisor, login):
    page = login(supervisor).get(_grid_url(placement.unit, THIS_WEEK))
    fields = page.context["form"].fields
    days = [THIS_WEEK + timedelta(days=offset) for offset in range(7)]
    assert [f"h-{_key(placement, day)}" in fields for day in days] == [True] * 3 + [False] * 4
    html = page.content.decode()
    # "All present" only for the days that take hours (Monday–Wednesday).
    assert html.count('data-fill-planned="input.hours[data-day=') == 3
    assert html.count("closed-future") == 4


def test_grid_a_posted_day_ahead_is_not_written(placement, supervisor, login):
    thursday = THIS_WEEK + timedelta(days=3)
    response = login(supervisor).post(
        _grid_url(placement.unit, THIS_WEEK), {f"h-{_key(placement, thursday)}": "4"}
    )
    assert response.status_code == 302
    assert not Attendance.objects.exists()


def test_grid_paused_placement_is_shown_but_takes_no_hours(placement, manager, login):
    from placements.services import placement_pause

    placement_pause(placement=placement, reason="Sjukskriven två veckor", acting_user=manager)
    page = login(manager).get(_grid_url(placement.unit))
    assert not any(name.startswith("h-") for name in page.context["form"].fields)
    html = page.content.decode()
    assert "data-fill-planned" not in html  # neither "All present" nor "Present as planned"
    assert "Paused: no hours are recorded until the placement is resumed." in html
    assert html.count("closed-paused") == 7


def test_grid_placement_not_yet_started_takes_no_hours_before_its_start(
    unit, supervisor, login, active_placements
):
    [starting] = active_placements(1, start_date=date(2026, 3, 24))
    fields = login(supervisor).get(_grid_url(unit, THIS_WEEK)).context["form"].fields
    days = [THIS_WEEK + timedelta(days=offset) for offset in range(7)]
    assert [f"h-{_key(starting, day)}" in fields for day in days] == [
        False,  # before the start
        True,
        True,
        False,  # ahead of today
        False,
        False,
        False,
    ]


def test_grid_refuses_sick_with_hours_next_to_the_cell_in_swedish(placement, supervisor, login):
    client = _swedish(login(supervisor))
    monday, tuesday = (_key(placement, WEEK + timedelta(days=d)) for d in (0, 1))
    response = client.post(
        _grid_url(placement.unit),
        {f"h-{monday}": "4", f"h-{tuesday}": "5", f"r-{tuesday}": "sick"},
    )
    assert response.status_code == 200
    message = (
        "En dag med frånvaroorsak har 0 närvarotimmar. Var personen där en del av dagen: "
        "ange de timmarna och ingen frånvaroorsak."
    )
    assert response.context["form"].errors == {f"h-{tuesday}": [message]}
    html = response.content.decode()
    assert html.count("En dag med frånvaroorsak") == 1
    assert "Inget sparades" in html
    assert f'aria-describedby="id_h-{tuesday}_error"' in html
    assert not Attendance.objects.exists()


def test_grid_scope_refusal_once_with_swedish_numbers(placement, supervisor, login):
    client = _swedish(login(supervisor))
    page = client.get(_grid_url(placement.unit))
    data = _fill_week(page, [placement], hours="4,5")
    response = client.post(_grid_url(placement.unit), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("22,5 timmar på en vecka är mer än placeringens omfattning på 20 timmar") == 1
    assert "22.5" not in html and "20.0" not in html
    assert 'value="4,5"' in html  # what was typed is kept
    assert not Attendance.objects.exists()


def test_grid_shows_hours_and_weekdays_in_swedish(placement, supervisor, login):
    _record(placement, supervisor, {WEEK: 4.5, WEEK + timedelta(days=1): 0}, reason="sick")
    html = _swedish(login(supervisor)).get(_grid_url(placement.unit)).content.decode()
    assert f'name="h-{_key(placement, WEEK)}" value="4,5"' in html
    assert f'name="h-{_key(placement, WEEK + timedelta(days=1))}" value="0"' in html
    assert "20 h/vecka, mån–fre" in html
    assert "plan 4 h" in html
    assert re.search(r"\d\.\d", html.split("<main", 1)[1]) is None  # no "5.00" anywhere
    # Planned 20 over the week; attended 4,5 (the sick day counts 0).
    assert ">4,5</td>" in html and ">20</td>" in html


def test_grid_english_numbers_stay_english(placement, supervisor, login):
    _record(placement, supervisor, {WEEK: 4.5})
    html = login(supervisor).get(_grid_url(placement.unit)).content.decode()
    assert f'name="h-{_key(placement, WEEK)}" value="4.5"' in html
    assert "20 h/week, Mon–Fri" in html


def test_grid_clears_a_day_with_a_reason_and_keeps_its_history(placement, supervisor, login):
    _record(placement, supervisor, {WEEK: 4, WEEK + timedelta(days=1): 4})
    tuesday = Attendance.objects.get(placement=placement, date=WEEK + timedelta(days=1))
    key = _key(placement, tuesday.date)
    client = login(supervisor)
    response = client.post(
        _grid_url(placement.unit),
        {
            f"h-{_key(placement, WEEK)}": "4",
            f"h-{key}": "4",
            f"c-{key}": "1",
            "clear_reason": "wrong_person",
        },
    )
    assert response.status_code == 302
    assert list(Attendance.objects.values_list("date", flat=True)) == [WEEK]
    deleted = Attendance.history.filter(id=tuesday.pk, history_type="-").get()
    assert deleted.history_change_reason == "attendance cleared: wrong_person"
    assert deleted.history_user == supervisor
    page = client.get(response["Location"])
    assert "Attendance saved; 1 day cleared." in page.content.decode()


def test_grid_clear_without_a_reason_is_refused(placement, supervisor, login):
    _record(placement, supervisor, {WEEK: 4})
    key = _key(placement, WEEK)
    response = login(supervisor).post(_grid_url(placement.unit), {f"h-{key}": "4", f"c-{key}": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"clear_reason": ["Choose why the days are cleared."]}
    assert Attendance.objects.count() == 1


def test_grid_emptying_a_recorded_day_says_how_to_clear_it(placement, supervisor, login):
    _record(placement, supervisor, {WEEK: 4})
    key = _key(placement, WEEK)
    response = login(supervisor).post(_grid_url(placement.unit), {f"h-{key}": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        f"h-{key}": ["A recorded day is removed with “Clear the day” and a reason."]
    }
    assert Attendance.objects.count() == 1


def test_grid_a_recorded_day_ahead_can_be_cleared(placement, supervisor, manager, login):
    """A day recorded for next week before the rule existed: shown, takes no hours,
    and can be cleared."""
    next_monday = THIS_WEEK + timedelta(days=7)
    with time_machine.travel(datetime(2026, 3, 30, 10, tzinfo=UTC)):
        _record(placement, supervisor, {next_monday: 4})
    client = login(manager)
    page = client.get(_grid_url(placement.unit, next_monday))
    key = _key(placement, next_monday)
    assert f"h-{key}" not in page.context["form"].fields
    assert f'name="c-{key}"' in page.content.decode()
    response = client.post(
        _grid_url(placement.unit, next_monday), {f"c-{key}": "1", "clear_reason": "mistake"}
    )
    assert response.status_code == 302
    assert not Attendance.objects.exists()


def test_end_on_the_real_last_day_after_clearing_wrong_days_in_the_grid(
    placement, supervisor, manager, login
):
    """Days were recorded after the participant's real last day (Tuesday 17 March).
    The end screen names them; the manager clears them in the grid, then ends the
    placement on its real last day."""
    week = date(2026, 3, 16)
    _record(placement, supervisor, {week + timedelta(days=d): 4 for d in range(4)})
    client = login(manager)
    end_url = reverse("placements:end", args=[placement.pk])
    ending = {"ended_on": "2026-03-17", "outcome": "studies"}

    refused = client.post(end_url, ending)
    assert refused.status_code == 200
    assert "on 2026-03-18, 2026-03-19. Clear those days" in refused.content.decode()

    cleared = client.post(
        _grid_url(placement.unit, week),
        {
            **{f"h-{_key(placement, week + timedelta(days=d))}": "4" for d in range(2)},
            f"c-{_key(placement, date(2026, 3, 18))}": "1",
            f"c-{_key(placement, date(2026, 3, 19))}": "1",
            "clear_reason": "after_end",
        },
    )
    assert cleared.status_code == 302
    ended = client.post(end_url, ending)
    assert ended.status_code == 302
    placement.refresh_from_db()
    assert (placement.status, placement.actual_end) == ("ended", date(2026, 3, 17))
    assert sorted(placement.attendance.values_list("date", flat=True)) == [
        week,
        date(2026, 3, 17),
    ]


# --- monthly PDF ----------------------------------------------------------------------


def _pdf_url(placement, year=2026, month=1):
    return reverse("placements:attendance_month_pdf", args=[placement.pk, year, month])


@pytest.fixture
def recorded(placement, supervisor):
    attendance_record_week(
        unit=placement.unit,
        week_start=WEEK,
        entries=[
            AttendanceEntry(placement_id=placement.pk, date=WEEK, attended_hours=Decimal("4")),
            AttendanceEntry(
                placement_id=placement.pk,
                date=WEEK + timedelta(days=1),
                attended_hours=Decimal("0"),
                absence_reason=Attendance.AbsenceReason.SICK,
            ),
        ],
        acting_user=supervisor,
    )
    return placement


@pytest.mark.parametrize(
    "role,status",
    _expect(
        {"manager", "supervisor", "case_officer"}, hidden={"other_supervisor", "other_case_officer"}
    ).items(),
)
def test_pdf_allowed_and_denied(role, status, users, recorded, login):
    assert login(users[role]).get(_pdf_url(recorded)).status_code == status


@pytest.fixture
def ascii_named(enterprise, unit, supervisor, manager, agency, case_officer):
    participant = make_participant(
        organisation=enterprise, acting_user=manager, given_name="Zelda", family_name="Quixote"
    )
    return make_active_placement(
        participant=participant,
        unit=unit,
        supervisors=[supervisor],
        acting_user=manager,
        agency=agency,
        case_officer=case_officer,
    )


def test_pdf_is_a_pdf_with_headers_and_a_print_event(ascii_named, manager, login):
    response = login(manager).get(_pdf_url(ascii_named))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 2000
    assert b"Quixote" in response.content  # the manager may read identity
    assert b"2026-01-31" in response.content  # every day of the month
    event = AccessEvent.objects.get(action="print")
    assert event.participant_id == ascii_named.participant_id
    assert event.section == "attendance"


def test_pdf_without_identity_access_has_no_name(ascii_named, case_officer, login, monkeypatch):
    monkeypatch.setitem(
        policy.READ,
        policy.Relation.CASE_OFFICER,
        policy.READ[policy.Relation.CASE_OFFICER] - {policy.Section.IDENTITY},
    )
    response = login(case_officer).get(_pdf_url(ascii_named))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert b"Quixote" not in response.content and b"Zelda" not in response.content
    personnummer = ascii_named.participant.personal_identity_number
    assert personnummer.encode() not in response.content


def test_pdf_month_totals(recorded, manager):
    from placements.selectors import attendance_month_for

    report = attendance_month_for(user=manager, placement_id=recorded.pk, year=2026, month=1)
    assert len(report.days) == 31
    # 20 h over Mon–Fri from 5 January: 20 scheduled days × 4 h.
    assert report.planned_total == Decimal("80")
    assert report.attended_total == Decimal("4")
    assert report.absences == {"sick": (1, Decimal("4.00"))}


def test_pdf_of_an_impossible_month_is_404(recorded, manager, login):
    assert login(manager).get(_pdf_url(recorded, month=13)).status_code == 404


@pytest.mark.parametrize(
    "url_name", ["placements:detail", "placements:plan_edit", "placements:supervisors"]
)
def test_pages_obey_the_strict_csp(url_name, placement, manager, login):
    response = login(manager).get(reverse(url_name, args=[placement.pk]))
    html = response.content.decode()
    assert "style=" not in html and "<style" not in html
    assert html.count("<script") == html.count('nonce="')
    assert "'nonce-" in response["Content-Security-Policy"]


def test_grid_obeys_the_strict_csp(placement, supervisor, login):
    html = login(supervisor).get(_grid_url(placement.unit)).content.decode()
    assert "style=" not in html and "onclick" not in html
    assert html.count("<script") == html.count('nonce="')
    assert "data-fill-planned" in html
