"""Reviews, ending a placement and follow-ups: screens allowed and denied, forms, queries."""

import uuid
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from audit.models import AccessEvent
from casework.models import Exit, FollowUp, Outcome, Review
from casework.services import placement_end
from placements.models import Placement

TODAY = datetime(2026, 3, 25, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY):
        yield


ROLES = [
    "manager",
    "supervisor",
    "other_supervisor",
    "case_officer",
    "other_case_officer",
    "analyst",
    "auditor",
    "admin",
]


def _expect(allowed, hidden=()):
    return {role: 200 if role in allowed else 404 if role in hidden else 403 for role in ROLES}


# --- reviews --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status", _expect({"case_officer"}, hidden={"other_case_officer"}).items()
)
def test_review_form_allowed_and_denied(role, status, users, placement, login):
    url = reverse("placements:review_create", args=[placement.pk])
    assert login(users[role]).get(url).status_code == status


def test_review_record(placement, case_officer, login):
    response = login(case_officer).post(
        reverse("placements:review_create", args=[placement.pk]),
        {
            "date": "2026-03-20",
            "summary": "Går bra, fler timmar",
            "decision": Review.Decision.CONTINUE,
            "next_review_on": "2026-06-20",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get(placement=placement)
    assert review.summary == "Går bra, fler timmar"
    assert review.next_review_on == date(2026, 6, 20)


def test_review_bad_input_keeps_values(placement, case_officer, login):
    response = login(case_officer).post(
        reverse("placements:review_create", args=[placement.pk]),
        {"date": "2026-03-20", "summary": "Mitt utkast", "next_review_on": "2026-03-01"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"decision", "next_review_on"}
    assert errors["next_review_on"] == ["The next review must be after this one."]
    assert "Mitt utkast" in response.content.decode()
    assert not Review.objects.exists()


def test_review_before_the_start_is_refused_by_the_service(placement, case_officer, login):
    response = login(case_officer).post(
        reverse("placements:review_create", args=[placement.pk]),
        {"date": "2025-12-01", "summary": "x", "decision": Review.Decision.CONTINUE},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "date": ["The date cannot be before the placement started."]
    }


# Session, user, memberships, OTP device (4); paginator COUNT and rows (2);
# access event INSERT (1); session saved (3: the first request after sign-in starts
# the idle clock); the header's unread notifications (1). Rows add none.
REVIEWS_DUE_QUERIES = 11


@pytest.mark.parametrize("rows", [2, 20])
def test_reviews_due_query_count_is_constant(
    rows, case_officer, login, django_assert_num_queries, active_placements
):
    active_placements(rows)
    client = login(case_officer)
    with django_assert_num_queries(REVIEWS_DUE_QUERIES):
        response = client.get(reverse("placements:reviews_due"))
    # Started 5 January without a review: due 90 days later, within two weeks.
    assert len(response.context["page"].object_list) == rows


@pytest.mark.parametrize(
    "role,status",
    _expect({"case_officer", "other_case_officer"}).items(),
)
def test_reviews_due_allowed_and_denied(role, status, users, placement, login):
    response = login(users[role]).get(reverse("placements:reviews_due"))
    assert response.status_code == status
    if status == 200:
        names = response.content.decode()
        shown = placement.participant.full_name in names
        assert shown == (role == "case_officer")


# --- ending a placement ---------------------------------------------------------------


@pytest.mark.parametrize(
    # The access table answers 403 before any object is looked up for a role
    # that cannot end placements at all.
    "role,status",
    _expect({"manager"}).items(),
)
def test_end_form_allowed_and_denied(role, status, users, placement, login):
    url = reverse("placements:end", args=[placement.pk])
    assert login(users[role]).get(url).status_code == status


def test_end_schedules_follow_ups(placement, manager, login):
    response = login(manager).post(
        reverse("placements:end", args=[placement.pk]),
        {"ended_on": "2026-03-20", "outcome": Outcome.EMPLOYED, "comment": "Anställd"},
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ENDED
    due = sorted(
        FollowUp.objects.filter(participant=placement.participant).values_list("due_on", flat=True)
    )
    assert due == [date(2026, 4, 17), date(2026, 9, 20)]


def test_end_bad_input_keeps_values(placement, manager, login):
    response = login(manager).post(
        reverse("placements:end", args=[placement.pk]),
        {"ended_on": "2025-12-01", "outcome": "", "comment": "Min kommentar"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"outcome"}
    assert "Min kommentar" in response.content.decode()
    response = login(manager).post(
        reverse("placements:end", args=[placement.pk]),
        {"ended_on": "2025-12-01", "outcome": Outcome.STUDIES},
    )
    assert response.context["form"].errors == {
        "ended_on": ["The end date cannot be before the start date."]
    }
    assert not Exit.objects.exists()


# --- follow-ups -----------------------------------------------------------------------


@pytest.fixture
def ended(placement, manager):
    # Ended 10 March: the supervisor's read grant lasts until 9 April, and the
    # 28-day follow-up (7 April) is due within two weeks of 25 March.
    exit_record = placement_end(
        placement=placement,
        ended_on=date(2026, 3, 10),
        outcome=Outcome.STUDIES,
        acting_user=manager,
    )
    return exit_record


@pytest.mark.parametrize(
    "role,status", _expect({"manager", "supervisor", "other_supervisor"}).items()
)
def test_follow_ups_due_allowed_and_denied(role, status, users, ended, login):
    response = login(users[role]).get(reverse("participants:follow_ups_due"))
    assert response.status_code == status
    if status == 200:
        shown = len(response.context["rows"])
        # The manager and the former supervisor (in the grace period) see it.
        assert shown == (0 if role == "other_supervisor" else 1)


def test_follow_up_recorded_in_one_step_with_htmx(ended, manager, login):
    follow_up = FollowUp.objects.get(exit=ended, kind=FollowUp.Kind.DAY_28)
    prefix = str(follow_up.pk)
    response = login(manager).post(
        reverse("participants:follow_up_record", args=[follow_up.participant_id, follow_up.pk]),
        {f"{prefix}-status_found": FollowUp.Status.STUDIES, f"{prefix}-note": "Komvux"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'class="done"' in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.status_found == FollowUp.Status.STUDIES and follow_up.done_by == manager


def test_follow_up_bad_input_shows_error_in_the_row(ended, manager, login):
    follow_up = FollowUp.objects.get(exit=ended, kind=FollowUp.Kind.DAY_28)
    prefix = str(follow_up.pk)
    response = login(manager).post(
        reverse("participants:follow_up_record", args=[follow_up.participant_id, follow_up.pk]),
        {f"{prefix}-status_found": "", f"{prefix}-note": "Ringde två gånger"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<tr")
    assert "Ringde två gånger" in html
    assert "status_found" in response.context["row"]["form"].errors
    follow_up.refresh_from_db()
    assert follow_up.done_at is None


def test_follow_up_without_htmx_redirects_to_the_list(ended, manager, login):
    follow_up = FollowUp.objects.get(exit=ended, kind=FollowUp.Kind.DAY_28)
    prefix = str(follow_up.pk)
    response = login(manager).post(
        reverse("participants:follow_up_record", args=[follow_up.participant_id, follow_up.pk]),
        {f"{prefix}-status_found": FollowUp.Status.JOB_SEEKING},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("participants:follow_ups_due")


@pytest.mark.parametrize(
    "role,status",
    # The policy lets only the manager write outcomes: a (former) supervisor
    # sees the follow-up but may not record it.
    _expect({"manager"}, hidden={"other_supervisor"}).items(),
)
def test_follow_up_record_allowed_and_denied(role, status, users, ended, login):
    follow_up = FollowUp.objects.get(exit=ended, kind=FollowUp.Kind.DAY_28)
    url = reverse("participants:follow_up_record", args=[follow_up.participant_id, follow_up.pk])
    assert login(users[role]).get(url).status_code == status


def test_follow_up_404_identical_to_missing(ended, other_supervisor, login):
    follow_up = FollowUp.objects.get(exit=ended, kind=FollowUp.Kind.DAY_28)
    client = login(other_supervisor)
    hidden = client.get(
        reverse("participants:follow_up_record", args=[follow_up.participant_id, follow_up.pk])
    )
    missing = client.get(
        reverse("participants:follow_up_record", args=[follow_up.participant_id, uuid.uuid4()])
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


# Session, user, memberships, OTP device (4); paginator COUNT and rows (2);
# access event INSERT (1); session saved (3: the first request after sign-in starts
# the idle clock); the header's unread notifications (1). Rows add none.
FOLLOW_UPS_QUERIES = 11


@pytest.mark.parametrize("rows", [2, 20])
def test_follow_ups_due_query_count_is_constant(
    rows, manager, login, django_assert_num_queries, active_placements
):
    for placement in active_placements(rows):
        placement_end(
            placement=placement,
            ended_on=date(2026, 2, 20),
            outcome=Outcome.STUDIES,
            acting_user=manager,
        )
    client = login(manager)
    with django_assert_num_queries(FOLLOW_UPS_QUERIES):
        response = client.get(reverse("participants:follow_ups_due"))
    assert len(response.context["rows"]) == rows
    events = AccessEvent.objects.filter(object_type="follow_ups_due")
    assert events.filter(participant_id__isnull=True).count() == 1
    assert events.filter(participant_id__isnull=False).count() == rows
