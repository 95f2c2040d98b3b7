"""The whole report is a constant number of queries, whatever the number of participants."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from casework.services import assessment_record, instrument_ensure_default, placement_end
from participants.models import Gender
from placements.services import AttendanceEntry, attendance_record_week
from reports.scope import Period
from reports.statistics import outcome_report
from tests.factories import make_active_placement, make_participant
from tests.reports.data import AREAS, AS_OF

PERIOD = Period.parse("2026-01:2026-06")
#: placements, follow-ups, attendance, progress (grouped); quartiles (windows);
#: the labels of areas, units and enterprises.
REPORT_QUERIES = 8


def build(count, *, enterprise, unit, manager, supervisor):
    instrument = instrument_ensure_default()
    genders = list(Gender.values)
    for index in range(count):
        participant = make_participant(
            organisation=enterprise,
            acting_user=manager,
            gender=genders[index % 4],
            birth_year=1960 + index % 45,
            has_disability=index % 3 == 0,
        )
        start = date(2026, 1, 5) + timedelta(weeks=index % 8)
        placement = make_active_placement(
            participant=participant,
            unit=unit,
            supervisors=[supervisor],
            acting_user=manager,
            start_date=start,
        )
        attendance_record_week(
            unit=unit,
            week_start=start,
            entries=[
                AttendanceEntry(placement.pk, start + timedelta(days=d), Decimal(3 + d % 2))
                for d in range(5)
            ],
            acting_user=manager,
        )
        for offset, score in ((0, 4), (14, 4 + index % 3)):
            assessment_record(
                placement=placement,
                instrument=instrument,
                scores=dict.fromkeys(AREAS, score),
                kind="periodic",
                on=start + timedelta(days=offset),
                acting_user=manager,
            )
        if index % 2:
            placement_end(
                placement=placement,
                ended_on=start + timedelta(days=20 + index),
                outcome="employed",
                acting_user=manager,
            )


def report_queries(enterprise, django_assert_num_queries):
    with django_assert_num_queries(REPORT_QUERIES):
        report = outcome_report(period=PERIOD, organisation_ids=[enterprise.pk], as_of=AS_OF)
    return report


def test_query_count_is_the_same_for_ten_times_the_participants(
    enterprise, unit, manager, supervisor, django_assert_num_queries
):
    build(3, enterprise=enterprise, unit=unit, manager=manager, supervisor=supervisor)
    small = report_queries(enterprise, django_assert_num_queries)
    assert small["counts"]["all"]["in_period"] == 3
    build(27, enterprise=enterprise, unit=unit, manager=manager, supervisor=supervisor)
    large = report_queries(enterprise, django_assert_num_queries)
    assert large["counts"]["all"]["in_period"] == 30
    assert large["time_in_programme"]["all"]["n"] == 14


@pytest.mark.slow
def test_query_count_at_a_thousand_participants_built_in_bulk(
    enterprise, unit, manager, supervisor, django_assert_num_queries
):
    from tests.reports.bulk import build_bulk

    build_bulk(1000, enterprise=enterprise, unit=unit, manager=manager, supervisor=supervisor)
    report = report_queries(enterprise, django_assert_num_queries)
    assert report["counts"]["all"]["in_period"] == 1000


def test_the_analysts_report_page_is_a_constant_number_of_queries(
    client, enterprise, unit, manager, supervisor, analyst, funder
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.reports.helpers import signed_in

    enterprise.statistics_shared_with.add(funder)
    signed_in(client, analyst)
    query = {"period_from": "2026-01", "period_to": "2026-06"}
    client.get(reverse("reports:outcome"), query)  # the first request starts the idle clock

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("reports:outcome"), query)
        assert response.status_code == 200
        assert "desk/reports/report_anonymised.html" in [t.name for t in response.templates]
        return len(captured.captured_queries)

    build(3, enterprise=enterprise, unit=unit, manager=manager, supervisor=supervisor)
    small = page_queries()
    build(27, enterprise=enterprise, unit=unit, manager=manager, supervisor=supervisor)
    assert page_queries() == small
