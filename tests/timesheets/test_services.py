"""Recording a participant's confirmation or dispute of a month, and resolving a dispute."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from placements.models import Attendance
from tests.factories import nothing_written
from timesheets.models import TimeConfirmation
from timesheets.selectors import (
    ConfirmationState,
    control_code,
    time_confirmations_of_months,
)
from timesheets.services import AttendanceCorrection, time_confirmation_record, time_dispute_resolve

from .conftest import FIRST_WEEK, MONTH, confirm, current_digest, record_week

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TUESDAY = date(2026, 1, 6)
WEDNESDAY = date(2026, 1, 7)


def state(placement, month=MONTH):
    return time_confirmations_of_months([placement], [month])[(placement.pk, month)]


def test_nothing_recorded_reads_not_confirmed(january):
    assert state(january).state == ConfirmationState.NOT_CONFIRMED


def test_the_supervisor_records_an_on_screen_confirmation(january, supervisor):
    confirmation = confirm(january, supervisor)
    assert confirmation.status == TimeConfirmation.Status.CONFIRMED
    assert confirmation.channel == TimeConfirmation.Channel.ON_SCREEN
    assert confirmation.recorded_by == supervisor
    assert confirmation.recorded_at is not None
    assert confirmation.digest == current_digest(january)
    assert state(january).state == ConfirmationState.CONFIRMED
    history = confirmation.history.get()
    assert history.history_user == supervisor
    assert history.history_change_reason == "time confirmed (on_screen)"


def test_a_dispute_names_days_and_needs_a_comment(january, supervisor):
    with (
        nothing_written(TimeConfirmation),
        pytest.raises(ValidationError, match="what the participant"),
    ):
        confirm(january, supervisor, disputed_days=[TUESDAY])
    confirmation = confirm(
        january, supervisor, disputed_days=[WEDNESDAY, TUESDAY], comment="Jag var där 6 timmar"
    )
    confirmation.refresh_from_db()
    assert confirmation.status == TimeConfirmation.Status.DISPUTED
    assert confirmation.disputed_days == ["2026-01-06", "2026-01-07"]
    assert confirmation.comment == "Jag var där 6 timmar"
    assert confirmation.open_dispute
    found = state(january)
    assert found.state == ConfirmationState.DISPUTED
    assert found.disputed_days == [TUESDAY, WEDNESDAY]


def test_a_disputed_day_outside_the_month_is_refused(january, supervisor):
    with pytest.raises(ValidationError, match="not in this month"):
        confirm(january, supervisor, disputed_days=[date(2026, 2, 2)], comment="Fel")


def test_the_signed_paper_is_marked_received_with_its_control_code(january, supervisor):
    code = control_code(current_digest(january))
    confirmation = time_confirmation_record(
        placement=january,
        month=MONTH,
        channel="paper",
        seen=code.lower(),
        acting_user=supervisor,
    )
    assert confirmation.channel == TimeConfirmation.Channel.PAPER
    assert state(january).state == ConfirmationState.CONFIRMED


def test_a_paper_printed_before_a_change_is_refused(january, supervisor):
    code = control_code(current_digest(january))
    record_week(january, supervisor, changes={TUESDAY: (2, "")})
    with nothing_written(TimeConfirmation), pytest.raises(ValidationError, match="Print the month"):
        time_confirmation_record(
            placement=january, month=MONTH, channel="paper", seen=code, acting_user=supervisor
        )


def test_attendance_changed_while_shown_is_refused(january, supervisor):
    seen = current_digest(january)
    record_week(january, supervisor, changes={TUESDAY: (2, "")})
    with pytest.raises(ValidationError, match="show the month again"):
        time_confirmation_record(
            placement=january, month=MONTH, channel="on_screen", seen=seen, acting_user=supervisor
        )


def test_e_id_is_a_channel_not_yet_open(january, supervisor):
    with nothing_written(TimeConfirmation), pytest.raises(ValidationError, match="e-ID"):
        time_confirmation_record(
            placement=january,
            month=MONTH,
            channel="e_id",
            seen=current_digest(january),
            acting_user=supervisor,
        )


def test_a_change_after_the_confirmation_makes_it_outdated(january, supervisor, manager):
    confirm(january, supervisor)
    record_week(january, manager, changes={WEDNESDAY: (0, "sick")})
    assert state(january).state == ConfirmationState.OUTDATED
    # Confirmed again: the same row, the history keeps the first confirmation.
    confirmation = confirm(january, supervisor)
    assert state(january).state == ConfirmationState.CONFIRMED
    assert confirmation.history.count() == 2


def test_a_current_confirmation_is_not_recorded_twice(january, supervisor):
    confirm(january, supervisor)
    with pytest.raises(ValidationError, match="already confirmed"):
        confirm(january, supervisor)


def test_the_first_answer_recorded_twice_at_once_is_a_message_not_an_error(
    january, supervisor, manager, monkeypatch
):
    """Two screens record the month's first answer at the same moment: each looked for an
    earlier answer before either saved. The second meets the one-per-month rule and is
    told so; the first answer stands."""
    from django.db.models import QuerySet

    first = confirm(january, supervisor)
    real_first = QuerySet.first

    def not_yet_saved(queryset):  # what the second screen saw before the first saved
        return None if queryset.model is TimeConfirmation else real_first(queryset)

    monkeypatch.setattr(QuerySet, "first", not_yet_saved)
    with pytest.raises(ValidationError, match="a moment ago"):
        confirm(january, manager, disputed_days=[FIRST_WEEK], comment="Fel")
    monkeypatch.undo()
    assert list(TimeConfirmation.objects.all()) == [first]
    assert TimeConfirmation.objects.get().status == TimeConfirmation.Status.CONFIRMED


def test_a_month_without_the_placement_is_refused(january, supervisor):
    with pytest.raises(ValidationError, match="no days in this month"):
        confirm(january, supervisor, month=date(2025, 12, 1))


def test_the_case_officer_and_outsiders_cannot_record(
    january, case_officer, other_supervisor, analyst
):
    for user in (case_officer, other_supervisor, analyst):
        with nothing_written(TimeConfirmation), pytest.raises(PermissionDenied):
            confirm(january, user)


def test_the_manager_keeps_the_attendance(january, supervisor, manager):
    confirmation = confirm(january, supervisor, disputed_days=[TUESDAY], comment="6 timmar")
    with pytest.raises(ValidationError, match="reason for the decision"):
        time_dispute_resolve(
            confirmation=confirmation, resolution="kept", comment="", acting_user=manager
        )
    time_dispute_resolve(
        confirmation=confirmation,
        resolution="kept",
        comment="Stämplingen visar 4 timmar",
        acting_user=manager,
    )
    confirmation.refresh_from_db()
    assert confirmation.resolution == TimeConfirmation.Resolution.KEPT
    assert confirmation.resolved_by == manager
    assert confirmation.resolution_comment == "Stämplingen visar 4 timmar"
    assert not confirmation.open_dispute
    assert state(january).state == ConfirmationState.DISPUTED  # still what the participant said
    with pytest.raises(ValidationError, match="no dispute waiting"):
        time_dispute_resolve(
            confirmation=confirmation, resolution="kept", comment="Igen", acting_user=manager
        )


def test_the_manager_corrects_the_attendance_through_the_attendance_service(
    january, supervisor, manager
):
    confirmation = confirm(january, supervisor, disputed_days=[TUESDAY], comment="6 timmar")
    time_dispute_resolve(
        confirmation=confirmation,
        resolution="corrected",
        comment="Rättat efter samtal",
        corrections={TUESDAY: AttendanceCorrection(attended_hours=Decimal("3"))},
        acting_user=manager,
    )
    row = Attendance.objects.get(placement=january, date=TUESDAY)
    assert row.attended_hours == Decimal("3")
    assert row.history.first().history_change_reason == "attendance corrected"
    confirmation.refresh_from_db()
    assert confirmation.resolution == TimeConfirmation.Resolution.CORRECTED
    # The participant has not seen the corrected month: it is confirmed again.
    assert state(january).state == ConfirmationState.OUTDATED
    confirm(january, supervisor)
    assert state(january).state == ConfirmationState.CONFIRMED


def test_corrected_without_a_change_is_refused(january, supervisor, manager):
    confirmation = confirm(january, supervisor, disputed_days=[TUESDAY], comment="6 timmar")
    with pytest.raises(ValidationError, match="Nothing is corrected"):
        time_dispute_resolve(
            confirmation=confirmation, resolution="corrected", comment="Ok", acting_user=manager
        )


def test_an_open_dispute_is_decided_before_the_month_is_confirmed_again(
    january, supervisor, manager
):
    confirm(january, supervisor, disputed_days=[TUESDAY], comment="6 timmar")
    record_week(january, manager, changes={TUESDAY: (3, "")})
    with pytest.raises(ValidationError, match="waiting for the manager"):
        confirm(january, supervisor)


def test_only_the_manager_resolves(january, supervisor, case_officer, other_supervisor):
    confirmation = confirm(january, supervisor, disputed_days=[TUESDAY], comment="6 timmar")
    for user in (supervisor, case_officer, other_supervisor):
        with pytest.raises(PermissionDenied):
            time_dispute_resolve(
                confirmation=confirmation, resolution="kept", comment="Nej", acting_user=user
            )
    confirmation.refresh_from_db()
    assert confirmation.open_dispute


def test_the_months_selector_reads_any_number_in_two_queries(
    active_placements, supervisor, django_assert_num_queries
):
    placements = active_placements(3)
    for placement in placements:
        record_week(placement, supervisor)
    confirm(placements[0], supervisor)
    months = [MONTH, date(2026, 2, 1)]
    # The confirmations, then the attendance rows of the months (for the digests).
    with django_assert_num_queries(2):
        found = time_confirmations_of_months(placements, months)
    assert len(found) == 6
    assert found[(placements[0].pk, MONTH)].state == ConfirmationState.CONFIRMED
    assert found[(placements[1].pk, MONTH)].state == ConfirmationState.NOT_CONFIRMED
    more = active_placements(12)
    for placement in more:
        record_week(placement, supervisor, week_start=FIRST_WEEK)
    with django_assert_num_queries(2):
        assert len(time_confirmations_of_months([*placements, *more], months)) == 30
