"""Every list selector (``*_list_for``) runs a fixed number of queries, whatever
the number of rows: pinned at n rows and again at 10 × n rows.

``participant_list_for`` is pinned in ``test_visibility.py``. A new
``*_list_for`` fails ``test_every_list_selector_is_pinned`` until it is added here.
"""

import importlib
import inspect
import pkgutil
from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import Role, User
from accounts.selectors import membership_list_for, membership_pending_list_for
from casework.selectors import (
    assessment_list_for,
    goal_list_for,
    participant_assessment_list_for,
    participant_goal_list_for,
    participant_note_list_for,
    placement_summary_list_for,
    progress_note_list_for,
    review_list_for,
)
from casework.services import assessment_record, goal_add, progress_note_add, review_record
from participants.selectors import participant_get_for
from placements.models import Programme
from placements.selectors import (
    attendance_list_for,
    placement_followed_list_for,
    placement_get_for,
    placement_list_for,
)
from placements.services import AttendanceEntry, attendance_record_week, referral_register
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db
START = date(2026, 1, 5)  # a Monday; make_active_placement's default start

#: Pinned here or in test_visibility.py (participant_list_for).
PINNED = {
    "participant_list_for",
    "placement_list_for",
    "placement_followed_list_for",
    "attendance_list_for",
    "progress_note_list_for",
    "goal_list_for",
    "assessment_list_for",
    "review_list_for",
    "participant_note_list_for",
    "participant_goal_list_for",
    "participant_assessment_list_for",
    "placement_summary_list_for",
    "membership_list_for",
    "membership_pending_list_for",
}
APPS = ("accounts", "participants", "placements", "casework", "audit", "encryption")


def test_every_list_selector_is_pinned():
    found = set()
    for app in APPS:
        package = importlib.import_module(app)
        for module_info in pkgutil.iter_modules(package.__path__):
            if not module_info.name.startswith("selectors"):
                continue
            module = importlib.import_module(f"{app}.{module_info.name}")
            found |= {
                name
                for name, function in inspect.getmembers(module, inspect.isfunction)
                if name.endswith("_list_for") and function.__module__ == module.__name__
            }
    assert found - PINNED == set(), f"list selectors without a pinned query count: {found - PINNED}"
    assert PINNED - found == set(), f"pinned selectors that no longer exist: {PINNED - found}"


def fresh(user: User) -> User:
    """The user without the roles cached on the instance, as at the start of a request."""
    return User.objects.get(pk=user.pk)


def _pinned(django_assert_num_queries, queries: int, grow, evaluate, rows: int, *more) -> None:
    """``evaluate()`` runs ``queries`` queries at ``rows`` rows and at 10 × ``rows``.

    ``more``: further (queries, evaluate) pairs over the same rows.
    """
    checks = [(queries, evaluate), *more]
    grow(rows)
    for count, check in checks:
        with django_assert_num_queries(count):
            assert len(check()) == rows
    grow(9 * rows)
    for count, check in checks:
        with django_assert_num_queries(count):
            assert len(check()) == 10 * rows


@pytest.mark.parametrize("role_fixture", ["manager", "supervisor", "case_officer"])
def test_placement_list_for(request, role_fixture, django_assert_num_queries, active_placements):
    user = request.getfixturevalue(role_fixture)
    current = {}

    def grow(count):
        # A fresh instance each time, as in a new request: the roles are not cached yet.
        current["user"] = fresh(user)
        active_placements(count)

    def evaluate():
        return [
            (p.participant.full_name, p.unit.name, p.referring_organisation.name)
            for p in placement_list_for(user=current["user"])
        ]

    # The user's memberships, then the placements with participant, keys, unit, agency.
    _pinned(django_assert_num_queries, 2, grow, evaluate, rows=3)


@pytest.mark.parametrize("role_fixture", ["manager", "supervisor", "case_officer"])
def test_placement_followed_list_for(
    request, role_fixture, django_assert_num_queries, active_placements
):
    """Only the case officer follows placements; the others' list is empty, at
    the same cost."""
    user = request.getfixturevalue(role_fixture)
    current = {}
    made = []

    def grow(count):
        current["user"] = fresh(user)
        made.extend(active_placements(count))

    def evaluate():
        return list(placement_followed_list_for(user=current["user"]).values_list("pk", flat=True))

    # The user's memberships, then the followed placements' ids.
    queries = 2 if role_fixture == "case_officer" else 1
    grow(3)
    with django_assert_num_queries(queries):
        first = evaluate()
    grow(27)
    with django_assert_num_queries(queries):
        second = evaluate()
    if role_fixture == "case_officer":
        assert set(first) == {p.pk for p in made[:3]} and set(second) == {p.pk for p in made}
    else:
        assert first == second == []


def _note(placement, author, number):
    return progress_note_add(
        placement=placement,
        text=f"Note {number}",
        kind="observation",
        visibility="shared" if number % 2 else "internal",
        on=START + timedelta(days=number % 60),
        acting_user=author,
    )


@pytest.mark.parametrize("role_fixture", ["manager", "supervisor"])
def test_note_lists(request, role_fixture, placement, supervisor, django_assert_num_queries):
    user = request.getfixturevalue(role_fixture)
    written = []

    def grow(count):
        written.extend(_note(placement, supervisor, len(written) + n) for n in range(count))

    on = placement_get_for(user=user, placement_id=placement.pk)
    participant = participant_get_for(user=user, participant_id=placement.participant_id)

    def by_placement():
        return [(note.text, note.author.username) for note in progress_note_list_for(placement=on)]

    def by_participant():
        return [
            (note.text, note.author.username, note.placement.unit.name)
            for note in participant_note_list_for(user=user, participant=participant)
        ]

    # Notes with their keys and authors: one query. Across the placements the user
    # may see (a subquery), with each placement's unit: one query.
    _pinned(django_assert_num_queries, 1, grow, by_placement, 3, (1, by_participant))


def test_case_officer_note_lists_hold_shared_notes_only(
    placement, supervisor, case_officer, django_assert_num_queries
):
    for number in range(6):
        _note(placement, supervisor, number)
    on = placement_get_for(user=case_officer, placement_id=placement.pk)
    participant = participant_get_for(user=case_officer, participant_id=placement.participant_id)
    with django_assert_num_queries(1):
        assert {note.visibility for note in progress_note_list_for(placement=on)} == {"shared"}
    with django_assert_num_queries(1):
        notes = list(participant_note_list_for(user=case_officer, participant=participant))
    assert len(notes) == 3


def test_goal_lists(placement, supervisor, manager, django_assert_num_queries):
    def grow(count):
        for number in range(count):
            goal_add(placement=placement, text=f"Goal {number}", acting_user=manager)

    on = placement_get_for(user=supervisor, placement_id=placement.pk)
    participant = participant_get_for(user=supervisor, participant_id=placement.participant_id)

    def by_participant():
        return [
            (goal.text, goal.placement.unit.name)
            for goal in participant_goal_list_for(user=supervisor, participant=participant)
        ]

    # Goals with their keys: one query; across visible placements, with unit: one query.
    _pinned(
        django_assert_num_queries,
        1,
        grow,
        lambda: [goal.text for goal in goal_list_for(placement=on)],
        3,
        (1, by_participant),
    )


def test_assessment_lists(placement, supervisor, instrument, django_assert_num_queries):
    scores = {item.code: 5 for item in instrument.items.all()}
    recorded = []

    def grow(count):
        for _ in range(count):
            recorded.append(
                assessment_record(
                    placement=placement,
                    instrument=instrument,
                    scores=scores,
                    kind="periodic",
                    on=START + timedelta(days=len(recorded)),
                    acting_user=supervisor,
                )
            )

    on = placement_get_for(user=supervisor, placement_id=placement.pk)
    participant = participant_get_for(user=supervisor, participant_id=placement.participant_id)

    def evaluate_placement():
        return [
            (assessment.instrument.name, [score.item.label for score in assessment.scores.all()])
            for assessment in assessment_list_for(placement=on)
        ]

    def by_participant():
        return [
            (a.assessed_by.username, [score.item.label for score in a.scores.all()])
            for a in participant_assessment_list_for(user=supervisor, participant=participant)
        ]

    # Assessments with instrument, then scores, then their items (prefetch): three
    # queries. Across visible placements, with assessor; scores with items: two.
    _pinned(django_assert_num_queries, 3, grow, evaluate_placement, 2, (2, by_participant))


def test_review_list_for(placement, case_officer, django_assert_num_queries):
    def grow(count):
        existing = placement.reviews.count()
        for number in range(existing, existing + count):
            review_record(
                placement=placement,
                summary=f"Review {number}",
                decision="continue",
                on=START + timedelta(days=number + 1),
                acting_user=case_officer,
            )

    on = placement_get_for(user=case_officer, placement_id=placement.pk)
    # Reviews with their keys: one query.
    _pinned(
        django_assert_num_queries,
        1,
        grow,
        lambda: [review.summary for review in review_list_for(placement=on)],
        rows=3,
    )


def test_attendance_list_for(placement, supervisor, django_assert_num_queries):
    weekdays = [START + timedelta(days=offset) for offset in range(100) if offset % 7 < 5]
    recorded = []

    def grow(count):
        days = weekdays[len(recorded) : len(recorded) + count]
        recorded.extend(days)
        for day in days:
            attendance_record_week(
                unit=placement.unit,
                week_start=day - timedelta(days=day.weekday()),
                entries=[
                    AttendanceEntry(placement_id=placement.pk, date=day, attended_hours=Decimal(4))
                ],
                acting_user=supervisor,
            )

    on = placement_get_for(user=supervisor, placement_id=placement.pk)
    # Attendance rows with their keys: one query.
    _pinned(
        django_assert_num_queries,
        1,
        grow,
        lambda: [row.attended_hours for row in attendance_list_for(user=supervisor, placement=on)],
        rows=3,
    )


def test_placement_summary_list_for(
    participant, placement, manager, agency, case_officer, django_assert_num_queries
):
    def grow(count):
        for _ in range(count):
            referral_register(
                participant=participant,
                programme=Programme.WORK_TRAINING,
                referred_on=START,
                referring_organisation=agency,
                case_officer=case_officer,
                acting_user=manager,
            )

    record = participant_get_for(user=manager, participant_id=participant.pk)
    # The placements with unit and agency, and every summary as a subquery: one query.
    # (The started placement of the fixture is one of the rows.)
    _pinned(
        django_assert_num_queries,
        1,
        lambda count: grow(count - 1 if count == 3 else count),
        lambda: placement_summary_list_for(user=manager, participant=record),
        rows=3,
    )


def test_membership_list_for(db, django_assert_num_queries):
    user = MembershipFactory(role=Role.SUPERVISOR).user

    def grow(count):
        for _ in range(count):
            MembershipFactory(user=user, organisation=OrganisationFactory(), role=Role.MANAGER)

    # Memberships with their organisations: one query.
    _pinned(
        django_assert_num_queries,
        1,
        lambda count: grow(count - 1 if count == 3 else count),
        lambda: [m.organisation.name for m in membership_list_for(user=user)],
        rows=3,
    )


def test_membership_pending_list_for(db, django_assert_num_queries):
    enterprise = OrganisationFactory()
    manager = MembershipFactory(organisation=enterprise, role=Role.MANAGER).user
    asker = MembershipFactory(role=Role.ADMIN).user

    def grow(count):
        for _ in range(count):
            MembershipFactory(
                organisation=enterprise,
                role=Role.SUPERVISOR,
                approved_at=None,
                requested_by=asker,
            )

    # Pending memberships with member, organisation and asker: one query (the
    # manager's organisations are a subquery).
    _pinned(
        django_assert_num_queries,
        1,
        grow,
        lambda: [
            (m.user.username, m.organisation.name, m.requested_by.username)
            for m in membership_pending_list_for(user=manager)
        ],
        rows=3,
    )
